// Authentication, on every operation: 401 for every kind of bad credential, with a JSON body and
// nothing written (one check per rule tries each of its kinds, so a server that answers 403 fails
// each rule once; DELETE's share needs the whole list, since a DELETE that wrongly succeeds empties
// it), credentials checked before the body (checks/credentials-first.ts) and on every request of a
// kept-alive connection (checks/credentials-per-request.ts).
// Vendor page: "401 Unauthorized" under each operation; docs/rules.md: "Authentication".
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { ROBUST, togetherElseApart } from '../fixtures/sending.ts';
import { credentialsFirst } from '../checks/credentials-first.ts';
import { credentialsPerRequest } from '../checks/credentials-per-request.ts';
import { theEntry } from '../verdicts/provider-list.ts';
import { test, type CheckFixtures } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import {
  BAD_CREDENTIALS,
  BAD_CREDENTIALS_BY_RULE,
  kindsOf,
  refusedWithEach,
  refusedWithEveryKind,
  sentWithEach,
  type BadCredentials,
  type SendWith,
} from '../fixtures/bad-credentials.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { fail } from '../verdicts/failure.ts';
import { jsonObjectBody, matchesSchema, statusIs } from '../verdicts/assertions.ts';
import type { Provider } from '../contract/provider.ts';

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  const refused =
    (ruleId: RuleId, kinds: BadCredentials[]) =>
    (check: CheckFixtures): Promise<void> =>
      togetherElseApart(check, async (f, atOnce) => {
        const posted: Provider[] = [];
        const post: SendWith = (client, options) => {
          const provider = f.make.provider('bearer');
          posted.push(provider);
          return client.post(provider, options);
        };
        await refusedWithEach(f, ruleId, kinds, post, atOnce);
        await refusedWithEach(f, ruleId, kinds, (client, options) => client.list(options), atOnce);
        const list = await f.read();
        for (const p of posted)
          if (entriesNamed(list, p.name).length)
            fail('AUTH-NO-CHANGE', `a POST answered 401, yet GET lists '${p.name}'`);
      });
  const stateless = (kinds: BadCredentials[]) => kinds.some((k) => k.stateless);
  // A server that answers one kind of bad credential wrongly often answers them all so (a 403 for
  // every one): once a check fails, every other rule's check runs in it (fixtures/rule.ts, family).
  const family = BAD_CREDENTIALS_BY_RULE.map(([ruleId, kinds]) => ({
    rule: ruleId,
    check: refused(ruleId, kinds),
    stateless: stateless(kinds),
  }));

  for (const [ruleId, kinds] of BAD_CREDENTIALS_BY_RULE) {
    test(
      ...rule(
        ruleId,
        `POST and GET with ${kindsOf(kinds)} get 401, and the POST writes nothing`,
        refused(ruleId, kinds),
        {
          also: ['AUTH-401-JSON', 'AUTH-401-FIELDS', 'AUTH-NO-CHANGE'],
          stateless: stateless(kinds),
          family,
        },
      ),
    );
  }

  test(
    ...rule(
      'AUTH-401-JSON',
      'the body of a 401 is a JSON object',
      async ({ api }) => {
        const answer = await api.list({ authorization: null });
        statusIs('AUTH-MISSING', answer);
        jsonObjectBody('AUTH-401-JSON', answer);
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'AUTH-401-FIELDS',
      'the body of a 401 carries the strings message and reason',
      async ({ api, contract }) => {
        const answer = await api.list({ authorization: null });
        statusIs('AUTH-MISSING', answer);
        matchesSchema('AUTH-401-FIELDS', contract, 'Error', jsonObjectBody('AUTH-401-JSON', answer), 'the 401 body');
      },
      { stateless: true },
    ),
  );

  // The bad credentials every run can send (no second bot or other region needed).
  const ON_THIS_BOT = BAD_CREDENTIALS.filter((b) =>
    ['AUTH-MISSING', 'AUTH-MALFORMED', 'AUTH-WRONG-TOKEN'].includes(b.rule),
  );

  test(
    ...rule('AUTH-NO-CHANGE', 'a POST refused with 401 writes nothing, whatever the bad credential', (check) =>
      togetherElseApart(check, async (f, atOnce) => {
        const refused = new Map<BadCredentials, Provider>();
        const post: SendWith = (client, options, bad) => {
          const provider = f.make.provider('bearer');
          refused.set(bad, provider);
          return client.post(provider, options);
        };
        const answers = await sentWithEach(f, ON_THIS_BOT, post, atOnce);
        for (const [i, bad] of ON_THIS_BOT.entries()) statusIs(bad.rule, answers[i]);
        const list = await f.read();
        for (const [{ what }, provider] of refused) {
          if (entriesNamed(list, provider.name).length)
            fail('AUTH-NO-CHANGE', `the POST with ${what} answered 401, yet GET lists '${provider.name}'`);
        }
      }),
    ),
  );

  for (const scheme of ['bearer', 'BEARER']) {
    test(
      ...rule('AUTH-SCHEME-CASE', `the scheme written '${scheme}' is accepted like 'Bearer'`, async ({ api }) => {
        statusIs('AUTH-SCHEME-CASE', await api.list({ authorization: `${scheme} ${api.bot.token}` }), 'GET-200-SHAPE');
      }),
    );
  }

  // Every kind at once, each judged on its own rule: a DELETE that empties the list is one wait at a
  // distance, not one a rule; a found failure is sent again apart (togetherElseApart).
  test(
    ...rule(
      'AUTH-NO-CHANGE',
      `a DELETE of the list refused with 401 removes nothing, with each kind of bad credential (${BAD_CREDENTIALS_BY_RULE.map(([id]) => id).join(', ')}) getting 401`,
      (check) =>
        togetherElseApart(check, async (f, atOnce) => {
          const kept = f.make.provider('basic');
          statusIs('POST-VALID-200', await f.api.post(kept));
          await refusedWithEveryKind(f, (client, options) => client.clear(options), atOnce);
          theEntry('AUTH-NO-CHANGE', await f.read(), kept.name);
        }),
      {
        wholeList: true,
        covers: BAD_CREDENTIALS_BY_RULE.map(([id]) => id),
        eachCovered: true,
        also: ['AUTH-401-JSON', 'AUTH-401-FIELDS'],
        standsOn: READS_ITS_WRITES,
      },
    ),
  );

  test(
    ...rule(
      'AUTH-BEFORE-BODY',
      'missing or bad credentials get 401 on every operation, whatever the body or its Content-Type, on an empty list and on a populated one, and change nothing',
      credentialsFirst,
      {
        wholeList: true,
        also: [
          'AUTH-401-JSON',
          'AUTH-NO-CHANGE',
          'AUTH-MISSING',
          'AUTH-MALFORMED',
          'AUTH-WRONG-TOKEN',
          'AUTH-OTHER-BOT',
          'AUTH-UNKNOWN-BOT',
          ...ROBUST,
        ],
        standsOn: READS_ITS_WRITES,
      },
    ),
  );

  test(
    ...rule(
      'AUTH-PER-REQUEST',
      'on kept-alive connections, each request with bad credentials right after one with good ones (and across bots) gets 401, the good one after it its plain answer, and nothing changes',
      credentialsPerRequest,
      {
        wholeList: true,
        also: ['AUTH-NO-CHANGE', 'AUTH-MISSING', 'AUTH-WRONG-TOKEN', 'AUTH-OTHER-BOT', 'HTTP-EQUIVALENT', ...ROBUST],
        standsOn: READS_ITS_WRITES,
      },
    ),
  );
});

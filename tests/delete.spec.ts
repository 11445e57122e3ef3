// DELETE: the list emptied, with 200 and an empty body, on that bot only, and 200 again on an empty
// list. Every check needs the bot's whole list: it runs alone on its target (fixtures/turns.ts).
// Vendor page: "Deleting the Providers List"; docs/rules.md: "DELETE".
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { readAfter, ROBUST } from '../fixtures/sending.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { ConformanceFailure, fail, Findings, inWaves, together } from '../verdicts/failure.ts';
import { emptyBody, statusIs } from '../verdicts/assertions.ts';
import { entriesNamed, providerList, theEntry } from '../verdicts/provider-list.ts';
import { firstDifference, sameValue, shown } from '../verdicts/difference.ts';
import { emptied } from '../checks/empty-list.ts';
import { atOnceElseOneByOne } from '../checks/at-once.ts';

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  test(
    ...rule(
      'DELETE-200',
      'DELETE of a list holding providers answers 200',
      async ({ api, make, should }) => {
        // At once: nothing is read back, so a write lost among them (CONCURRENT-UPSERTS) changes nothing here.
        const posts = await together((['basic', 'bearer'] as const).map((kind) => api.post(make.provider(kind))));
        for (const answer of posts) statusIs('POST-VALID-200', answer);
        const answer = await api.clear();
        statusIs('DELETE-200', answer);
        should('DELETE-EMPTY-BODY', () => emptyBody('DELETE-EMPTY-BODY', answer));
      },
      { wholeList: true, also: ['DELETE-EMPTY-BODY'] },
    ),
  );

  test(
    ...rule(
      'DELETE-EMPTY-BODY',
      'the 200 answer to a DELETE has an empty body',
      async ({ api, make }) => {
        statusIs('POST-VALID-200', await api.post(make.provider('basic')));
        const answer = await api.clear();
        statusIs('DELETE-200', answer);
        emptyBody('DELETE-EMPTY-BODY', answer);
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'DELETE-EMPTIES',
      'after DELETE, GET shows no provider at all',
      async ({ api, make, contract, read }) => {
        // The POSTs go at once; anything found is looked for again with them one after another (checks/at-once.ts).
        await atOnceElseOneByOne(async (_, atOnce) => {
          const posted = (['basic', 'bearer', 'basic'] as const).map((kind) => make.provider(kind));
          for (const answer of await inWaves(posted, atOnce, (p) => api.post(p))) statusIs('POST-VALID-200', answer);
          // Listed before the DELETE: where nothing is kept, an empty list after it shows nothing.
          const before = await read();
          for (const provider of posted) theEntry('GET-READ-AFTER-WRITE', before, provider.name);
          statusIs('DELETE-200', await api.clear());
          const answer = await api.list();
          statusIs('GET-EMPTY-200', answer);
          const left = providerList(contract, answer).providers;
          if (left.length)
            fail('DELETE-EMPTIES', `GET still lists ${left.length} provider(s) after DELETE answered 200`);
        });
      },
      { wholeList: true, standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'DELETE-IDEMPOTENT',
      'DELETE of an already empty list answers 200 too',
      async ({ api, make }) => {
        await emptied(api, make);
        statusIs('DELETE-IDEMPOTENT', await api.clear());
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'DELETE-THIS-BOT-ONLY',
      "DELETE leaves the second bot's list as it was",
      async ({ api, secondApi, make, read }) => {
        const theirs = make.provider('basic');
        statusIs('POST-VALID-200', await secondApi.post(theirs));
        statusIs('POST-VALID-200', await api.post(make.provider('bearer')));
        statusIs('DELETE-200', await api.clear());
        if (entriesNamed(await read(secondApi), theirs.name).length !== 1) {
          fail('DELETE-THIS-BOT-ONLY', `the second bot lost '${theirs.name}' when the first bot's list was deleted`);
        }
      },
      { wholeList: true, standsOn: READS_ITS_WRITES },
    ),
  );

  // One name on both bots: each bot's list is its own, whatever a store keys by name.
  test(
    ...rule(
      'DELETE-THIS-BOT-ONLY',
      "one name on both bots: a POST, a DELETE of the list (and the revision's DELETE of the provider) on one bot leave the other bot's entry as it was",
      async ({ api, secondApi, make, read, settings, secrets }) => {
        const findings = new Findings();
        const name = make.name();
        const theirs = make.provider('basic', name);
        statusIs('POST-VALID-200', await secondApi.post(theirs));
        // Listed first as posted: what the other bot's steps are then held to (a list that lags is another rule's fault).
        const before = theEntry('GET-READ-AFTER-WRITE', await read(secondApi), name);
        sameValue(
          'GET-CONFIG-ROUNDTRIP',
          before.config,
          theirs.config,
          `the config of the second bot's ${shown(name)}`,
          secrets,
        );
        let changed = false;
        // Once it changed, later steps are not blamed for it.
        const keptTheirs = async (ruleId: RuleId, after: string) => {
          if (changed) return;
          const found = entriesNamed(await readAfter((c, l) => read(c ?? secondApi, l), after, findings), name);
          const difference =
            found.length === 1
              ? firstDifference(found[0].config, theirs.config, '$.config', secrets)
              : `it is listed ${found.length} times`;
          if (!difference) return;
          changed = true;
          findings.add(
            new ConformanceFailure(ruleId, `the second bot's ${shown(name)} changed after ${after}: ${difference}`),
            after,
          );
        };
        for (const kind of ['bearer', 'basic'] as const)
          statusIs('POST-VALID-200', await api.post(make.provider(kind, name)));
        await keptTheirs('GET-CONFIG-ROUNDTRIP', 'the first bot posted (and reposted) a provider of the same name');
        if (settings.profile === '2020-03-10') {
          statusIs('REV-DELETE-ONE', await api.remove(name));
          await keptTheirs('REV-DELETE-ONE', "the first bot's DELETE of its provider of that name");
          statusIs('POST-VALID-200', await api.post(make.provider('bearer', name)));
        }
        statusIs('DELETE-200', await api.clear());
        await keptTheirs('DELETE-THIS-BOT-ONLY', "the first bot's DELETE of its list, which held the same name");
        findings.throwIfAny();
      },
      { wholeList: true, also: ['GET-CONFIG-ROUNDTRIP', 'REV-DELETE-ONE', ...ROBUST] },
    ),
  );
});

// Checks that need the bot's whole list: DELETE, the empty list, and DELETE with bad credentials.
// Each is tagged @whole-list: it runs alone on its target, no other check of it meanwhile (fixtures/turns.ts).
// Vendor page: "Deleting the Providers List"; docs/rules.md: "DELETE", "GET", "Authentication".
import { forEachTarget, test } from '../fixtures/conformance.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { rule } from '../fixtures/rule.ts';
import { annotate } from '../report/report-model.ts';
import { BAD_CREDENTIALS, BAD_CREDENTIALS_BY_RULE, kindsOf, refusedWithEach } from '../fixtures/bad-credentials.ts';
import type { Builders } from '../fixtures/builders.ts';
import type { ProviderApi } from '../client/api.ts';
import { emptyBody, statusIs } from '../verdicts/assertions.ts';
import { entriesNamed, providerList, theEntry } from '../verdicts/provider-list.ts';
import { fail } from '../verdicts/failure.ts';

/** Empties the list by deleting a list that holds something (DELETE of an empty list is a SHOULD of its own). */
async function emptied(api: ProviderApi, make: Builders): Promise<void> {
  statusIs('POST-VALID-200', await api.post(make.provider('bearer')));
  statusIs('DELETE-200', await api.clear());
}

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(() => {
  test(
    ...rule(
      'DELETE-200',
      'DELETE of a list holding providers answers 200',
      async ({ api, make, should }) => {
        for (const kind of ['basic', 'bearer'] as const)
          statusIs('POST-VALID-200', await api.post(make.provider(kind)));
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
        const posted = (['basic', 'bearer', 'basic'] as const).map((kind) => make.provider(kind));
        for (const provider of posted) statusIs('POST-VALID-200', await api.post(provider));
        // Listed before the DELETE: where nothing is kept, an empty list after it shows nothing.
        const before = await read();
        for (const provider of posted) theEntry('GET-READ-AFTER-WRITE', before, provider.name);
        statusIs('DELETE-200', await api.clear());
        const answer = await api.list();
        statusIs('GET-EMPTY-200', answer);
        const left = providerList(contract, answer).providers;
        if (left.length) fail('DELETE-EMPTIES', `GET still lists ${left.length} provider(s) after DELETE answered 200`);
      },
      { wholeList: true, standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'GET-EMPTY-200',
      'GET of an emptied list answers 200, not 404',
      async ({ api, make, contract }) => {
        await emptied(api, make);
        const answer = await api.list();
        statusIs('GET-EMPTY-200', answer);
        providerList(contract, answer);
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'GET-EMPTY-NESTING',
      'an empty list keeps the full nesting with providers: []',
      async ({ api, make, contract }) => {
        await emptied(api, make);
        const answer = await api.list();
        statusIs('GET-EMPTY-200', answer);
        const list = providerList(contract, answer);
        if (!list.nested)
          fail('GET-EMPTY-NESTING', 'the empty list came without settings.application.media.providers (read as empty)');
        if (list.providers.length)
          fail('DELETE-EMPTIES', `GET still lists ${list.providers.length} provider(s) after DELETE answered 200`);
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

  for (const [ruleId, kinds] of BAD_CREDENTIALS_BY_RULE) {
    test(
      ...rule(
        ruleId,
        `DELETE with ${kindsOf(kinds)} gets 401 and removes nothing`,
        async (f) => {
          const kept = f.make.provider('basic');
          statusIs('POST-VALID-200', await f.api.post(kept));
          await refusedWithEach(f, ruleId, kinds, (client, options) => client.clear(options));
          theEntry('AUTH-NO-CHANGE', await f.read(), kept.name);
        },
        { wholeList: true, also: ['AUTH-401-JSON', 'AUTH-401-FIELDS', 'AUTH-NO-CHANGE'], standsOn: READS_ITS_WRITES },
      ),
    );
  }

  test(
    ...rule(
      'REV-DELETE-ONE',
      'DELETE of provider/{name} removes that provider and leaves the rest',
      async ({ api, make, read, should }, testInfo) => {
        const [keepA, gone, keepB] = [make.provider('basic'), make.provider('bearer'), make.provider('basic')];
        for (const p of [keepA, gone, keepB]) statusIs('POST-VALID-200', await api.post(p));
        const answer = await api.remove(gone.name);
        statusIs('REV-DELETE-ONE', answer);
        const list = await read();
        if (entriesNamed(list, gone.name).length)
          fail('REV-DELETE-ONE', `'${gone.name}' is still listed after its DELETE answered 200`);
        for (const p of [keepA, keepB]) theEntry('REV-DELETE-ONE', list, p.name);
        should('DELETE-EMPTY-BODY', () => emptyBody('DELETE-EMPTY-BODY', answer));
        // The revision leaves an unknown name open: record what the target does, judge nothing.
        const unknown = await api.remove(make.name());
        testInfo.annotations.push(
          annotate.observed(`DELETE of an unlisted provider name answered ${unknown.received.status}`),
        );
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'REV-DELETE-ONE-EXACT',
      'DELETE of provider/{name} leaves the provider whose name differs only in case',
      async ({ api, make, read }) => {
        const lower = make.provider('bearer');
        const upper = make.provider('bearer', lower.name.toUpperCase());
        for (const p of [lower, upper]) statusIs('POST-VALID-200', await api.post(p));
        statusIs('REV-DELETE-ONE', await api.remove(lower.name));
        if (entriesNamed(await read(), upper.name).length !== 1) {
          fail(
            'REV-DELETE-ONE-EXACT',
            `deleting '${lower.name}' also removed '${upper.name}': names are matched case-insensitively`,
          );
        }
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'REV-DELETE-ONE-AUTH',
      `DELETE of provider/{name} with ${kindsOf(BAD_CREDENTIALS)} gets 401 and removes nothing`,
      async (f) => {
        const kept = f.make.provider('basic');
        statusIs('POST-VALID-200', await f.api.post(kept));
        await refusedWithEach(f, 'REV-DELETE-ONE-AUTH', BAD_CREDENTIALS, (client, options) =>
          client.remove(kept.name, options),
        );
        if (entriesNamed(await f.read(), kept.name).length !== 1)
          fail('REV-DELETE-ONE-AUTH', `'${kept.name}' was removed by a DELETE that answered 401`);
      },
      { wholeList: true, also: ['AUTH-401-JSON', 'AUTH-401-FIELDS'] },
    ),
  );
});

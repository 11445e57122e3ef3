// The 2020-03-10 revision: its name rule (only A-Z, a-z, '-' and '_', at most 200 characters) and its
// DELETE of one provider, matching the name exactly and needing valid credentials (it needs the whole
// list: a DELETE that matches loosely removes other entries). Runs only with
// CONFORMANCE_PROFILE=2020-03-10. docs/rules.md: "Profiles".
import { annotate } from '../report/report-model.ts';
import { BAD_CREDENTIALS, kindsOf, refusedWithEach } from '../fixtures/bad-credentials.ts';
import { readAfter, ROBUST, togetherElseApart } from '../fixtures/sending.ts';
import { emptyBody } from '../verdicts/assertions.ts';
import { ConformanceFailure, inWaves } from '../verdicts/failure.ts';
import { atOnceElseOneByOne } from '../checks/at-once.ts';
import type { Provider } from '../contract/provider.ts';
import type { ProviderApi } from '../client/api.ts';
import { shown } from '../verdicts/difference.ts';
import { NAME_DISTINCTIONS } from '../relations/catalogue.ts';
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { entriesNamed, theEntry } from '../verdicts/provider-list.ts';
import { fail } from '../verdicts/failure.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';

const OUTSIDE = [
  ['a digit', '7'],
  ['a space', ' '],
  ['a dot', '.'],
  ['an accented letter', 'é'],
  ['a slash', '/'],
];

/** Posts the providers, `atOnce` at a time: each must be taken. */
async function postedAll(providers: Provider[], atOnce: number, api: ProviderApi): Promise<void> {
  for (const answer of await inWaves(providers, atOnce, (p) => api.post(p))) statusIs('POST-VALID-200', answer);
}

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  for (const [what, character] of OUTSIDE) {
    test(
      ...rule(
        'REV-NAME-CHARSET',
        `a name holding ${what} gets 400 and is not listed`,
        async ({ api, make, read }) => {
          const provider = make.provider('bearer');
          provider.name = `${provider.name}${character}x`;
          const answer = await api.post(provider);
          statusIs('REV-NAME-CHARSET', answer);
          jsonObjectBody('ERROR-400-JSON', answer);
          if (entriesNamed(await read(), provider.name).length)
            fail('REV-NAME-CHARSET', `'${provider.name}' answered 400 yet is listed`);
        },
        { also: ['ERROR-400-JSON'], stateless: true },
      ),
    );
  }

  test(
    ...rule(
      'REV-NAME-LENGTH',
      'a name of 201 characters gets 400 and is not listed',
      async ({ api, make, read }) => {
        const name = make.name().padEnd(201, 'x').slice(0, 201);
        const answer = await api.post(make.provider('basic', name));
        statusIs('REV-NAME-LENGTH', answer);
        if (entriesNamed(await read(), name).length)
          fail('REV-NAME-LENGTH', 'a 201-character name answered 400 yet is listed');
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'REV-NAME-LENGTH',
      'a name of exactly 200 characters gets 200 and is listed',
      async ({ api, make, read }) => {
        const provider = make.provider('basic', make.name().padEnd(200, 'y').slice(0, 200));
        statusIs('REV-NAME-LENGTH', await api.post(provider), 'POST-VALID-200');
        theEntry('REV-NAME-LENGTH', await read(), provider.name);
      },
    ),
  );

  test(
    ...rule(
      'REV-DELETE-ONE',
      'DELETE of provider/{name} removes that provider and leaves the rest',
      async ({ api, make, read, should }, testInfo) => {
        // The POSTs go at once; anything found is looked for again with them one after another (checks/at-once.ts).
        const { result: answer } = await atOnceElseOneByOne(async (_, atOnce) => {
          const [keepA, gone, keepB] = [make.provider('basic'), make.provider('bearer'), make.provider('basic')];
          await postedAll([keepA, gone, keepB], atOnce, api);
          const removal = await api.remove(gone.name);
          statusIs('REV-DELETE-ONE', removal);
          const list = await read();
          if (entriesNamed(list, gone.name).length)
            fail('REV-DELETE-ONE', `'${gone.name}' is still listed after its DELETE answered 200`);
          for (const p of [keepA, keepB]) theEntry('REV-DELETE-ONE', list, p.name);
          return removal;
        });
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
        await atOnceElseOneByOne(async (_, atOnce) => {
          const lower = make.provider('bearer');
          const upper = make.provider('bearer', lower.name.toUpperCase());
          await postedAll([lower, upper], atOnce, api);
          statusIs('REV-DELETE-ONE', await api.remove(lower.name));
          if (entriesNamed(await read(), upper.name).length !== 1) {
            fail(
              'REV-DELETE-ONE-EXACT',
              `deleting '${lower.name}' also removed '${upper.name}': names are matched case-insensitively`,
            );
          }
        });
      },
      { wholeList: true },
    ),
  );

  test(
    ...rule(
      'REV-DELETE-ONE-AUTH',
      `DELETE of provider/{name} with ${kindsOf(BAD_CREDENTIALS)} gets 401 and removes nothing`,
      (check) =>
        togetherElseApart(check, async (f, atOnce) => {
          const kept = f.make.provider('basic');
          statusIs('POST-VALID-200', await f.api.post(kept));
          await refusedWithEach(
            f,
            'REV-DELETE-ONE-AUTH',
            BAD_CREDENTIALS,
            (client, options) => client.remove(kept.name, options),
            atOnce,
          );
          if (entriesNamed(await f.read(), kept.name).length !== 1)
            fail('REV-DELETE-ONE-AUTH', `'${kept.name}' was removed by a DELETE that answered 401`);
        }),
      { wholeList: true, also: ['AUTH-401-JSON', 'AUTH-401-FIELDS'] },
    ),
  );

  // The revision's DELETE of one provider matches its name exactly: not a prefix, not a longer name, not another case.
  test(
    ...rule(
      'REV-DELETE-ONE',
      `DELETE of provider/{name} leaves every name it is a prefix of, every prefix of it, the name in another case, and, beside it, ${NAME_DISTINCTIONS.map((d) => `${d.what} (${d.source})`).join(', ')}`,
      async ({ api, make, read }, testInfo) => {
        // What the distinctions' DELETEs answered, as the last attempt saw them: a replay one by one says it once.
        let observed: string[] = [];
        const { findings } = await atOnceElseOneByOne(async (findings, atOnce) => {
          const name = make.name();
          const kept = [`${name}a`, `${name}-x`, name.slice(0, -1), name.toUpperCase()];
          // Each distinction's DELETE says a name no provider can have (REV-NAME-CHARSET): the listed one it would be, decoded again, stays.
          const apart = NAME_DISTINCTIONS.map((d) => {
            const listed = make.name();
            return { d, listed, said: d.name!(listed)! };
          });
          await postedAll(
            [name, ...kept, ...apart.map((a) => a.listed)].map((n) => make.provider('bearer', n)),
            atOnce,
            api,
          );
          const [removal, ...others] = await inWaves([name, ...apart.map((a) => a.said)], atOnce, (n) => api.remove(n));
          observed = apart.map(
            ({ said }, i) => `DELETE of provider ${shown(said)} answered ${others[i].received.status}`,
          );
          statusIs('REV-DELETE-ONE', removal);
          const list = await readAfter(
            read,
            `the DELETEs of provider ${shown(name)} and of ${apart.map((a) => shown(a.said)).join(', ')}`,
            findings,
          );
          for (const { d, listed, said } of apart) {
            if (entriesNamed(list, listed).length !== 1)
              findings.add(
                new ConformanceFailure(
                  d.rule,
                  `the DELETE of provider ${shown(said)} (sent as ${encodeURIComponent(said)}) removed ${shown(listed)}: the name was decoded twice`,
                ),
                d.id,
              );
          }
          if (entriesNamed(list, name).length)
            findings.add(
              new ConformanceFailure('REV-DELETE-ONE', `${shown(name)} is still listed after its DELETE answered 200`),
            );
          for (const n of kept) {
            if (entriesNamed(list, n).length === 1) continue;
            const ruleId = n === name.toUpperCase() ? 'REV-DELETE-ONE-EXACT' : 'REV-DELETE-ONE';
            findings.add(
              new ConformanceFailure(ruleId, `the DELETE of provider ${shown(name)} also removed ${shown(n)}`),
              n,
            );
          }
        }).finally(() => {
          for (const o of observed) testInfo.annotations.push(annotate.observed(o));
        });
        findings.throwIfAny();
      },
      { wholeList: true, also: ['REV-DELETE-ONE-EXACT', ...ROBUST] },
    ),
  );
});

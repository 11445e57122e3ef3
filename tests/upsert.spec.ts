// Upsert by name: the vendor page's note "reusing a name will overwrite the previous entry", as
// docs/rules.md settles it (replace, never duplicate, never merge, others untouched), names kept
// exactly and apart (checks/name-families.ts), and concurrent writes (checks/one-name-races.ts).
import { ROBUST } from '../fixtures/sending.ts';
import { namesKeptApart } from '../checks/name-families.ts';
import { RACING, concurrentPostsOfOneName, postsRacingDelete } from '../checks/one-name-races.ts';
import type { Provider, ProviderConfig } from '../contract/provider.ts';
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { entriesNamed, theEntry, type ProviderList } from '../verdicts/provider-list.ts';
import { fail, together } from '../verdicts/failure.ts';
import { sameValue, type SecretJudge } from '../verdicts/difference.ts';
import { statusIs } from '../verdicts/assertions.ts';

/** Decides, in the order that names the real fault, whether `name` now holds exactly `now` and nothing of `before`. */
function replaced(list: ProviderList, now: Provider, before: ProviderConfig, judge: SecretJudge): void {
  const found = entriesNamed(list, now.name);
  if (found.length > 1)
    fail('UPSERT-NO-DUPLICATE', `GET lists '${now.name}' ${found.length} times after the name was reused`);
  const entry = theEntry('GET-READ-AFTER-WRITE', list, now.name);
  const config = (entry.config ?? {}) as Record<string, unknown>;
  const leftover = Object.keys(before).filter((k) => !(k in now.config) && k in config);
  // A merge holds the new config's credential beside the old one's; the old config alone is a repost ignored.
  if (leftover.length && Object.keys(now.config).every((k) => k in config))
    fail('UPSERT-NO-MERGE', `'${now.name}' kept ${leftover.join(', ')} from the replaced config next to the new one`);
  sameValue(
    'UPSERT-REPLACES',
    { type: entry.type, config: entry.config },
    { type: now.type, config: now.config },
    `'${now.name}' after the name was reused`,
    judge,
  );
}

const SWITCHES = [
  ['basic', 'bearer'],
  ['bearer', 'basic'],
  ['basic', 'basic'],
  ['bearer', 'bearer'],
] as const;
// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  for (const [from, to] of SWITCHES) {
    test(
      ...rule(
        'UPSERT-REPLACES',
        `reposting a ${from} provider's name with ${to} credentials replaces its config`,
        async ({ api, make, read, secrets }) => {
          const first = make.provider(from);
          statusIs('POST-VALID-200', await api.post(first));
          const second = make.provider(to, first.name);
          statusIs('UPSERT-REPLACES', await api.post(second), 'POST-VALID-200');
          replaced(await read(), second, first.config, secrets);
        },
        { also: ['UPSERT-NO-DUPLICATE', 'UPSERT-NO-MERGE'], standsOn: READS_ITS_WRITES },
      ),
    );
  }

  test(
    ...rule(
      'UPSERT-NO-DUPLICATE',
      'posting the same provider three times lists it once',
      async ({ api, make, read }) => {
        const provider = make.provider('bearer');
        statusIs('POST-VALID-200', await api.post(provider));
        for (let i = 0; i < 2; i++) statusIs('UPSERT-REPLACES', await api.post(provider), 'POST-VALID-200');
        const found = entriesNamed(await read(), provider.name);
        if (found.length !== 1)
          fail('UPSERT-NO-DUPLICATE', `GET lists '${provider.name}' ${found.length} times after three identical POSTs`);
      },
      { standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'UPSERT-OTHERS-UNTOUCHED',
      'reusing one name leaves the entries around it as they were',
      async ({ api, make, read, secrets }) => {
        const [before, target, after] = [make.provider('basic'), make.provider('bearer'), make.provider('basic')];
        for (const p of [before, target, after]) statusIs('POST-VALID-200', await api.post(p));
        statusIs('UPSERT-REPLACES', await api.post(make.provider('basic', target.name)), 'POST-VALID-200');
        const list = await read();
        for (const other of [before, after]) {
          const found = entriesNamed(list, other.name);
          if (found.length !== 1)
            fail(
              'UPSERT-OTHERS-UNTOUCHED',
              `'${other.name}' is listed ${found.length} times after another name was reused`,
            );
          sameValue(
            'UPSERT-OTHERS-UNTOUCHED',
            found[0].config,
            other.config,
            `the config of '${other.name}', next to the reused name,`,
            secrets,
          );
        }
      },
      { standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'NAME-CASE-SENSITIVE',
      'a name and its upper-case twin are two providers',
      async ({ api, make, read, secrets }) => {
        const lower = make.provider('bearer');
        const upper = make.provider('basic', lower.name.toUpperCase());
        statusIs('POST-VALID-200', await api.post(lower));
        statusIs('POST-VALID-200', await api.post(upper));
        const list = await read();
        for (const p of [lower, upper]) {
          if (entriesNamed(list, p.name).length !== 1)
            fail(
              'NAME-CASE-SENSITIVE',
              `'${p.name}' is not listed once after its case twin was posted: names are compared case-insensitively`,
            );
          sameValue(
            'NAME-CASE-SENSITIVE',
            theEntry('NAME-CASE-SENSITIVE', list, p.name).config,
            p.config,
            `the config of '${p.name}'`,
            secrets,
          );
        }
      },
      { standsOn: READS_ITS_WRITES },
    ),
  );

  const CONCURRENT = 20;
  test(
    ...rule(
      'CONCURRENT-UPSERTS',
      `${CONCURRENT} providers posted at once under distinct names are all listed`,
      async ({ api, make, read, secrets }) => {
        const providers = Array.from({ length: CONCURRENT }, (_, i) => make.provider(i % 2 ? 'basic' : 'bearer'));
        const answers = await together(providers.map((p) => api.post(p)));
        for (const a of answers) statusIs('POST-VALID-200', a);
        const list = await read();
        const missing = providers.filter((p) => entriesNamed(list, p.name).length === 0);
        if (missing.length)
          fail(
            'CONCURRENT-UPSERTS',
            `${missing.length} of ${CONCURRENT} concurrently posted providers are missing (lost updates), e.g. '${missing[0].name}'`,
          );
        for (const p of providers)
          sameValue(
            'CONCURRENT-UPSERTS',
            theEntry('CONCURRENT-UPSERTS', list, p.name).config,
            p.config,
            `the config of '${p.name}'`,
            secrets,
          );
      },
      { standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'NAME-EXACT',
      'names of every family a store merges or changes (accents, composed and decomposed forms, spaces at the ends, zero-width characters, number-like names, column-limit lengths, astral characters, NUL, case, full width) come back distinct and exact',
      namesKeptApart,
      {
        wholeList: true,
        also: [
          'NAME-CASE-SENSITIVE',
          'UPSERT-NO-DUPLICATE',
          'POST-VALID-200',
          'REV-NAME-CHARSET',
          'REV-NAME-LENGTH',
          ...ROBUST,
        ],
        standsOn: READS_ITS_WRITES,
      },
    ),
  );

  // Concurrent writes of one name: exactly one entry, ever, holding one of the posted configs.
  test(
    ...rule(
      'UPSERT-NO-DUPLICATE',
      `${RACING} concurrent POSTs of one new name, then of that existing name, leave exactly one entry holding one of the posted configs`,
      concurrentPostsOfOneName,
      { also: ['POST-VALID-200', 'GET-CONFIG-ROUNDTRIP', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'UPSERT-NO-DUPLICATE',
      'POSTs of one name racing a DELETE of the list leave that name at most once, holding one of the posted configs',
      postsRacingDelete,
      { wholeList: true, also: ['GET-CONFIG-ROUNDTRIP', ...ROBUST] },
    ),
  );
});

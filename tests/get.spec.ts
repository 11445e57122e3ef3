// GET: the list's shape (validated against the OpenAPI document), the empty list, the round trip of
// each config (in every JSON text, in the shapes left open, at the lengths a store cuts, and for
// generated providers of every shape the schema allows), and reads right after writes.
// Vendor page: "Retrieving the Providers List"; docs/rules.md: "GET".
import { ROBUST } from '../fixtures/sending.ts';
import { emptied } from '../checks/empty-list.ts';
import { ENCODINGS } from '../relations/json-text.ts';
import {
  LENGTH_FAMILIES,
  lengthsKept,
  OPEN_SHAPES,
  openShapesKeptOrRefused,
  sameInEveryEncoding,
} from '../checks/kept-values.ts';
import { generatedProvidersComeBack } from '../checks/schema-search.ts';
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { listedSecrets, masksEverySecret } from '../verdicts/provider-list.ts';
import { unwritable } from '../state/unwritable.ts';
import { fail } from '../verdicts/failure.ts';
import { firstDifference, reusedNameRule, sameValue } from '../verdicts/difference.ts';
import { jsonContentType, statusIs } from '../verdicts/assertions.ts';
import { providerList, theEntry } from '../verdicts/provider-list.ts';

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  test(
    ...rule(
      'GET-200-SHAPE',
      'GET answers 200 with the list nested at settings.application.media.providers',
      async ({ api, contract, should }) => {
        const answer = await api.list();
        providerList(contract, answer);
        should('CONTENT-TYPE-JSON', () => jsonContentType('CONTENT-TYPE-JSON', answer));
      },
      { also: ['CONTENT-TYPE-JSON'], stateless: true },
    ),
  );

  test(
    ...rule(
      'GET-EMPTY-200',
      'GET of the list answers 200, never 404, whatever it holds',
      async ({ api }) => {
        statusIs('GET-EMPTY-200', await api.list());
      },
      // Decided even where the run may write nothing: a list answered 404 is why it may not.
      { stateless: true, readsOnly: true },
    ),
  );

  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      'where the run may write nothing, GET lists the secrets it keeps in clear, never every one masked',
      async ({ api, contract, settings }, testInfo) => {
        // Where the run writes, its other checks judge the secrets it posted, each against what was posted.
        const writesNothing = unwritable(settings);
        testInfo.skip(!writesNothing, 'judged by GET alone only where the run may write nothing');
        const answer = await api.list();
        // No list at all (GET-EMPTY-200's failure, which made the run write nothing): no secret to judge.
        testInfo.skip(answer.received.status === 404, `undecided: ${writesNothing}`);
        const list = providerList(contract, answer, () => undefined);
        if (masksEverySecret(list.providers))
          fail(
            'GET-CONFIG-ROUNDTRIP',
            `every secret of the ${list.providers.length} entries listed is masked (${listedSecrets(list.providers).slice(0, 3).map(String).join(', ')})`,
          );
      },
      // Decided even where the run may write nothing: a list whose secrets are masked cannot be put back.
      { stateless: true, readsOnly: true },
    ),
  );

  test(
    ...rule(
      'CONTENT-TYPE-JSON',
      'GET sends its JSON with Content-Type: application/json',
      async ({ api }) => {
        const answer = await api.list();
        statusIs('GET-200-SHAPE', answer);
        jsonContentType('CONTENT-TYPE-JSON', answer);
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'GET-200-SHAPE',
      'a list holding Basic and Bearer providers is valid against the OpenAPI schema',
      async ({ api, make, read }) => {
        for (const kind of ['basic', 'bearer'] as const)
          statusIs('POST-VALID-200', await api.post(make.provider(kind)));
        await read();
      },
    ),
  );

  // Secrets with characters that a careless server escapes, trims or re-encodes.
  const AWKWARD = [
    'AbCdEf123456&44jf',
    ' leading and trailing space ',
    'quote" backslash\\ slash/',
    'ünïcödé ✓ 中',
    '=?%20+&;',
  ];

  for (const kind of ['basic', 'bearer'] as const) {
    test(
      ...rule(
        'GET-CONFIG-ROUNDTRIP',
        `a ${kind} config comes back exactly as posted, secrets in clear`,
        async ({ api, make, read, secrets }) => {
          const provider = make.provider(kind);
          if (provider.config.basic) provider.config.basic.password = `${AWKWARD.join('|')}${make.secret()}`;
          else provider.config.bearer = `${AWKWARD.join('|')}${make.secret()}`;
          statusIs('POST-VALID-200', await api.post(provider));
          const entry = theEntry('GET-READ-AFTER-WRITE', await read(), provider.name);
          // Extra fields on the entry are allowed (docs/rules.md: open); name, type and config are exact.
          sameValue(
            'GET-CONFIG-ROUNDTRIP',
            { name: entry.name, type: entry.type, config: entry.config },
            provider,
            `the entry '${provider.name}'`,
            secrets,
          );
        },
      ),
    );
  }

  test(
    ...rule(
      'GET-READ-AFTER-WRITE',
      'each of five successive writes to one name is visible to the very next read',
      async (f, testInfo) => {
        const { api, make, read, secrets } = f;
        const name = make.name();
        const written: object[] = [];
        for (let i = 0; i < 5; i++) {
          const provider = make.provider(i % 2 ? 'basic' : 'bearer', name);
          statusIs('POST-VALID-200', await api.post(provider));
          const entry = theEntry('GET-READ-AFTER-WRITE', await read(), name);
          const what = `write ${i + 1} of 5 to '${name}', read straight after,`;
          const ruleId = reusedNameRule(entry.config, provider.config, written);
          written.push(provider.config);
          if (!firstDifference(entry.config, provider.config, '$')) continue;
          // An earlier config still listed is a read that lags, or a repost not taken: a fresh name read
          // back at once tells them apart (READS_ITS_WRITES fails on a lagging read).
          if (ruleId === 'UPSERT-REPLACES') await READS_ITS_WRITES.check(f, testInfo);
          sameValue(ruleId, entry.config, provider.config, what, secrets);
        }
      },
    ),
  );

  // The empty list: each check empties the whole list, so it runs alone on its target (fixtures/turns.ts).
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
      'GET-CONFIG-ROUNDTRIP',
      `the same provider written as ${ENCODINGS.length} JSON texts (${ENCODINGS.map((e) => e.what).join('; ')}) is one entry with the exact values each time`,
      sameInEveryEncoding,
      { also: ['POST-VALID-200', 'NAME-EXACT', 'UPSERT-NO-DUPLICATE', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      `providers of every shape the rules leave open (${OPEN_SHAPES}) are refused with 400 or kept exactly`,
      openShapesKeptOrRefused,
      { also: ['POST-VALID-200', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      `values at the lengths columns and read buffers cut at (${LENGTH_FAMILIES} of them, 255 characters to 80 KB, in 1- to 4-byte characters at every alignment) come back exactly`,
      lengthsKept,
      { wholeList: true, also: ['POST-VALID-200', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      'generated providers of every shape the schema allows come back exactly as posted, and at once',
      generatedProvidersComeBack,
      {
        covers: ['POST-VALID-200', 'GET-READ-AFTER-WRITE', 'ROBUST-NO-5XX', 'ROBUST-NO-DROP', 'ROBUST-NO-HANG'],
        generated: true,
      },
    ),
  );
});

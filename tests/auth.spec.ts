// 401 on POST and GET for every kind of bad credential, with a JSON body and nothing written.
// (DELETE's share runs in whole-list.spec.ts: a DELETE that wrongly succeeds empties the whole list.)
// Vendor page: "401 Unauthorized" under each operation; docs/rules.md: "Authentication".
import { rule, test } from '../fixtures/conformance.ts';
import { BAD_CREDENTIALS } from '../fixtures/bad-credentials.ts';
import { entriesNamed, fail, jsonObjectBody, matchesSchema, statusIs } from '../suite/verdicts.ts';

const ALSO = ['AUTH-401-JSON', 'AUTH-401-FIELDS'];

for (const bad of BAD_CREDENTIALS) {
  test(...rule(bad.rule, `POST with ${bad.what} gets 401 and writes nothing`, async (f) => {
    const { client, options } = bad.arrange(f);
    const provider = f.make.provider('bearer');
    const answer = await client.post(provider, options);
    statusIs(bad.rule, answer, 401);
    const body = jsonObjectBody('AUTH-401-JSON', answer);
    if (entriesNamed(await f.read(), provider.name).length) fail('AUTH-NO-CHANGE', `the POST answered 401, yet GET lists '${provider.name}'`);
    f.should('AUTH-401-FIELDS', () => matchesSchema('AUTH-401-FIELDS', f.contract, 'Error', body, 'the 401 body'));
  }, { also: [...ALSO, 'AUTH-NO-CHANGE'], stateless: bad.stateless }));

  test(...rule(bad.rule, `GET with ${bad.what} gets 401`, async (f) => {
    const { client, options } = bad.arrange(f);
    const answer = await client.list(options);
    statusIs(bad.rule, answer, 401);
    const body = jsonObjectBody('AUTH-401-JSON', answer);
    f.should('AUTH-401-FIELDS', () => matchesSchema('AUTH-401-FIELDS', f.contract, 'Error', body, 'the 401 body'));
  }, { also: ALSO, stateless: bad.stateless }));
}

for (const scheme of ['bearer', 'BEARER']) {
  test(...rule('AUTH-SCHEME-CASE', `the scheme written '${scheme}' is accepted like 'Bearer'`, async ({ api }) => {
    statusIs('AUTH-SCHEME-CASE', await api.list({ authorization: `${scheme} ${api.bot.token}` }), 200);
  }));
}

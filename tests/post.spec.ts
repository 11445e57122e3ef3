// POST: what a valid provider gets, and a 400 for every kind of invalid input, with nothing written:
// hand-written cases, every body that breaks the contract (checks/broken-bodies.ts), and generated
// bodies that break one constraint of the schema (checks/schema-search.ts).
// Vendor page: "Updating the Providers List"; docs/rules.md: "POST".
import { carrying, ROBUST } from '../fixtures/sending.ts';
import { nothingWritten, refusal, REFUSALS, refusesEveryBody } from '../checks/broken-bodies.ts';
import { generatedBodiesRefused, REFUSING } from '../checks/schema-search.ts';
import { test, type CheckFixtures } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { emptyBody, jsonContentType, jsonObjectBody, matchesSchema, statusIs } from '../verdicts/assertions.ts';
import { providerList, theEntry } from '../verdicts/provider-list.ts';
import type { Exchange } from '../client/http.ts';
import { fail, Findings, together } from '../verdicts/failure.ts';

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  for (const kind of ['basic', 'bearer'] as const) {
    test(
      ...rule(
        'POST-VALID-200',
        `a provider with ${kind} credentials gets 200`,
        async ({ api, make, should }) => {
          const answer = await api.post(make.provider(kind));
          statusIs('POST-VALID-200', answer);
          should('POST-EMPTY-BODY', () => emptyBody('POST-EMPTY-BODY', answer));
        },
        { also: ['POST-EMPTY-BODY'], stateless: true },
      ),
    );
  }

  test(
    ...rule(
      'POST-EMPTY-BODY',
      'the 200 answer to a valid provider has an empty body',
      async ({ api, make }) => {
        const answer = await api.post(make.provider('bearer'));
        statusIs('POST-VALID-200', answer);
        emptyBody('POST-EMPTY-BODY', answer);
      },
      { stateless: true },
    ),
  );

  /** A provider of an unknown type: every server must refuse it with 400, Prism included. */
  const refusable = (name: string, marker: string) => ({ name, type: 'WWW', config: { bearer: marker } });

  test(
    ...rule(
      'ERROR-400-JSON',
      'the body of a 400 is a JSON object',
      async ({ api, make }) => {
        const answer = await api.post(refusable(make.name(), make.marker()));
        statusIs('POST-400-UNKNOWN-TYPE', answer);
        jsonObjectBody('ERROR-400-JSON', answer);
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'ERROR-400-FIELDS',
      'the body of a 400 carries the strings message and reason',
      async ({ api, make, contract }) => {
        const answer = await api.post(refusable(make.name(), make.marker()));
        statusIs('POST-400-UNKNOWN-TYPE', answer);
        matchesSchema('ERROR-400-FIELDS', contract, 'Error', jsonObjectBody('ERROR-400-JSON', answer), 'the 400 body');
      },
      { stateless: true },
    ),
  );

  test(
    ...rule(
      'POST-400-NO-CHANGE',
      'a provider refused with 400 is not listed, nor anything it carried, and what was taken before stays',
      async ({ api, make, contract }) => {
        // Taken first, and listed after the refusal: where nothing is kept, "nothing changed" shows nothing.
        const witness = make.provider('bearer');
        statusIs('POST-VALID-200', await api.post(witness));
        const [name, marker] = [make.name(), make.marker()];
        statusIs('POST-400-UNKNOWN-TYPE', await api.post(refusable(name, marker)));
        // Looked for in the raw body: what a refused request wrote may not even fit the schema.
        const listed = await api.list();
        if (listed.received.text.includes(marker) || listed.received.text.includes(`"${name}"`)) {
          fail('POST-400-NO-CHANGE', `a provider of type 'WWW' answered 400, yet GET now shows what it carried`);
        }
        theEntry('GET-READ-AFTER-WRITE', providerList(contract, listed), witness.name);
      },
    ),
  );

  interface Invalid {
    rule: RuleId;
    what: string;
    /** The raw body; `name` is a fresh provider name and `marker` a unique value: neither may ever be listed. */
    body: (name: string, marker: string) => string;
  }

  const json = JSON.stringify;
  const INVALID: Invalid[] = [
    {
      rule: 'POST-400-MALFORMED-JSON',
      what: 'a body cut off mid-object',
      body: (n, m) => json({ name: n, type: 'www', config: { bearer: m } }).slice(0, -2),
    },
    {
      rule: 'POST-400-MALFORMED-JSON',
      what: 'single-quoted JSON',
      body: (n, m) => `{'name':'${n}','type':'www','config':{'bearer':'${m}'}}`,
    },
    {
      rule: 'POST-400-MALFORMED-JSON',
      what: 'a trailing comma',
      body: (n, m) => `{"name":"${n}","type":"www","config":{"bearer":"${m}"},}`,
    },
    { rule: 'POST-400-MALFORMED-JSON', what: 'an empty body', body: () => '' },
    {
      rule: 'POST-400-NOT-OBJECT',
      what: 'a JSON array of a valid provider',
      body: (n, m) => json([{ name: n, type: 'www', config: { bearer: m } }]),
    },
    { rule: 'POST-400-NOT-OBJECT', what: 'a JSON string', body: (_, m) => json(m) },
    { rule: 'POST-400-NOT-OBJECT', what: 'a JSON number', body: () => '42' },
    { rule: 'POST-400-NOT-OBJECT', what: 'JSON null', body: () => 'null' },
    { rule: 'POST-400-MISSING-FIELD', what: 'no name', body: (_, m) => json({ type: 'www', config: { bearer: m } }) },
    { rule: 'POST-400-MISSING-FIELD', what: 'no type', body: (n, m) => json({ name: n, config: { bearer: m } }) },
    { rule: 'POST-400-MISSING-FIELD', what: 'no config', body: (n) => json({ name: n, type: 'www' }) },
    {
      rule: 'POST-400-WRONG-TYPE',
      what: 'a number as name',
      body: (_, m) => json({ name: 7, type: 'www', config: { bearer: m } }),
    },
    {
      rule: 'POST-400-WRONG-TYPE',
      what: 'an object as name',
      body: (n, m) => json({ name: { value: n }, type: 'www', config: { bearer: m } }),
    },
    {
      rule: 'POST-400-WRONG-TYPE',
      what: 'an array as type',
      body: (n, m) => json({ name: n, type: ['www'], config: { bearer: m } }),
    },
    {
      rule: 'POST-400-WRONG-TYPE',
      what: 'a string as config',
      body: (n, m) => json({ name: n, type: 'www', config: m }),
    },
    {
      rule: 'POST-400-WRONG-TYPE',
      what: 'an array as config',
      body: (n, m) => json({ name: n, type: 'www', config: [{ bearer: m }] }),
    },
    {
      rule: 'POST-400-UNKNOWN-TYPE',
      what: "type 'WWW' (case differs)",
      body: (n, m) => json({ name: n, type: 'WWW', config: { bearer: m } }),
    },
    {
      rule: 'POST-400-UNKNOWN-TYPE',
      what: "type 'ftp'",
      body: (n, m) => json({ name: n, type: 'ftp', config: { bearer: m } }),
    },
    {
      rule: 'POST-400-UNKNOWN-TYPE',
      what: 'an empty type',
      body: (n, m) => json({ name: n, type: '', config: { bearer: m } }),
    },
    { rule: 'POST-400-EMPTY-CONFIG', what: 'an empty config', body: (n) => json({ name: n, type: 'www', config: {} }) },
    {
      rule: 'POST-400-EMPTY-CONFIG',
      what: 'a config of an unknown scheme',
      body: (n, m) => json({ name: n, type: 'www', config: { digest: m } }),
    },
    {
      rule: 'POST-400-INCOMPLETE-BASIC',
      what: 'basic without password',
      body: (n, m) => json({ name: n, type: 'www', config: { basic: { username: m } } }),
    },
    {
      rule: 'POST-400-INCOMPLETE-BASIC',
      what: 'basic without username',
      body: (n, m) => json({ name: n, type: 'www', config: { basic: { password: m } } }),
    },
    {
      rule: 'POST-400-INCOMPLETE-BASIC',
      what: 'an empty basic',
      body: (n) => json({ name: n, type: 'www', config: { basic: {} } }),
    },
    {
      rule: 'POST-400-NON-STRING-CREDENTIAL',
      what: 'a number as username',
      body: (n, m) => json({ name: n, type: 'www', config: { basic: { username: 12, password: m } } }),
    },
    {
      rule: 'POST-400-NON-STRING-CREDENTIAL',
      what: 'a number as password',
      body: (_n, m) => json({ name: _n, type: 'www', config: { basic: { username: m, password: 1234 } } }),
    },
    {
      rule: 'POST-400-NON-STRING-CREDENTIAL',
      what: 'null as password',
      body: (n, m) => json({ name: n, type: 'www', config: { basic: { username: m, password: null } } }),
    },
    {
      rule: 'POST-400-NON-STRING-CREDENTIAL',
      what: 'a number as bearer',
      body: (n) => json({ name: n, type: 'www', config: { bearer: 42 } }),
    },
    {
      rule: 'POST-400-NON-STRING-CREDENTIAL',
      what: 'an object as bearer',
      body: (n, m) => json({ name: n, type: 'www', config: { bearer: { token: m } } }),
    },
  ];

  /**
   * The bodies of one rule at once, then one GET: each answer judged as its own body's (400 with a JSON
   * body), and the list shows nothing any of them carried (each carries a name and a marker of its own).
   */
  const refused =
    (cases: Invalid[]) =>
    async ({ api, make, contract, should }: CheckFixtures) => {
      const findings = new Findings();
      const posted = cases.map((c) => ({ c, name: make.name(), marker: make.marker(), what: `POST with ${c.what}` }));
      const answers = await together(
        posted.map(({ c, name, marker, what }) => carrying(what, () => api.postText(c.body(name, marker)))),
      );
      const errors: { answer: Exchange; body: Record<string, unknown> }[] = [];
      for (const [i, { c, what }] of posted.entries()) {
        const body = await refusal(findings, c.rule, what, answers[i], c.what);
        if (body) errors.push({ answer: answers[i], body });
      }
      findings.throwIfAny();
      const listed = await nothingWritten(findings, api, posted);
      findings.throwIfAny();
      providerList(contract, listed);
      for (const { answer, body } of errors) {
        should('ERROR-400-FIELDS', () => matchesSchema('ERROR-400-FIELDS', contract, 'Error', body, 'the 400 body'));
        should('CONTENT-TYPE-JSON', () => jsonContentType('CONTENT-TYPE-JSON', answer));
      }
    };
  const byRule = new Map<RuleId, Invalid[]>();
  for (const c of INVALID) byRule.set(c.rule, [...(byRule.get(c.rule) ?? []), c]);
  // A server that refuses one body wrongly often refuses them all so (a 422 for every one): once a
  // check fails, the check of every other refusal rule runs in it (fixtures/rule.ts, family).
  const family = [...byRule].map(([rule, cases]) => ({ rule, check: refused(cases) }));

  for (const [ruleId, cases] of byRule) {
    test(
      ...rule(
        ruleId,
        `POST with each of ${cases.map((c) => c.what).join('; ')} gets 400, a JSON error body, and writes nothing`,
        refused(cases),
        {
          also: ['ERROR-400-JSON', 'POST-400-NO-CHANGE', 'ERROR-400-FIELDS', 'CONTENT-TYPE-JSON'],
          stateless: true,
          family,
        },
      ),
    );
  }

  // Every body that breaks the contract, each kind of wrong value once, for every rule at once: each
  // answer judged on its own body's rule, so that a decoder that takes several kinds of broken body
  // fails each of their rules here, and a distant target is waited for once, not once a rule.
  const bodies = [...REFUSALS.values()].reduce((n, kinds) => n + kinds.length, 0);
  test(
    ...rule(
      'POST-400-NO-CHANGE',
      `every one of ${bodies} bodies that break a rule (${[...REFUSALS.keys()].join(', ')}) gets that rule's 400 with a JSON body, and none writes anything`,
      refusesEveryBody,
      { wholeList: true, covers: [...REFUSALS.keys()], eachCovered: true, also: ['ERROR-400-JSON', ...ROBUST] },
    ),
  );

  // A server that takes an invalid body may be unable to serve its list after it: the check runs with the
  // whole-list checks, alone, and empties the list when a body was taken, so that no other check is blamed.
  test(
    ...rule(
      'POST-400-NO-CHANGE',
      'generated bodies that break one constraint of the schema get 400 with a JSON body, and change nothing',
      generatedBodiesRefused,
      {
        covers: [...REFUSING, 'ERROR-400-JSON', 'ROBUST-NO-5XX', 'ROBUST-NO-DROP', 'ROBUST-NO-HANG'],
        generated: true,
        wholeList: true,
      },
    ),
  );
});

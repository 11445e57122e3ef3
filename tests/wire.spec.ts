// What the wire and the store may vary, covered whole on every run (generation/wire.ts enumerates
// it): every constraint broken with every kind of wrong value, the syntax lenient parsers take, the
// same body in other encodings, names a store would merge, bad credentials with every other cause
// of refusal, credentials on a reused connection, and concurrent writes of one name. Which real
// stack each axis stands for: docs/fault-model.md. docs/rules.md: "What the wire and the store may vary".
import { forEachTarget, test, type CheckFixtures } from '../fixtures/conformance.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { rule } from '../fixtures/rule.ts';
import { readAfter, ROBUST, sent } from '../fixtures/sending.ts';
import { BAD_CREDENTIALS, type BadCredentials } from '../fixtures/bad-credentials.ts';
import { targetHas } from '../settings/targets.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import type { Provider } from '../contract/provider.ts';
import { ENCODINGS } from '../relations/json-text.ts';
import {
  brokenBodies,
  lengthFamilies,
  markedProvider,
  nameFamilies,
  openShapes,
  openSyntax,
  syntaxNearMisses,
  type BrokenBody,
} from '../generation/wire.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { judge, stored } from '../model/rules.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { annotate } from '../report/report-model.ts';
import type { ProviderApi, RequestOptions } from '../client/api.ts';
import { is2xx, type Exchange } from '../client/http.ts';
import { answeredAs, judgesBodyOf, named } from '../rules/answers.ts';
import { ConformanceFailure, fail, Findings, together } from '../verdicts/failure.ts';
import { entriesNamed, theEntry, type ProviderList } from '../verdicts/provider-list.ts';
import {
  firstDifference,
  firstDifferenceAt,
  shown,
  sameValue,
  reusedNameRule,
  type SecretJudge,
} from '../verdicts/difference.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';

// ── Every body that breaks the contract, each kind of wrong value once. A server that takes one may
// then be unable to serve its list (a NaN it stored): these run with the whole-list checks, alone,
// and empty the list when anything was taken, so that no other check is blamed for it.
// Each profile's computed once a process: every target's copy of a check, and each of its runs, reads them.
const brokenOf = new Map<string, BrokenBody[]>();
const BROKEN = (profile: CheckFixtures['settings']['profile']) => {
  if (!brokenOf.has(profile)) brokenOf.set(profile, [...brokenBodies(profile), ...syntaxNearMisses()]);
  return brokenOf.get(profile)!;
};
const REFUSALS = new Map<RuleId, BrokenBody[]>();
for (const b of BROKEN('default')) REFUSALS.set(b.rule, [...(REFUSALS.get(b.rule) ?? []), b]);
// What the titles say, worked out once and not for each target.
const OPEN_SYNTAX = openSyntax()
  .map((o) => o.what)
  .join('; ');
const OPEN_SHAPES = openShapes('m')
  .map((o) => o.what)
  .join('; ');
const LENGTH_FAMILIES = lengthFamilies('m').length;

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(() => {
  for (const [ruleId, kinds] of REFUSALS) {
    test(
      ...rule(
        ruleId,
        `every one of ${kinds.length} bodies that break it (${kinds
          .slice(0, 3)
          .map((k) => k.what)
          .join('; ')}…) gets 400 with a JSON body and writes nothing`,
        async ({ api, make, settings, secrets }, testInfo) => {
          const findings = new Findings();
          const bodies = BROKEN(settings.profile).filter((b) => b.rule === ruleId);
          const carried: string[] = [];
          let taken: BrokenBody | undefined;
          try {
            for (const body of bodies) {
              const [name, marker] = [make.name(), make.marker()];
              carried.push(name, marker);
              const what = `POST with ${body.what}`;
              const x = await sent(findings, what, () => api.postText(body.text(name, marker)));
              const status = x.received.status;
              if (status >= 200 && status < 300) taken ??= body;
              if (!answeredAs(body.rule, status))
                findings.add(
                  new ConformanceFailure(body.rule, `${what} answered ${status}, not ${named(body.rule)}`),
                  `${body.what} → ${status}`,
                );
              else await findings.check(() => jsonObjectBody('ERROR-400-JSON', x), body.what);
            }
            if (!taken) {
              // Looked for in the raw body: what a refused request wrote may not even fit the schema.
              const listed = await sent(findings, 'GET after the refused POSTs', () => api.list());
              const written = carried.find((c) => listed.received.text.includes(c));
              if (written)
                findings.add(
                  new ConformanceFailure(
                    'POST-400-NO-CHANGE',
                    `every POST answered 400, yet GET now shows ${shown(written)}, which only one of them carried`,
                  ),
                );
            }
          } finally {
            // A body the server took may have made its list unservable.
            if (taken) await clearUp({ api, secrets }, testInfo);
          }
          findings.throwIfAny();
        },
        { wholeList: true, also: ['ERROR-400-JSON', 'POST-400-NO-CHANGE', ...ROBUST] },
      ),
    );
  }

  test(
    ...rule(
      'ROBUST-NO-5XX',
      `bodies whose reading the rules leave open (${OPEN_SYNTAX}) get 2xx or 4xx, and GET still works`,
      async ({ api, make, secrets }, testInfo) => {
        const findings = new Findings();
        try {
          for (const open of openSyntax()) {
            const x = await sent(findings, `POST with ${open.what}`, () =>
              api.postText(open.text(make.name(), make.marker())),
            );
            testInfo.annotations.push(annotate.observed(`POST with ${open.what} answered ${x.received.status}`));
            await sent(findings, `GET after the POST with ${open.what}`, () => api.list());
          }
        } finally {
          await clearUp({ api, secrets }, testInfo);
        }
        findings.throwIfAny();
      },
      { wholeList: true, covers: ['ROBUST-NO-DROP', 'ROBUST-NO-HANG'] },
    ),
  );

  // ── One provider, many JSON texts: clients differ in how they write the same value. Characters each
  // encoding writes differently: non-ASCII, quotes, '/', U+2028 (which every server must take), then
  // astral characters and controls (which a server may refuse, docs/rules.md): those get the same answer
  // in every encoding as in the compact one, and, taken, come back exactly.
  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      `the same provider written as ${ENCODINGS.length} JSON texts (${ENCODINGS.map((e) => e.what).join('; ')}) is one entry with the exact values each time`,
      async ({ api, make, read, secrets }) => {
        const findings = new Findings();
        const name = make.name();
        /** The configs posted under the name and taken (200), in order. */
        const taken: object[] = [];
        for (const round of [
          { odd: (i: number) => `é中 "q" \\ / \u2028 ${i}`, open: false },
          { odd: (i: number) => `𝄞 \n\t ${i}`, open: true },
        ]) {
          let compact: number | undefined;
          for (const [i, encoding] of ENCODINGS.entries()) {
            const odd = round.odd(i);
            const provider: Provider = {
              name,
              type: 'www',
              config:
                i % 2
                  ? { bearer: `${make.secret()}${odd}` }
                  : { basic: { username: `user ${odd}`, password: `${make.secret()}${odd}` } },
            };
            const what = `POST written ${encoding.what}${round.open ? ', with astral characters and controls' : ''}`;
            const x = await sent(findings, what, () => api.postText(encoding.write(provider)));
            const status = x.received.status;
            compact ??= status;
            if (round.open && status !== compact) {
              findings.add(
                new ConformanceFailure(
                  'GET-CONFIG-ROUNDTRIP',
                  `${what} answered ${status}; written compactly, the same kind of provider got ${compact}`,
                ),
                encoding.what,
              );
              continue;
            }
            if (!answeredAs('POST-VALID-200', status)) {
              if (!round.open)
                findings.add(
                  new ConformanceFailure(
                    'POST-VALID-200',
                    `${what} answered ${status}, not ${named('POST-VALID-200')}`,
                  ),
                  encoding.what,
                );
              continue;
            }
            const found = entriesNamed(await readAfter(read, `the ${what}`, findings), name);
            if (found.length === 0)
              findings.add(
                new ConformanceFailure('NAME-EXACT', `after the ${what}, GET does not list ${shown(name)}`),
                encoding.what,
              );
            else if (found.length > 1)
              findings.add(
                new ConformanceFailure(
                  'UPSERT-NO-DUPLICATE',
                  `after the ${what}, GET lists ${shown(name)} ${found.length} times`,
                ),
                encoding.what,
              );
            else {
              const difference = firstDifference(found[0].config, provider.config, '$.config', secrets);
              // Each text reuses the name: an earlier config kept, or merged with the new, is an upsert rule's.
              if (difference)
                findings.add(
                  new ConformanceFailure(
                    reusedNameRule(found[0].config, provider.config, taken),
                    `after the ${what}, ${difference}`,
                  ),
                  encoding.what,
                );
            }
            taken.push(provider.config);
          }
        }
        findings.throwIfAny();
      },
      { also: ['POST-VALID-200', 'NAME-EXACT', 'UPSERT-NO-DUPLICATE', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  // ── The shapes the rules leave open: refused, or kept exactly.
  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      `providers of every shape the rules leave open (${OPEN_SHAPES}) are refused with 400 or kept exactly`,
      async ({ make, read, api, settings, secrets }) => {
        const findings = new Findings();
        for (const { what, provider } of openShapes(make.secret())) {
          const name = make.name();
          const body = provider(name) as unknown as Provider;
          const text = JSON.stringify(body);
          const x = await sent(findings, `POST of a provider with ${what}`, () => api.postText(text));
          let taken = false;
          await findings.check(() => {
            taken = judgeAnswer(
              { text, body, verdict: judge(settings.profile, body), name },
              x,
              `POST of a provider with ${what}`,
            );
          }, what);
          if (!taken) continue;
          const found = entriesNamed(await readAfter(read, `the POST of a provider with ${what}`, findings), name);
          const difference =
            found.length === 1
              ? firstDifference(found[0].config, stored(body).config, '$.config', secrets)
              : `it is listed ${found.length} times`;
          if (difference)
            findings.add(
              new ConformanceFailure(
                'GET-CONFIG-ROUNDTRIP',
                `a provider with ${what} was taken (200), but ${difference}`,
              ),
              what,
            );
        }
        findings.throwIfAny();
      },
      { also: ['POST-VALID-200', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  // ── Values of the lengths where a column or a read buffer cuts. Together they make a list of about a
  // megabyte, so the check runs with the whole-list checks and clears the list after itself.
  test(
    ...rule(
      'GET-CONFIG-ROUNDTRIP',
      `values at the lengths columns and read buffers cut at (${LENGTH_FAMILIES} of them, 255 characters to 80 KB, in 1- to 4-byte characters at every alignment) come back exactly`,
      async ({ api, make, read, settings, secrets }, testInfo) => {
        const findings = new Findings();
        const posted: { name: string; value: string; what: string }[] = [];
        try {
          for (const { what, value } of lengthFamilies(make.secret())) {
            const provider: Provider = { name: make.name(), type: 'www', config: { bearer: value } };
            const text = JSON.stringify(provider);
            const x = await sent(findings, `POST of a bearer of ${what}`, () => api.postText(text));
            let taken = false;
            await findings.check(() => {
              taken = judgeAnswer(
                { text, body: provider, verdict: judge(settings.profile, provider), name: provider.name },
                x,
                `POST of a bearer of ${what}`,
              );
            }, what);
            if (taken) posted.push({ name: provider.name, value, what });
          }
          const list = await readAfter(read, `the POSTs of long values`, findings);
          for (const { name, value, what } of posted) {
            const listed = entriesNamed(list, name)[0]?.config as { bearer?: unknown } | undefined;
            if (listed?.bearer === value) continue;
            const got = typeof listed?.bearer === 'string' ? listed.bearer : '';
            findings.add(
              new ConformanceFailure(
                'GET-CONFIG-ROUNDTRIP',
                listed
                  ? `a bearer of ${what} came back changed: ${[...got].length} characters, the first difference at character ${firstDifferenceAt(got, value)}`
                  : `${shown(name)} (a bearer of ${what}) is not listed after its POST answered 200`,
              ),
              what,
            );
          }
        } finally {
          await clearUp({ api, secrets }, testInfo);
        }
        findings.throwIfAny();
      },
      { wholeList: true, also: ['POST-VALID-200', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  // ── Names a collation, a normaliser or a column type would merge or change. Every member is posted
  // with a config of its own; each one taken must come back once, under its exact name, with its own
  // config. The families hold fixed names ('007'), so the check needs the whole list and clears it after.
  test(
    ...rule(
      'NAME-EXACT',
      'names of every family a store merges or changes (accents, composed and decomposed forms, spaces at the ends, zero-width characters, number-like names, column-limit lengths, astral characters, NUL, case, full width) come back distinct and exact',
      async ({ api, make, read, settings, secrets }, testInfo) => {
        const findings = new Findings();
        // A name two families share is posted once: posted again it would be a reused name, the upsert rules' subject.
        const postedBefore = new Set<string>();
        try {
          for (const family of nameFamilies(make.name())) {
            const posted: { name: string; marker: string }[] = [];
            for (const name of family.names) {
              if (postedBefore.has(name)) continue;
              postedBefore.add(name);
              const marker = make.secret();
              const provider = markedProvider(name, marker);
              const text = JSON.stringify(provider);
              const what = `POST of the name ${shown(name)} (${family.what})`;
              const x = await sent(findings, what, () => api.postText(text));
              let taken = false;
              await findings.check(() => {
                taken = judgeAnswer(
                  { text, body: provider, verdict: judge(settings.profile, provider), name },
                  x,
                  what,
                );
              }, what);
              if (taken) posted.push({ name, marker });
            }
            const list = await readAfter(
              read,
              `the POSTs of the names ${family.names.map(shown).join(', ')} (${family.what})`,
              findings,
            );
            for (const { name, marker } of posted)
              await findings.check(() => keptApart(list, name, marker, posted, family.rule, family.what), family.what);
          }
        } finally {
          await clearUp({ api, secrets }, testInfo);
        }
        findings.throwIfAny();
      },
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

  /** The name is listed once, exactly, with its own config; where it went instead is named. */
  function keptApart(
    list: ProviderList,
    name: string,
    marker: string,
    family: { name: string; marker: string }[],
    ruleId: RuleId,
    what: string,
  ): void {
    const carrying = list.providers.filter((p) => JSON.stringify(p.config ?? {}).includes(marker));
    const found = entriesNamed(list, name);
    if (found.length > 1) fail('UPSERT-NO-DUPLICATE', `GET lists ${shown(name)} ${found.length} times`);
    if (found.length === 0) {
      const as = carrying.find((p) => p.name !== name);
      fail(
        ruleId,
        as
          ? `the name ${shown(name)} was changed: GET lists its provider as ${shown(String(as.name))} (${what})`
          : `the name ${shown(name)} was taken (200) but GET does not list it: it was merged with another name of its family (${what})`,
      );
    }
    if ((found[0].config as { bearer?: unknown }).bearer !== marker) {
      const other = family.find(
        (m) => m.name !== name && (found[0].config as { bearer?: unknown }).bearer === m.marker,
      );
      fail(
        ruleId,
        other
          ? `${shown(name)} and ${shown(other.name)} were merged into one provider: ${shown(name)} lists the config posted under ${shown(other.name)} (${what})`
          : `${shown(name)} does not list the config posted under it (${what})`,
      );
    }
  }

  // ── Bad credentials with every other reason to refuse: the credentials decide, on every operation,
  // whether the list is empty or not (a framework that parses the body before the auth middleware
  // answers 400 here; one that reads the list first answers 200 to an empty one).
  interface Cause {
    what: string;
    plain?: true;
    send: (client: ProviderApi, options: RequestOptions, make: CheckFixtures['make']) => Promise<Exchange>;
  }
  const json = JSON.stringify;
  const CAUSES: Cause[] = [
    { what: 'POST of a valid provider', plain: true, send: (c, o, m) => c.post(m.provider('bearer'), o) },
    { what: 'POST of malformed JSON', send: (c, o, m) => c.postText(`{"name":"${m.name()}","type":`, o) },
    {
      what: 'POST of a provider without a name',
      send: (c, o, m) => c.postText(json({ type: 'www', config: { bearer: m.marker() } }), o),
    },
    { what: 'POST of a JSON array', send: (c, o) => c.postText('[]', o) },
    { what: 'POST of an empty body', send: (c, o) => c.postText('', o) },
    {
      what: 'POST of a valid provider as text/plain',
      send: (c, o, m) => c.post(m.provider('bearer'), { ...o, contentType: 'text/plain' }),
    },
    {
      what: 'POST of a valid provider without Content-Type',
      send: (c, o, m) => c.post(m.provider('bearer'), { ...o, contentType: null }),
    },
    { what: 'GET', plain: true, send: (c, o) => c.list(o) },
    { what: 'GET with a malformed JSON body', send: (c, o) => c.withBody('GET', '{"name":', o) },
    { what: 'DELETE', plain: true, send: (c, o) => c.clear(o) },
    { what: 'DELETE with a malformed JSON body', send: (c, o) => c.withBody('DELETE', '{"name":', o) },
  ];

  /** One kind of bad credential of each rule this run can send (every near miss is the token checks' own). */
  function credentialKinds(f: CheckFixtures): BadCredentials[] {
    // Another region's kind asks another server: this check's bodies go to the target's own list only.
    const sendable = (b: BadCredentials) => !b.needs || (b.needs !== 'other-region' && targetHas(f.settings, b.needs));
    const seen = new Set<string>();
    return BAD_CREDENTIALS.filter((b) => sendable(b) && !seen.has(b.rule) && seen.add(b.rule));
  }

  test(
    ...rule(
      'AUTH-BEFORE-BODY',
      'missing or bad credentials get 401 on every operation, whatever the body or its Content-Type, on an empty list and on a populated one, and change nothing',
      async (f) => {
        const { api, make, read } = f;
        const findings = new Findings();
        const kinds = credentialKinds(f);
        const kept = make.provider('basic');
        const answers: { kind: BadCredentials; cause: Cause; state: 'empty' | 'populated'; x: Exchange }[] = [];
        // What the list holds once emptied, as read: what a DELETE left (a DELETE-EMPTIES fault) is no bad request's doing.
        let base: string[] = [];
        for (const state of ['empty', 'populated'] as const) {
          if (state === 'empty') {
            // Something to delete, so that the DELETE's answer is DELETE-200's (an empty list's is DELETE-IDEMPOTENT's).
            statusIs('POST-VALID-200', await api.post(make.provider('bearer')));
            statusIs('DELETE-200', await api.clear());
            base = (await read()).providers.map((p) => p.name);
          } else statusIs('POST-VALID-200', await api.post(kept));
          for (const kind of kinds) {
            const { client, options } = kind.arrange(f);
            for (const cause of CAUSES)
              answers.push({
                kind,
                cause,
                state,
                x: await sent(findings, `${cause.what} with ${kind.what} on the ${state} list`, () =>
                  cause.send(client, options, make),
                ),
              });
          }
        }
        // The plain request of each kind on a list that holds something is the credential rule's own case: an
        // answer the same as its plain one is that rule's fault, one that differs is the body's or the list's doing.
        const plain = (kind: BadCredentials, op: string) =>
          answers.find(
            (a) => a.kind === kind && a.state === 'populated' && a.cause.plain && a.cause.what.startsWith(op),
          )!.x.received.status;
        for (const { kind, cause, state, x } of answers) {
          const what = `${cause.what} with ${kind.what} on the ${state} list`;
          const status = x.received.status;
          // The body of a 401 is AUTH-401-JSON's subject, whatever else the rules take.
          if (judgesBodyOf('AUTH-401-JSON', status))
            await findings.check(() => jsonObjectBody('AUTH-401-JSON', x), what);
          if (answeredAs(kind.rule, status)) continue;
          if (cause.plain && state === 'populated')
            findings.add(
              new ConformanceFailure(kind.rule, `${what} answered ${status}, not ${named(kind.rule)}`),
              `${what} → ${status}`,
            );
          else {
            // A credential the plain request got through with is not checked at all: its own rule's failure only.
            const asPlain = plain(kind, cause.what.split(' ')[0]);
            if (status !== asPlain && !is2xx(asPlain))
              findings.add(
                new ConformanceFailure('AUTH-BEFORE-BODY', `${what} answered ${status}, not ${named(kind.rule)}`),
                `${what} → ${status}`,
              );
          }
        }
        await findings.check(async () => {
          const list = await read();
          const now = list.providers.map((p) => p.name).sort();
          const expected = [...base, kept.name].sort();
          if (now.join('\u0000') !== expected.join('\u0000')) {
            fail(
              'AUTH-NO-CHANGE',
              `after requests that all had bad credentials, GET lists ${list.providers.length} provider(s), not ${base.length ? `the ${base.length} left after the DELETE and ` : 'just '}${shown(kept.name)}`,
            );
          }
        });
        findings.throwIfAny();
      },
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

  // ── Credentials on one kept-alive connection: each request is judged on its own header, never on
  // what the connection carried before. The same requests on fresh connections tell a connection's
  // fault from the credential's. Both are written by hand on connections the check opens itself
  // (client/raw-http.ts): Node's client would not reuse a connection whose server says Keep-Alive: timeout=1.
  test(
    ...rule(
      'AUTH-PER-REQUEST',
      'on one kept-alive connection, requests with bad credentials right after good ones (and across bots) get 401 and change nothing',
      async (f, testInfo) => {
        const { api, make, read, settings } = f;
        const findings = new Findings();
        const kept = make.provider('bearer');
        statusIs('POST-VALID-200', await api.post(kept));
        const second = settings.secondBot ? f.secondApi : undefined;
        /** Good and bad requests in turn: each bad one (with the rule of its credential) must get 401. */
        type Step = [what: string, bad: RuleId | undefined, send: () => Promise<Exchange>];
        const sequence = (one: ProviderApi, two?: ProviderApi): Step[] => [
          ['GET with the token', undefined, () => one.list()],
          ['GET without Authorization', 'AUTH-MISSING', () => one.list({ authorization: null })],
          ['GET with the token', undefined, () => one.list()],
          [
            'POST without Authorization',
            'AUTH-MISSING',
            () => one.post(make.provider('bearer'), { authorization: null }),
          ],
          ['GET with the token', undefined, () => one.list()],
          ['GET with a wrong token', 'AUTH-WRONG-TOKEN', () => one.list({ authorization: `Bearer ${make.secret()}` })],
          ['GET with the token', undefined, () => one.list()],
          ['DELETE without Authorization', 'AUTH-MISSING', () => one.clear({ authorization: null })],
          ...(two
            ? ([
                ["GET of the second bot's list with its token", undefined, () => two.list()],
                [
                  "GET of the first bot's list with the second bot's token",
                  'AUTH-OTHER-BOT',
                  () => one.list({ authorization: `Bearer ${two.bot.token}` }),
                ],
                ["GET of the second bot's list with its token", undefined, () => two.list()],
                [
                  "GET of the second bot's list without Authorization",
                  'AUTH-MISSING',
                  () => two.list({ authorization: null }),
                ],
              ] as Step[])
            : []),
        ];
        const run = async (connections: 'fresh' | 'one') => {
          const pool = api.newWirePool();
          const on = (c: ProviderApi) => c.onWire(connections === 'fresh' ? 'fresh' : pool);
          const bad: { what: string; own: RuleId; x: Exchange }[] = [];
          const all: { what: string; own?: RuleId; x: Exchange }[] = [];
          try {
            for (const [what, own, send] of sequence(on(api), second && on(second))) {
              const x = await sent(findings, what, send);
              all.push({ what, own, x });
              if (own) bad.push({ what, own, x });
            }
          } finally {
            pool.closeAll();
          }
          return { bad, all };
        };
        const { bad: fresh, all: freshAll } = await run('fresh');
        for (const { own, x } of freshAll) if (!own) statusIs('GET-200-SHAPE', x);
        const { bad: reused, all: reusedAll } = await run('one');
        const all = reusedAll.map((r) => r.x);
        // A good request answers on a connection that has served as on a new one (RFC 9112 § 9.3): an
        // unread body of the refused request before it, say, must not be read as the next request.
        reusedAll.forEach(({ what, own, x }, i) => {
          if (own || !x.reused || x.received.status === freshAll[i].x.received.status) return;
          findings.add(
            new ConformanceFailure(
              'HTTP-EQUIVALENT',
              `${what} on a reused connection, right after ${reusedAll[i - 1]?.what ?? 'another request'}, answered ${x.received.status}; on a new connection: ${freshAll[i].x.received.status}`,
            ),
            what,
          );
        });
        // Said only of what the connections did: each request after the first went on the last one unless the server had closed it.
        const closed = all.slice(0, -1).filter((x) => x.closedAfter).length;
        const unanswered = all.slice(1).filter((x, i) => !x.reused && !all[i].closedAfter).length;
        if (!all.some((x) => x.reused))
          testInfo.annotations.push(
            annotate.observed(
              `no request went on a reused connection: the server closed the connection after ${closed} of ${all.length - 1} answers, and closed it unanswered when the next request came ${unanswered} times`,
            ),
          );
        // On a new connection a wrong answer is its credential's rule's; on a reused one, where a new connection was refused, the connection decided.
        for (const { what, own, x } of fresh) {
          if (!answeredAs(own, x.received.status))
            findings.add(
              new ConformanceFailure(
                own,
                `${what} on a new connection answered ${x.received.status}, not ${named(own)}`,
              ),
              what,
            );
        }
        let stuck = false;
        reused.forEach(({ what, own, x }, i) => {
          const onNew = fresh[i].x.received.status;
          if (answeredAs(own, x.received.status) || !answeredAs(own, onNew) || !x.reused) return;
          stuck = true;
          findings.add(
            new ConformanceFailure(
              'AUTH-PER-REQUEST',
              `${what} on a reused connection, right after a request with good credentials, answered ${x.received.status}, not ${named(own)} (on a new connection: ${onNew})`,
            ),
            what,
          );
        });
        // What a request the reused connection let through did to the list is that fault's doing, not another rule's.
        if (!stuck)
          await findings.check(async () => {
            if (entriesNamed(await read(), kept.name).length !== 1)
              fail('AUTH-NO-CHANGE', `requests with bad credentials removed ${shown(kept.name)}`);
          });
        findings.throwIfAny();
      },
      {
        wholeList: true,
        also: ['AUTH-NO-CHANGE', 'AUTH-MISSING', 'AUTH-WRONG-TOKEN', 'AUTH-OTHER-BOT', 'HTTP-EQUIVALENT', ...ROBUST],
        standsOn: READS_ITS_WRITES,
      },
    ),
  );

  // ── One name on both bots: each bot's list is its own, whatever a store keys by name.
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
        sameValue('GET-CONFIG-ROUNDTRIP', before.config, theirs.config, `the second bot's ${shown(name)}`, secrets);
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

  // ── The revision's DELETE of one provider matches its name exactly: not a prefix, not a longer name, not another case.
  test(
    ...rule(
      'REV-DELETE-ONE',
      'DELETE of provider/{name} leaves every name it is a prefix of, every prefix of it, and the name in another case',
      async ({ api, make, read }) => {
        const findings = new Findings();
        const name = make.name();
        const kept = [`${name}a`, `${name}-x`, name.slice(0, -1), name.toUpperCase()];
        for (const n of [name, ...kept]) statusIs('POST-VALID-200', await api.post(make.provider('bearer', n)));
        statusIs('REV-DELETE-ONE', await api.remove(name));
        const list = await readAfter(read, `the DELETE of provider ${shown(name)}`, findings);
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
        findings.throwIfAny();
      },
      { wholeList: true, also: ['REV-DELETE-ONE-EXACT', ...ROBUST] },
    ),
  );

  // ── Concurrent writes of one name: exactly one entry, ever, holding one of the posted configs.
  const AT_ONCE = 8;

  test(
    ...rule(
      'UPSERT-NO-DUPLICATE',
      `${AT_ONCE} concurrent POSTs of one new name, then of that existing name, leave exactly one entry holding one of the posted configs`,
      async ({ api, make, read, secrets }) => {
        const findings = new Findings();
        const name = make.name();
        // The configs the name may hold: those of the last round that had a POST taken (a POST refused, a 409
        // say, is POST-VALID-200's failure, and leaves what was taken before).
        let held: Provider[] = [];
        for (const round of ['new', 'existing']) {
          const posts = Array.from({ length: AT_ONCE }, () => make.provider('bearer', name));
          const answers = await together(
            posts.map((p, i) => sent(findings, `concurrent POST ${i + 1} of the ${round} name`, () => api.post(p))),
          );
          for (const x of answers) await findings.check(() => statusIs('POST-VALID-200', x));
          const taken = posts.filter((_, i) => is2xx(answers[i].received.status));
          const before = held;
          if (taken.length) held = taken;
          heldOnce(
            findings,
            await read(),
            name,
            held,
            `after ${AT_ONCE} concurrent POSTs of the ${round} name`,
            secrets,
            !held.length,
            held === before ? [] : before,
          );
        }
        findings.throwIfAny();
      },
      { also: ['POST-VALID-200', 'GET-CONFIG-ROUNDTRIP', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'UPSERT-NO-DUPLICATE',
      'POSTs of one name racing a DELETE of the list leave that name at most once, holding one of the posted configs',
      async ({ api, make, read, secrets }) => {
        const findings = new Findings();
        for (let round = 1; round <= 4; round++) {
          const name = make.name();
          const posts = Array.from({ length: round }, () => make.provider('basic', name));
          await together([
            ...posts.map((p) => sent(findings, `POST racing a DELETE (round ${round})`, () => api.post(p))),
            sent(findings, 'DELETE racing POSTs', () => api.clear()),
          ]);
          heldOnce(
            findings,
            await read(),
            name,
            posts,
            `after ${round} POST(s) of one name raced a DELETE`,
            secrets,
            true,
          );
        }
        findings.throwIfAny();
      },
      { wholeList: true, also: ['GET-CONFIG-ROUNDTRIP', ...ROBUST] },
    ),
  );

  /** The name is listed once (or, after a race with a DELETE, at most once), holding one of `posts`' configs. */
  function heldOnce(
    findings: Findings,
    list: ProviderList,
    name: string,
    posts: Provider[],
    what: string,
    judge: SecretJudge,
    mayBeGone = false,
    earlier: Provider[] = [],
  ): void {
    const found = entriesNamed(list, name);
    if (found.length > 1)
      findings.add(
        new ConformanceFailure('UPSERT-NO-DUPLICATE', `${what}, GET lists ${shown(name)} ${found.length} times`),
      );
    else if (found.length === 0 && !mayBeGone)
      findings.add(
        new ConformanceFailure('GET-READ-AFTER-WRITE', `${what}, all answered 200, GET does not list ${shown(name)}`),
      );
    else if (found.length === 1 && !posts.some((p) => !firstDifference(found[0].config, p.config, '$'))) {
      findings.add(
        // A config taken before these POSTs, still held, is the reposts not taken as replacements.
        earlier.some((p) => !firstDifference(found[0].config, p.config, '$'))
          ? new ConformanceFailure(
              'UPSERT-REPLACES',
              `${what}, all answered 200, ${shown(name)} still holds a config posted before them`,
            )
          : new ConformanceFailure(
              'GET-CONFIG-ROUNDTRIP',
              `${what}, ${shown(name)} ${unlikeAny(found[0].config, posts, judge)}`,
            ),
      );
    }
  }

  /** How a config differs from every posted one: as an alteration of one's secret (cut, trimmed) when it is one. */
  function unlikeAny(held: unknown, posts: Provider[], judge: SecretJudge): string {
    const differences = posts.flatMap((p) => firstDifference(held, p.config, '$.config', judge) ?? []);
    const altered = differences.find((d) => d.includes('holds the secret posted'));
    return altered
      ? `holds none of the posted configs: ${altered}`
      : 'holds none of the posted configs (a mix of them?)';
  }
});

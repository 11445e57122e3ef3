// HTTP and URI semantics, applied to every request: each relation of relations/catalogue.ts (where
// each comes from: RFC 9110, 9112, 3986, 6750, 8259 and the rules) sent with every operation, with
// good and bad credentials, on both bots. An equivalent request must get the plain request's answer
// and have its effect; a bot id that differs is another bot; a repeated request has the effect the
// rules give it. A fault nobody described shows as a relation broken somewhere, not as a missed
// example. docs/rules.md: "HTTP and URI semantics"; docs/relations.md lists every relation.
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { READS_ITS_WRITES } from '../fixtures/prerequisites.ts';
import { readAfter, ROBUST, sent } from '../fixtures/sending.ts';
import type { Provider } from '../contract/provider.ts';
import { DISTINCTIONS, REPETITIONS, ruleOn, SAFE_METHODS, type Equivalence } from '../relations/catalogue.ts';
import { is2xx, type Exchange } from '../client/http.ts';
import { answeredAs, judgesBodyOf, named } from '../rules/answers.ts';
import { ConformanceFailure, Findings, together } from '../verdicts/failure.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import {
  DELETE_FORMS,
  GET_FORMS,
  POST_FORMS,
  RELATION_RULES,
  botsOf,
  families,
  forBadCredentials,
  holds,
  invalidBody,
  listed,
  oddProvider,
  repeated,
  sameAnswer,
} from '../checks/relations.ts';
import { sentInForms, side, Window } from '../checks/in-flight.ts';
import { deletedInForms } from '../checks/delete-forms.ts';
import { leftAsItWas } from '../checks/safe-methods.ts';
import type { ProviderApi } from '../client/api.ts';

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  test(
    ...rule(
      'HTTP-EQUIVALENT',
      `a POST in each of ${POST_FORMS.length} forms the standards make equivalent (${families(POST_FORMS)}), valid, invalid, without and with a wrong token, on each bot, gets the plain POST's answer and has its effect`,
      async (f) => {
        const findings = new Findings();
        const window = new Window();
        const wrong = `Bearer ${f.make.secret()}`;
        await together(
          botsOf(f).map(async ({ who, client }) => {
            const plainProvider = oddProvider(f, 0);
            const throwaway = () => f.make.provider('bearer');
            const [refusedName, missing, wrongly] = [f.make.name(), throwaway(), throwaway()];
            // Every variant's data first, in order (the seed replays them), then the requests.
            const valid = POST_FORMS.map((form, i) => ({
              form,
              provider: oddProvider(f, i + 1),
              refused: f.make.name(),
            }));
            const bad = (
              [
                ['without Authorization', { authorization: null }, 'missing', missing.name],
                ['with a wrong token', { authorization: wrong }, 'wrong', wrongly.name],
              ] as const
            ).flatMap(([credentials, options, twin, plainName]) =>
              // JSON text is read after the credentials, if at all: a body's other spelling says nothing here.
              forBadCredentials(POST_FORMS, options.authorization !== null)
                .filter((form) => form.family !== 'JSON text')
                .map((form) => ({ form, credentials, options, twin, plainName, provider: throwaway() })),
            );
            // The plain POST before the forms: it is what every form is held to, and if it is not taken, another
            // rule is broken. Those with bad credentials go one after the other, beside the forms, on the
            // client's kept-alive connections as before: a server that leaves a refused body unread there
            // answers the next of them for it, and that request only.
            const [validAnswer, invalid] = await window.all(findings, [
              { what: `the plain POST to ${who}`, send: () => client.post(plainProvider) },
              { what: `the plain invalid POST to ${who}`, send: () => client.postText(invalidBody(refusedName)) },
            ]);
            statusIs('POST-VALID-200', validAnswer);
            const [[[missingAnswer, wrongAnswer]], answers] = await side(
              window.lanes(findings, [
                [
                  {
                    what: `the plain POST to ${who} without Authorization`,
                    send: () => client.post(missing, { authorization: null }),
                  },
                  {
                    what: `the plain POST to ${who} with a wrong token`,
                    send: () => client.post(wrongly, { authorization: wrong }),
                  },
                ],
              ]),
              sentInForms(findings, window, client, [
                ...valid.flatMap(({ form, provider, refused }) => [
                  {
                    what: `POST to ${who} sent with ${form.what}`,
                    form,
                    own: true,
                    send: (c: ProviderApi) => c.post(provider, { form }),
                  },
                  {
                    what: `invalid POST to ${who} sent with ${form.what}`,
                    form,
                    own: true,
                    send: (c: ProviderApi) => c.postText(invalidBody(refused), { form }),
                  },
                ]),
                ...bad.map(({ form, credentials, options, provider }) => ({
                  what: `POST to ${who} ${credentials}, sent with ${form.what}`,
                  form,
                  send: (c: ProviderApi) => c.post(provider, { ...options, form }),
                })),
              ]),
            );
            const plain = { valid: validAnswer, invalid, missing: missingAnswer, wrong: wrongAnswer };
            const taken: { provider: Provider; form: Equivalence }[] = [];
            /** Names a refused variant carried, with the name its plain twin carried. */
            const unwritten: { name: string; form: Equivalence; as: string; plainName: string }[] = [];
            valid.forEach(({ form, provider, refused }, i) => {
              const ruleId = ruleOn(form, 'POST');
              const [x, xi] = [answers[2 * i], answers[2 * i + 1]];
              if (
                sameAnswer(findings, ruleId, `a valid POST to ${who} sent with ${form.what}`, plain.valid, x) &&
                is2xx(x.received.status)
              )
                taken.push({ provider, form });
              sameAnswer(findings, ruleId, `an invalid POST to ${who} sent with ${form.what}`, plain.invalid, xi);
              unwritten.push({ name: refused, form, as: 'an invalid POST', plainName: refusedName });
            });
            bad.forEach(({ form, credentials, twin, plainName, provider }, i) => {
              const x = answers[2 * valid.length + i];
              sameAnswer(
                findings,
                ruleOn(form, 'POST'),
                `a POST to ${who} ${credentials}, sent with ${form.what}`,
                plain[twin],
                x,
              );
              unwritten.push({ name: provider.name, form, as: `a POST ${credentials}`, plainName });
            });
            const list = await readAfter(f.read, `the POSTs to ${who}`, findings, client);
            // What the plain requests did is the measure of what each form must do: a server that changes
            // what it takes, or writes what it refuses, is judged by those rules' own checks, not here.
            const plainKept = !holds(list, [plainProvider], f.secrets);
            const plainWrote = (n: string) => entriesNamed(list, n).length > 0;
            if (plainKept)
              for (const { provider, form } of taken) {
                const wrongly = holds(list, [provider], f.secrets);
                if (!wrongly) continue;
                // Sent a few at a time: one lost outright is sent again alone, the same way. Kept then, it was
                // lost to the others sent with it (CONCURRENT-UPSERTS), not to its form.
                const lostToOthers =
                  !entriesNamed(list, provider.name).length &&
                  is2xx(
                    (
                      await sent(findings, `the POST sent with ${form.what} again, alone`, () =>
                        client.post(provider, { form }),
                      )
                    ).received.status,
                  ) &&
                  !holds(
                    await readAfter(f.read, `the POST sent with ${form.what} again`, findings, client),
                    [provider],
                    f.secrets,
                  );
                findings.add(
                  lostToOthers
                    ? new ConformanceFailure(
                        'CONCURRENT-UPSERTS',
                        `a POST to ${who} sent with ${form.what} beside other POSTs answered 200, but then ${wrongly}; sent again alone, the same way, it is kept`,
                      )
                    : new ConformanceFailure(
                        ruleOn(form, 'POST'),
                        `a POST to ${who} sent with ${form.what} answered 200 like the plain one, but then ${wrongly} (the plain POST's provider came back exactly)`,
                      ),
                  form.what,
                );
              }
            for (const { name, form, as, plainName } of unwritten)
              if (entriesNamed(list, name).length && !plainWrote(plainName))
                findings.add(
                  new ConformanceFailure(
                    ruleOn(form, 'POST'),
                    `${as} to ${who} sent with ${form.what} wrote ${shown(name)}, which the same request in the plain form does not`,
                  ),
                  form.what,
                );
          }),
        );
        findings.throwIfAny();
      },
      { also: RELATION_RULES, standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'HTTP-EQUIVALENT',
      `a GET in each of ${GET_FORMS.length} forms the standards make equivalent (${families(GET_FORMS)}), with good credentials, without and with a wrong token, on each bot, gets the plain GET's answer and the same list`,
      async (f) => {
        const findings = new Findings();
        const window = new Window();
        const wrong = `Bearer ${f.make.secret()}`;
        await together(
          botsOf(f).map(async ({ who, client }) => {
            const mine = [oddProvider(f, 0), oddProvider(f, 1)];
            // The GETs with bad credentials are refused whatever the list holds: they go with the POSTs.
            const [posted0, posted1, missing, wrongly] = await window.all(findings, [
              ...mine.map((p) => ({ what: `the POST of ${shown(p.name)} to ${who}`, send: () => client.post(p) })),
              {
                what: `the plain GET of ${who}'s list without Authorization`,
                send: () => client.list({ authorization: null }),
              },
              {
                what: `the plain GET of ${who}'s list with a wrong token`,
                send: () => client.list({ authorization: wrong }),
              },
            ]);
            for (const x of [posted0, posted1]) statusIs('POST-VALID-200', x);
            const names = mine.map((p) => p.name);
            const bad = (
              [
                ['without Authorization', { authorization: null }, missing],
                ['with a wrong token', { authorization: wrong }, wrongly],
              ] as const
            ).flatMap(([credentials, options, plainAnswer]) =>
              forBadCredentials(GET_FORMS, options.authorization !== null).map((form) => ({
                form,
                plainAnswer,
                what: `GET of ${who}'s list ${credentials}, sent with ${form.what}`,
                send: (c: ProviderApi) => c.list({ ...options, form }),
              })),
            );
            const good = GET_FORMS.map((form) => ({
              form,
              own: true,
              what: `GET of ${who}'s list sent with ${form.what}`,
              send: (c: ProviderApi) => c.list({ form }),
            }));
            // The plain GET with the forms: each reads the list the POSTs left.
            const [plainGood, ...answers] = await sentInForms(findings, window, client, [
              { what: `the plain GET of ${who}'s list`, send: (c) => c.list() },
              ...good,
              ...bad,
            ]);
            const plainListed = listed(plainGood, names);
            good.forEach(({ form, what }, i) => {
              const ruleId = ruleOn(form, 'GET');
              const x = answers[i];
              if (!sameAnswer(findings, ruleId, what, plainGood, x)) return;
              const variant = listed(x, names);
              if (JSON.stringify(variant) !== JSON.stringify(plainListed))
                findings.add(
                  new ConformanceFailure(
                    ruleId,
                    `${what} lists ${variant.length} of the check's ${names.length} providers${variant.length ? ', otherwise' : ''} than the plain GET, which lists ${plainListed.length}`,
                  ),
                  form.what,
                );
            });
            bad.forEach(({ form, what, plainAnswer }, i) => {
              sameAnswer(findings, ruleOn(form, 'GET'), what, plainAnswer, answers[good.length + i]);
            });
          }),
        );
        findings.throwIfAny();
      },
      { covers: ['GET-ACCEPT-JSON'], also: RELATION_RULES, standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'HTTP-EQUIVALENT',
      `a DELETE (and the revision's DELETE of one provider) in each of ${DELETE_FORMS.length} forms the standards make equivalent (${families(DELETE_FORMS)}), with good credentials (each form on one bot, the bots sharing them), without and with a wrong token (each on every bot), gets the plain DELETE's answer and has its effect`,
      async (f) => {
        const findings = new Findings();
        const wrong = `Bearer ${f.make.secret()}`;
        const window = new Window();
        const bots = botsOf(f);
        await together(
          bots.map(({ who, client }, index) =>
            deletedInForms({ f, who, client, findings, window, wrong, share: { index, of: bots.length } }),
          ),
        );
        findings.throwIfAny();
      },
      { wholeList: true, also: [...RELATION_RULES, 'DELETE-IDEMPOTENT'], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'BOT-ID-EXACT',
      `every operation on a bot id that differs from a bot's in one way (${DISTINCTIONS.map((d) => d.what.replace(/^the bot id /, '')).join(', ')}), with that bot's own token, gets 401 and changes nothing, on each bot`,
      async (f) => {
        const findings = new Findings();
        const window = new Window();
        const revision = f.settings.profile === '2020-03-10';
        await together(
          botsOf(f).map(async ({ who, client }) => {
            const kept = f.make.provider('basic');
            statusIs('POST-VALID-200', await client.post(kept));
            // The bot's own entry as the server lists it before: requests on other bot ids must leave it so.
            const before = listed(await client.list(), [kept.name]);
            const written: string[] = [];
            const requests: { what: string; label: string; send: () => Promise<Exchange> }[] = [];
            // Each on a connection of its own: the body of a refused POST that a server leaves unread would
            // be read as the next request on a shared one (HTTP-EQUIVALENT's subject), the read after them too.
            const apart = client.onFreshConnections();
            for (const d of DISTINCTIONS) {
              const other = d.botId?.(client.bot.id);
              if (other === undefined || other === client.bot.id) continue;
              const at = { botId: other };
              const provider = f.make.provider('bearer');
              written.push(provider.name);
              const on = `with ${who}'s token on ${d.what} (${shown(other)})`;
              requests.push(
                { what: `GET ${on}`, label: `${d.what}: GET`, send: () => apart.list(at) },
                { what: `POST ${on}`, label: `${d.what}: POST`, send: () => apart.post(provider, at) },
                { what: `DELETE ${on}`, label: `${d.what}: DELETE`, send: () => apart.clear(at) },
                ...(revision
                  ? [
                      {
                        what: `DELETE of provider ${shown(kept.name)} ${on}`,
                        label: `${d.what}: DELETE of one provider`,
                        send: () => apart.remove(kept.name, at),
                      },
                    ]
                  : []),
              );
            }
            // None of them is this bot's: all at once, judged in order.
            const answers = await window.all(findings, requests);
            for (const [i, { what, label }] of requests.entries()) {
              const x = answers[i];
              if (judgesBodyOf('AUTH-401-JSON', x.received.status))
                await findings.check(() => jsonObjectBody('AUTH-401-JSON', x), what);
              // Taken as the bot is this rule's failure; refused otherwise than as an unknown bot is AUTH-UNKNOWN-BOT's.
              const status = x.received.status;
              if (is2xx(x.received.status))
                findings.add(
                  new ConformanceFailure('BOT-ID-EXACT', `${what} answered ${status}: taken as ${who}`),
                  `${label} → ${status}`,
                );
              else if (!answeredAs('AUTH-UNKNOWN-BOT', status))
                findings.add(
                  new ConformanceFailure(
                    'AUTH-UNKNOWN-BOT',
                    `${what}, a bot id no bot has, answered ${status}, not ${named('AUTH-UNKNOWN-BOT')}`,
                  ),
                  `${label} → ${status}`,
                );
            }
            const after = await sent(findings, `GET of ${who}'s list after requests on bot ids near its own`, () =>
              client.list(),
            );
            if (JSON.stringify(listed(after, [kept.name])) !== JSON.stringify(before))
              findings.add(
                new ConformanceFailure(
                  'BOT-ID-EXACT',
                  `after requests with ${who}'s token on bot ids near its own, its own list no longer holds ${shown(kept.name)} as it did before`,
                ),
              );
            const landed = written.filter((n) => listed(after, [n]).length);
            if (landed.length)
              findings.add(
                new ConformanceFailure(
                  'BOT-ID-EXACT',
                  `a POST on a bot id near ${who}'s landed in ${who}'s own list: ${landed.map(shown).join(', ')}`,
                ),
              );
          }),
        );
        findings.throwIfAny();
      },
      { wholeList: true, also: ['AUTH-UNKNOWN-BOT', 'AUTH-401-JSON', ...ROBUST], standsOn: READS_ITS_WRITES },
    ),
  );

  test(
    ...rule(
      'GET-SAFE',
      `${SAFE_METHODS.map((d) => d.what).join('; ')}: each leaves the list as it was, on each bot, whatever it answers`,
      async (f) => {
        const findings = new Findings();
        await together(botsOf(f).map(({ who, client }) => leftAsItWas({ f, who, client, findings })));
        findings.throwIfAny();
      },
      { also: ROBUST, standsOn: READS_ITS_WRITES },
    ),
  );

  // ── Repetitions: each pattern of the catalogue, its effect on the list held to the rules after every step.
  const byList = (needsWholeList: boolean) => REPETITIONS.filter((r) => r.steps.includes('delete') === needsWholeList);
  for (const [wholeList, patterns] of [
    [false, byList(false)],
    [true, byList(true)],
  ] as const) {
    test(
      ...rule(
        'REPEAT-SAME-EFFECT',
        `${patterns.map((p) => p.what).join('; ')}: each leaves the list the rules say, read after every step`,
        async (f) => {
          const findings = new Findings();
          await together(
            patterns
              .filter((p) => !p.steps.includes('A@second') || f.settings.secondBot)
              .map((p) => repeated(f, p, findings)),
          );
          findings.throwIfAny();
        },
        {
          wholeList,
          also: ['UPSERT-REPLACES', 'GET-READ-AFTER-WRITE', 'GET-CONFIG-ROUNDTRIP', ...ROBUST],
          standsOn: READS_ITS_WRITES,
        },
      ),
    );
  }
});

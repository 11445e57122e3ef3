// Bad credentials with every other reason to refuse: the credentials decide, on every operation,
// whether the list is empty or not (a framework that parses the body before the auth middleware
// answers 400 here; one that reads the list first answers 200 to an empty one). AUTH-BEFORE-BODY's
// check, in tests/auth.spec.ts.
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { sentAll, togetherElseApart } from '../fixtures/sending.ts';
import { BAD_CREDENTIALS, type BadCredentials } from '../fixtures/bad-credentials.ts';
import type { ProviderApi, RequestOptions } from '../client/api.ts';
import { IN_FLIGHT, is2xx, type Exchange } from '../client/http.ts';
import { answeredAs, judgesBodyOf, named } from '../rules/answers.ts';
import { ConformanceFailure, fail, Findings } from '../verdicts/failure.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

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
  const has = { 'second-bot': Boolean(f.settings.secondBot), 'other-region': false };
  const seen = new Set<string>();
  return BAD_CREDENTIALS.filter((b) => (!b.needs || has[b.needs]) && !seen.has(b.rule) && seen.add(b.rule));
}

type State = 'empty' | 'populated';
interface Answered {
  kind: BadCredentials;
  cause: Cause;
  state: State;
  x: Exchange;
}

/** Every cause with every kind on the list as it stands: independent requests, `atOnce` together. */
async function sentOn(
  f: CheckFixtures,
  findings: Findings,
  kinds: BadCredentials[],
  state: State,
  atOnce: number,
): Promise<Answered[]> {
  const cases = kinds.flatMap((kind) => {
    const { client, options } = kind.arrange(f);
    return CAUSES.map((cause) => ({ kind, cause, client, options }));
  });
  const xs = await sentAll(
    findings,
    cases.map(({ kind, cause, client, options }) => ({
      what: `${cause.what} with ${kind.what} on the ${state} list`,
      send: () => cause.send(client, options, f.make),
    })),
    atOnce,
  );
  return cases.map(({ kind, cause }, i) => ({ kind, cause, state, x: xs[i] }));
}

/**
 * Each answer judged: the plain request of each kind on a list that holds something is the credential
 * rule's own case; an answer the same as its plain one is that rule's fault, one that differs is the
 * body's or the list's doing.
 */
async function judge(findings: Findings, answers: Answered[]): Promise<void> {
  const plain = (kind: BadCredentials, op: string) =>
    answers.find((a) => a.kind === kind && a.state === 'populated' && a.cause.plain && a.cause.what.startsWith(op))!.x
      .received.status;
  for (const { kind, cause, state, x } of answers) {
    const what = `${cause.what} with ${kind.what} on the ${state} list`;
    const status = x.received.status;
    // The body of a 401 is AUTH-401-JSON's subject, whatever else the rules take.
    if (judgesBodyOf('AUTH-401-JSON', status)) await findings.check(() => jsonObjectBody('AUTH-401-JSON', x), what);
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
}

/** The list after the bad requests: what the DELETE left, and `kept`. */
async function unchanged(read: CheckFixtures['read'], base: string[], kept: string): Promise<void> {
  const list = await read();
  const now = list.providers.map((p) => p.name).sort();
  const expected = [...base, kept].sort();
  if (now.join('\u0000') !== expected.join('\u0000')) {
    fail(
      'AUTH-NO-CHANGE',
      `after requests that all had bad credentials, GET lists ${list.providers.length} provider(s), not ${base.length ? `the ${base.length} left after the DELETE and ` : 'just '}${shown(kept)}`,
    );
  }
}

/** The check at one pace: `atOnce` requests together, or one after another. */
async function credentialsFirstAt(f: CheckFixtures, atOnce: number): Promise<void> {
  const { api, make, read } = f;
  const findings = new Findings();
  const kinds = credentialKinds(f);
  const kept = make.provider('basic');
  // Something to delete, so that the DELETE's answer is DELETE-200's (an empty list's is DELETE-IDEMPOTENT's).
  statusIs('POST-VALID-200', await api.post(make.provider('bearer')));
  statusIs('DELETE-200', await api.clear());
  // What the list holds once emptied, as read: what a DELETE left (a DELETE-EMPTIES fault) is no bad request's doing.
  const base = (await read()).providers.map((p) => p.name);
  const answers = await sentOn(f, findings, kinds, 'empty', atOnce);
  statusIs('POST-VALID-200', await api.post(kept));
  answers.push(...(await sentOn(f, findings, kinds, 'populated', atOnce)));
  await judge(findings, answers);
  await findings.check(() => unchanged(read, base, kept.name));
  findings.throwIfAny();
}

export const credentialsFirst: Body = (f) => togetherElseApart(f, credentialsFirstAt, IN_FLIGHT);

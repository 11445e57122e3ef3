// What the checks of HTTP and URI semantics (tests/http.spec.ts) share: how two answers are compared
// (a status, and a body of the same kind), the bots and the providers they send, the forms of each
// operation the relations of relations/catalogue.ts give, and the repetitions run step by step with
// the list read after each.
import { readAfter, ROBUST, sent } from '../fixtures/sending.ts';
import type { Provider } from '../contract/provider.ts';
import {
  equivalencesFor,
  PAUSE_MS,
  type Equivalence,
  type RepeatStep,
  type Repetition,
} from '../relations/catalogue.ts';
import type { RuleId } from '../rules/catalogue.ts';
import type { ProviderApi } from '../client/api.ts';
import type { Exchange } from '../client/http.ts';
import { ConformanceFailure, type Findings } from '../verdicts/failure.ts';
import { entriesNamed, type ProviderList } from '../verdicts/provider-list.ts';
import { firstDifference, shown, type SecretJudge } from '../verdicts/difference.ts';
import { statusIs } from '../verdicts/assertions.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';

/** What an answer's body is, as far as two equivalent requests must agree on it. */
function bodyKind(x: Exchange): string {
  const { text, json, notJson, headers } = x.received;
  if (text.trim() === '') return 'an empty body';
  if (notJson !== undefined) return `a body that is not JSON (Content-Type: ${headers['content-type'] ?? 'none'})`;
  return json !== null && typeof json === 'object' && !Array.isArray(json)
    ? 'a JSON object'
    : 'JSON that is not an object';
}

const said = (x: Exchange) => `${x.received.status} with ${bodyKind(x)}`;

/** The variant got the plain request's answer: the same status, and a body of the same kind. Records the difference under `ruleId`. */
export function sameAnswer(
  findings: Findings,
  ruleId: RuleId,
  what: string,
  plain: Exchange,
  variant: Exchange,
): boolean {
  if (variant.received.status === plain.received.status && bodyKind(variant) === bodyKind(plain)) return true;
  findings.add(
    new ConformanceFailure(
      ruleId,
      `${what} answered ${said(variant)}; the same request in the plain form: ${said(plain)}`,
    ),
    `${what} → ${variant.received.status}`,
  );
  return false;
}

type Bot = { who: string; client: ProviderApi };
/** The bots of the run: the first, and the second when it has one. */
export const botsOf = (f: CheckFixtures): Bot[] => [
  { who: 'the first bot', client: f.api },
  ...(f.settings.secondBot ? [{ who: 'the second bot', client: f.secondApi }] : []),
];

/** A provider whose values hold characters each framing and encoding writes differently (two- and three-byte UTF-8, quotes, '\', '/'), and none the rules leave open. */
export function oddProvider(f: CheckFixtures, i: number, name = f.make.name()): Provider {
  const odd = ` é中 "q" \\ / ${i}`;
  return {
    name,
    type: 'www',
    config:
      i % 2
        ? { bearer: `${f.make.secret()}${odd}` }
        : { basic: { username: `user${odd}`, password: `${f.make.secret()}${odd}` } },
  };
}

/** A POST body every rule refuses (no config), carrying a name that must never be listed. */
export const invalidBody = (name: string) => JSON.stringify({ name, type: 'www' });

/** Each equivalence's request sent, every relation in turn (on one connection of the client's own, so that `kept` is one that served). */
export const POST_FORMS = equivalencesFor('POST', true);
export const GET_FORMS = equivalencesFor('GET', true);
export const DELETE_FORMS = equivalencesFor('DELETE', true);
export const families = (forms: Equivalence[]) => [...new Set(forms.map((e) => e.family.toLowerCase()))].join(', ');

/** The forms a request with bad credentials is sent in: on a new connection each (a reused one is AUTH-PER-REQUEST's). */
export const forBadCredentials = (forms: Equivalence[], withAuthorization: boolean) =>
  forms.filter((e) => e.connection !== 'kept' && (withAuthorization || !e.needsAuthorization));

/** The rules a relation check decides besides its own: the SHOULD of the scheme's case, and what each answer's body must be. */
export const RELATION_RULES: RuleId[] = [
  'GET-ACCEPT-JSON',
  'AUTH-SCHEME-CASE',
  'AUTH-401-JSON',
  'ERROR-400-JSON',
  ...ROBUST,
];

/**
 * The entries of `names` an answer lists, as comparable text (name, type, config; order aside), read
 * leniently: two equivalent GETs must list the same, whatever the server does with what it holds.
 */
export function listed(x: Exchange, names: string[]): string[] {
  const json = x.received.json as { settings?: { application?: { media?: { providers?: unknown } } } } | undefined;
  const providers = json?.settings?.application?.media?.providers;
  return (Array.isArray(providers) ? (providers as Provider[]) : [])
    .filter((p) => p && names.includes(p.name))
    .map((p) => JSON.stringify({ name: p.name, type: p.type, config: p.config }))
    .sort();
}

/** Checks a list for the entries a check posted: each exactly as posted, and none of those it must not hold. */
export function holds(list: ProviderList, expected: Provider[], judge: SecretJudge): string | undefined {
  for (const p of expected) {
    const found = entriesNamed(list, p.name);
    if (found.length !== 1) return `${shown(p.name)} is listed ${found.length} times`;
    const difference = firstDifference(found[0].config, p.config, '$.config', judge);
    if (difference) return `${shown(p.name)}: ${difference}`;
  }
  return undefined;
}

/**
 * Runs one repetition pattern on fresh names, and reads the bots' lists after every step. The list is
 * held to itself, not to the model's exact values: after a POST repeats a body (or its config under
 * another name, or on the other bot), each name the rules say is listed must be, holding what the
 * server listed for that config the first time it took it. A server that masks secrets or changes
 * values is then judged by its own rules' checks, and this one sees only what repeating did: a repost
 * undone, a write dropped as a supposed retry, a collision of identical bodies.
 */
export async function repeated(f: CheckFixtures, pattern: Repetition, findings: Findings): Promise<void> {
  const name = f.make.name();
  const other = f.make.name();
  const bodies = {
    A: f.make.provider('bearer', name),
    B: f.make.provider('basic', name),
    C: f.make.provider('bearer', name),
  };
  /** What the rules say each bot lists of our names: name → the config posted. */
  const expected: Record<'first' | 'second', Map<string, Provider>> = { first: new Map(), second: new Map() };
  /** What the server listed for each config the first time it took it. */
  const observed = new Map<string, unknown>();
  const sentBefore = new Set<string>();
  const done: string[] = [];
  const wrong = `Bearer ${f.make.secret()}`;
  for (const step of pattern.steps) {
    const { bot, send, provider, expect } = stepOf(f, step, bodies, other, wrong);
    const key = provider && JSON.stringify(provider.config);
    const repeat = key !== undefined && sentBefore.has(key);
    if (key !== undefined) sentBefore.add(key);
    const what = `${pattern.what}, step ${done.length + 1} (${stepWords(step)})`;
    if (send) {
      const x = await sent(findings, what, send);
      // A DELETE of a list that may hold nothing is DELETE-IDEMPOTENT's (a SHOULD, with checks of its own).
      if (expect !== 'any' && !(step === 'delete' && !expected.first.size)) statusIs(expect, x);
    } else await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    done.push(stepWords(step));
    const reused = provider !== undefined && expected[bot].has(provider.name);
    if (step === 'delete') expected.first.clear();
    else if (provider && expect === 'POST-VALID-200') expected[bot].set(provider.name, provider);
    if (!provider || expect !== 'POST-VALID-200') continue;
    const client = bot === 'first' ? f.api : f.secondApi;
    const list = await readAfter(f.read, what, findings, client);
    for (const [listedName, posted] of expected[bot]) {
      const configKey = JSON.stringify(posted.config);
      const found = entriesNamed(list, listedName);
      const seen = observed.get(configKey);
      // A name listed twice is UPSERT-NO-DUPLICATE's, whatever made it.
      if (found.length > 1) continue;
      const wrongly =
        found.length === 0
          ? `does not list ${shown(listedName)}`
          : seen !== undefined && firstDifference(found[0].config, seen, '$.config', f.secrets);
      if (!wrongly) {
        if (found.length === 1) observed.set(configKey, found[0].config);
        continue;
      }
      // What a first POST shows is the rules' for writes (their own checks judge it); a repetition is judged from then on.
      if (!repeat && seen === undefined) continue;
      // Two faults a repetition shows that rules of their own name: a config kept beside the one last posted
      // (a merge), and another name gone after a name was reused.
      const beside = found.length === 1 && Object.keys(found[0].config ?? {}).some((k) => !(k in posted.config));
      const gone = found.length === 0 && reused && provider.name !== listedName;
      findings.add(
        new ConformanceFailure(
          beside ? 'UPSERT-NO-MERGE' : gone ? 'UPSERT-OTHERS-UNTOUCHED' : 'REPEAT-SAME-EFFECT',
          `after ${done.join(', ')}, ${bot === 'first' ? "the first bot's" : "the second bot's"} list ${
            typeof wrongly === 'string' && wrongly.startsWith('$')
              ? `holds ${shown(listedName)} otherwise than the first time that config was taken: ${wrongly}`
              : wrongly
          }`,
        ),
        pattern.what,
      );
      return;
    }
  }
}

type Step = {
  bot: 'first' | 'second';
  send?: () => Promise<Exchange>;
  provider?: Provider;
  /** The rule whose statuses the answer must have, or 'any'. */
  expect: RuleId | 'any';
};

function stepOf(
  f: CheckFixtures,
  step: RepeatStep,
  bodies: Record<'A' | 'B' | 'C', Provider>,
  other: string,
  wrong: string,
): Step {
  const post = (client: ProviderApi, p: Provider, bot: 'first' | 'second'): Step => ({
    bot,
    provider: p,
    send: () => client.post(p),
    expect: 'POST-VALID-200',
  });
  switch (step) {
    case 'A':
    case 'B':
    case 'C':
      return post(f.api, bodies[step], 'first');
    case 'A@other':
      return post(f.api, { ...bodies.A, name: other }, 'first');
    case 'A@second':
      return post(f.secondApi, bodies.A, 'second');
    case 'A!credentials':
      return {
        bot: 'first',
        provider: bodies.A,
        send: () => f.api.post(bodies.A, { authorization: wrong }),
        expect: 'AUTH-WRONG-TOKEN',
      };
    case 'invalid':
      return { bot: 'first', send: () => f.api.postText(invalidBody(bodies.A.name)), expect: 'POST-400-MISSING-FIELD' };
    case 'delete':
      return { bot: 'first', send: () => f.api.clear(), expect: 'DELETE-200' };
    case 'pause':
      return { bot: 'first', expect: 'any' };
  }
}

function stepWords(step: RepeatStep): string {
  return {
    A: 'POST of A',
    B: 'POST of B, same name',
    C: 'POST of C, same name',
    'A@other': "POST of A's config under another name",
    'A@second': 'POST of A to the second bot',
    'A!credentials': 'POST of A with a wrong token',
    invalid: 'an invalid POST of that name',
    delete: 'DELETE of the list',
    pause: `a pause of ${PAUSE_MS} ms`,
  }[step];
}

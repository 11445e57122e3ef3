// The checks a test asserts with. Each names the rule it decides and throws a ConformanceFailure with
// a short reason built from redacted data (never a raw diff of bodies, which could hold secrets).
import type { Contract, SchemaName } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { isAnswered, NetworkError, type Exchange, type Recorded } from '../client/http.ts';
import { alteration, MASK, type Secrets } from '../client/redaction.ts';
import { ruleById, type RuleId } from '../rules/catalogue.ts';

/** The statuses a rule names for its answers. */
export function answersOf(ruleId: RuleId): readonly number[] {
  const { answers } = ruleById(ruleId);
  if (!answers) throw new Error(`rule ${ruleId} names no status: say which the check expects`);
  return answers;
}

/** Whether `status` is one the rule names: a model step asks the catalogue, never spells a status. */
export function answeredAs(ruleId: RuleId, status: number): boolean {
  return answersOf(ruleId).includes(status);
}

/** The statuses a rule names, as a reason says them ("200", "400 or 413"). */
export const named = (ruleId: RuleId) => answersOf(ruleId).join(' or ');

/** Whether a rule on answers' bodies judges the body of an answer of `status`: a check asks the catalogue, never spells a status. */
export function judgesBodyOf(ruleId: RuleId, status: number): boolean {
  const { bodyOf } = ruleById(ruleId);
  if (!bodyOf) throw new Error(`rule ${ruleId} judges no answer's body: say whose in the catalogue`);
  return bodyOf.includes(status);
}

export interface FailureExtras {
  /** Lines shown under the failure (a generated sequence, say), never in the one-line reason. */
  details?: string;
  /** Settings a rerun needs besides the seed and the rule (a generated check's budget, say), as `NAME=value`. */
  replay?: string;
  /** Other rules the same check found broken: recorded on the way, so that one fault does not hide another. */
  others?: ConformanceFailure[];
}

export class ConformanceFailure extends Error {
  constructor(
    readonly ruleId: RuleId,
    readonly reason: string,
    readonly extras: FailureExtras = {},
  ) {
    super(`${ruleId}: ${reason}`);
  }
}

export function fail(ruleId: RuleId, reason: string): never {
  throw new ConformanceFailure(ruleId, reason);
}

/** An answer ROBUST-NO-5XX forbids: the server's own failure, whatever the input. */
export const isServerError = (status: number) => status >= 500 && status <= 599;

/** The robustness rule a request that got no answer breaks: an answer that never ends (cut off at the cap) is a hang too. */
export function robustnessRuleOf(e: NetworkError): RuleId {
  return e.kind === 'timeout' || e.kind === 'oversized' ? 'ROBUST-NO-HANG' : 'ROBUST-NO-DROP';
}

/** Whether a failure of `ruleId` says a request got no answer (so that trying more inputs costs a timeout each). */
export const unanswered = (ruleId: RuleId) => ruleId === 'ROBUST-NO-DROP' || ruleId === 'ROBUST-NO-HANG';

/** Whether a failure is the server's own whatever was asked (no answer, or a 5xx): no form or repetition of the request is to blame. */
export const robustnessOnly = (ruleId: RuleId) => unanswered(ruleId) || ruleId === 'ROBUST-NO-5XX';

/** Sends a request of a step: a 5xx, a dropped connection or a hang fails its robustness rule, whatever the step was about. */
export async function survived(step: string, send: () => Promise<Exchange>): Promise<Exchange> {
  let x: Exchange;
  try {
    x = await send();
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    fail(robustnessRuleOf(e), `${step}: ${e.message}`);
  }
  if (isServerError(x.received.status)) fail('ROBUST-NO-5XX', `${step}: answered ${x.received.status}`);
  return x;
}

/**
 * The robustness rules a check's exchanges and the error it ended with show broken, whatever it was
 * about: one observation fails every rule it breaks (a 500 to a null body fails ROBUST-NO-5XX too). A
 * request of the log that got no answer is the error's to tell: a check that caught one meant to.
 */
export function robustnessSeen(by: string, exchanges: readonly Recorded[], error?: unknown): ConformanceFailure[] {
  const found: ConformanceFailure[] = [];
  const failing = exchanges.filter(isAnswered).filter((x) => isServerError(x.received.status));
  if (failing.length) {
    const [first] = failing;
    found.push(
      new ConformanceFailure(
        'ROBUST-NO-5XX',
        `${first.sent.method} ${new URL(first.sent.url).pathname} answered ${first.received.status}` +
          `${failing.length > 1 ? ` (and ${failing.length - 1} more request(s) a 5xx)` : ''}, seen by ${by}`,
      ),
    );
  }
  if (error instanceof NetworkError)
    found.push(new ConformanceFailure(robustnessRuleOf(error), `${error.message}, seen by ${by}`));
  return found;
}

/** The rules the thrown failures broke, with those each found on the way. */
export function rulesOf(thrown: unknown[]): RuleId[] {
  return thrown
    .filter((e): e is ConformanceFailure => e instanceof ConformanceFailure)
    .flatMap((e) => [e.ruleId, ...(e.extras.others ?? []).map((o) => o.ruleId)]);
}

/** Throws what several searches of one check threw: an error that is not a rule's first, else every rule's failure once. */
export function throwTogether(thrown: unknown[]): void {
  const broken = thrown.find((e) => !(e instanceof ConformanceFailure));
  if (broken) throw broken;
  const all = (thrown as ConformanceFailure[]).flatMap((e) => [e, ...(e.extras.others ?? [])]);
  const once = all.filter((e, i) => all.findIndex((f) => f.ruleId === e.ruleId) === i);
  const [first, ...others] = once;
  if (first) throw new ConformanceFailure(first.ruleId, first.reason, { ...first.extras, others });
}

/**
 * Waits for every one of `work` to settle, and only then throws what failed (every rule's failure, one
 * per rule): a check must not end while a request of its own is still on the way, or it would write
 * into the next check's list.
 */
export async function together<T>(work: Iterable<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  throwTogether(settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])));
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * The failures a check that sends many inputs collects before it ends, one per rule (its first
 * reason, and what else broke it): the MUST rules' first, the first thrown and the others along with it.
 */
export class Findings {
  readonly #byRule = new Map<RuleId, { first: ConformanceFailure; more: string[] }>();

  /** `label`: what the input was, to list the others that broke the same rule. */
  add(failure: ConformanceFailure, label?: string): void {
    const seen = this.#byRule.get(failure.ruleId);
    if (seen) seen.more.push(label ?? failure.reason);
    else this.#byRule.set(failure.ruleId, { first: failure, more: [] });
  }

  /** Runs one verdict, keeping its failure instead of throwing it; true when it held. */
  async check(verdict: () => unknown, label?: string): Promise<boolean> {
    try {
      await verdict();
      return true;
    } catch (e) {
      if (!(e instanceof ConformanceFailure)) throw e;
      this.add(e, label);
      return false;
    }
  }

  /** Throws what was found, if anything. */
  throwIfAny(): void {
    const found = [...this.#byRule.values()].map(
      ({ first, more }) =>
        new ConformanceFailure(
          first.ruleId,
          more.length
            ? `${first.reason}; ${more.length} more input${more.length > 1 ? 's' : ''} broke it too: ${more.slice(0, 5).join('; ')}${more.length > 5 ? '; …' : ''}`
            : first.reason,
          first.extras,
        ),
    );
    const [first, ...others] = found.sort(
      (a, b) => Number(ruleById(a.ruleId).level === 'SHOULD') - Number(ruleById(b.ruleId).level === 'SHOULD'),
    );
    if (first) throw new ConformanceFailure(first.ruleId, first.reason, { ...first.extras, others });
  }
}

const answered = (x: Exchange) => `${x.sent.method} answered ${x.received.status}`;

/** The answer has one of the statuses the rule `as` names (rules/catalogue.ts), the rule itself unless told; `ruleId` fails when it has not. */
export function statusIs(ruleId: RuleId, x: Exchange, as: RuleId = ruleId): void {
  const expected = answersOf(as);
  if (!expected.includes(x.received.status)) {
    fail(
      ruleId,
      `expected ${expected.join(' or ')}, got ${x.received.status} to ${x.sent.method} ${new URL(x.sent.url).pathname}`,
    );
  }
}

export function jsonObjectBody(ruleId: RuleId, x: Exchange): Record<string, unknown> {
  const { json, notJson, text } = x.received;
  if (notJson !== undefined) fail(ruleId, `${answered(x)} with a body that is not JSON (${notJson})`);
  if (text.trim() === '') fail(ruleId, `${answered(x)} with an empty body, not a JSON object`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail(
      ruleId,
      `${answered(x)} with JSON ${json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json}, not an object`,
    );
  }
  return json as Record<string, unknown>;
}

export function emptyBody(ruleId: RuleId, x: Exchange): void {
  if (x.received.text.length > 0)
    fail(ruleId, `${answered(x)} with a ${Buffer.byteLength(x.received.text)}-byte body; the body should be empty`);
}

export function matchesSchema(
  ruleId: RuleId,
  contract: Contract,
  schema: SchemaName,
  value: unknown,
  what: string,
): void {
  const violations = contract.violations(schema, value);
  if (violations.length) {
    const shown = violations
      .slice(0, 3)
      .map((v) => `${v.path} ${v.message}`)
      .join('; ');
    fail(
      ruleId,
      `${what} violates the OpenAPI schema ${schema} at ${shown}${violations.length > 3 ? ` (+${violations.length - 3} more)` : ''}`,
    );
  }
}

export function jsonContentType(ruleId: RuleId, x: Exchange): void {
  const type = String(x.received.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/json')
    fail(
      ruleId,
      `${answered(x)} with Content-Type '${x.received.headers['content-type'] ?? '(none)'}', not application/json`,
    );
}

export interface ProviderList {
  providers: Provider[];
  /** False when the body lacked the settings.application.media nesting (read as an empty list). */
  nested: boolean;
}

const NESTING = ['settings', 'application', 'media', 'providers'];

/**
 * Reads a GET answer as the list, checking GET-200-SHAPE (status, JSON object, schema) on the way.
 * `lenient`: an answer whose list is in its place but does not fit the schema is handed over with its
 * failure, so that a check that already knows the shape is wrong can still judge what the list holds.
 */
export function providerList(
  contract: Contract,
  x: Exchange,
  lenient?: (failure: ConformanceFailure) => void,
): ProviderList {
  // A list answered 404 is GET-EMPTY-200's failure, whatever it held (docs/rules.md: GET).
  if (x.received.status === 404) statusIs('GET-EMPTY-200', x);
  statusIs('GET-200-SHAPE', x);
  const body = jsonObjectBody('GET-200-SHAPE', x);
  let node: unknown = body;
  for (const key of NESTING) {
    const next = (node as Record<string, unknown>)[key];
    if (next === undefined) {
      // docs/rules.md: a body without the nesting counts as an empty list (with a warning, elsewhere);
      // one that holds a list elsewhere has it at the wrong place.
      const elsewhere = nonEmptyArrayPath(body, '$');
      if (elsewhere) fail('GET-200-SHAPE', `the GET body holds a list at ${elsewhere}, not at $.${NESTING.join('.')}`);
      return { providers: [], nested: false };
    }
    node = next;
    if (key !== 'providers' && (node === null || typeof node !== 'object' || Array.isArray(node))) break;
  }
  try {
    matchesSchema('GET-200-SHAPE', contract, 'ProviderList', body, 'the GET body');
  } catch (e) {
    if (!(e instanceof ConformanceFailure) || !lenient || !Array.isArray(node)) throw e;
    lenient(e);
    return {
      providers: (node as unknown[]).filter(
        (p): p is Provider => p !== null && typeof p === 'object' && typeof (p as Provider).name === 'string',
      ),
      nested: true,
    };
  }
  return { providers: node as Provider[], nested: true };
}

function nonEmptyArrayPath(node: unknown, path: string, depth = 0): string | undefined {
  if (depth > 16 || node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) return node.length ? path : undefined;
  for (const [k, v] of Object.entries(node)) {
    const found = nonEmptyArrayPath(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function entriesNamed(list: ProviderList, name: string): Provider[] {
  return list.providers.filter((p) => p.name === name);
}

/** The one entry of that name; fails `ruleId` when it is missing or listed twice. */
export function theEntry(ruleId: RuleId, list: ProviderList, name: string): Provider {
  const found = entriesNamed(list, name);
  if (found.length === 0)
    fail(ruleId, `GET does not list provider ${shown(name)} (${list.providers.length} entries listed)`);
  // A name listed twice is a second entry, whatever the check was about.
  if (found.length > 1) fail('UPSERT-NO-DUPLICATE', `GET lists provider ${shown(name)} ${found.length} times`);
  return found[0];
}

/**
 * The rule an entry breaks when, read right after a POST that reused its name, it holds `held` and not
 * the config posted: an earlier config of the name kept (the repost not taken as a replacement), the
 * new config with an earlier one's other credential beside it (a merge), or one no POST carried.
 */
export function reusedNameRule(held: unknown, posted: object, earlier: readonly object[]): RuleId {
  if (earlier.some((c) => !firstDifference(held, c, '$'))) return 'UPSERT-REPLACES';
  const keys = held !== null && typeof held === 'object' ? Object.keys(held) : [];
  const beside = earlier.some((c) => Object.keys(c).some((k) => keys.includes(k) && !(k in posted)));
  return beside && Object.keys(posted).every((k) => keys.includes(k)) ? 'UPSERT-NO-MERGE' : 'GET-CONFIG-ROUNDTRIP';
}

/** Deep equality of what was posted and what came back; the reason names the first differing path, never a secret. */
export function sameValue(ruleId: RuleId, actual: unknown, expected: unknown, what: string, judge: SecretJudge): void {
  const difference = firstDifference(actual, expected, '$', judge);
  if (difference) fail(ruleId, `${what} differs from what was posted: ${difference}`);
}

const SECRET_KEY = /^(password|bearer)$/;

/** What tells whether a value found in a secret's place may be shown: the run's redactor. */
export type SecretJudge = Pick<Secrets, 'showable'>;

/** Past this a value is shown clipped, with its length: one line of a report never carries 80 KB. */
const SHOWN_UP_TO = 60;

/** A string as a reason shows it: JSON-quoted, and past SHOWN_UP_TO clipped with its length. */
export function shown(text: string): string {
  const points = Array.from(text);
  return points.length > SHOWN_UP_TO
    ? `${JSON.stringify(`${points.slice(0, SHOWN_UP_TO).join('')}…`)} (${points.length} characters)`
    : JSON.stringify(text);
}

/** Where two strings first differ, in characters (code points): the place a reader looks first. */
export function firstDifferenceAt(actual: string, expected: string): number {
  const [a, e] = [Array.from(actual), Array.from(expected)];
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  return i;
}

/**
 * The first path where `actual` and `expected` differ, described without showing a secret's value. In
 * a secret's place, a value the secret posted was altered into is named for the alteration; any other
 * is shown when `judge` finds it no secret of the run nor part of one (a server's own `****`), and
 * masked otherwise, or when there is no judge to ask (a reason no redactor reads, the restore's).
 */
export function firstDifference(
  actual: unknown,
  expected: unknown,
  path: string,
  judge?: SecretJudge,
): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  const show = (v: unknown) =>
    v === undefined
      ? 'missing'
      : v === null
        ? 'null'
        : Array.isArray(v)
          ? 'an array'
          : typeof v === 'object'
            ? 'an object'
            : typeof v === 'string'
              ? shown(v)
              : JSON.stringify(v);
  const key = path.split('.').pop() ?? '';
  if (
    typeof expected !== 'object' ||
    expected === null ||
    typeof actual !== 'object' ||
    actual === null ||
    Array.isArray(actual) !== Array.isArray(expected)
  ) {
    if (SECRET_KEY.test(key)) {
      if (typeof actual !== 'string')
        return `${path} is ${actual === undefined ? 'missing' : `not a string (${typeof actual})`}`;
      const how = typeof expected === 'string' ? alteration(actual, expected) : undefined;
      if (how) return `${path} holds the secret posted, ${how}`;
      return judge?.showable(actual)
        ? `${path} is ${show(actual)}, not the secret posted`
        : `${path} holds another value than the secret posted (${MASK})`;
    }
    const where =
      typeof actual === 'string' &&
      typeof expected === 'string' &&
      Math.max(actual.length, expected.length) > SHOWN_UP_TO
        ? `; they first differ at character ${firstDifferenceAt(actual, expected)}`
        : '';
    return `${path} is ${show(actual)}, expected ${show(expected)}${where}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    const d = firstDifference(a[k], e[k], `${path}.${k}`, judge);
    if (d) return d;
  }
  const extra = Object.keys(a).filter((k) => !(k in e));
  if (extra.length) return `${path} has ${extra.map((k) => `'${k}'`).join(', ')}, which was not posted`;
  return undefined;
}

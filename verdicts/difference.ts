// What differs between what was posted and what came back, said without showing a secret: the first
// differing path, and the rule a reused name's entry breaks.
import { alteration, MASK, type Secrets } from '../client/redaction.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { fail } from './failure.ts';

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
/** How many names a difference lists of those that should not be there; the rest are counted. */
const EXTRA_NAMED = 5;

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
  // A few named, the rest counted: a list a DELETE did not empty holds hundreds.
  const named = extra.slice(0, EXTRA_NAMED).map((k) => `'${k}'`);
  if (extra.length > EXTRA_NAMED) named.push(`${extra.length - EXTRA_NAMED} more`);
  if (extra.length === 1) return `${path} has ${named[0]}, which was not posted`;
  if (extra.length) return `${path} has ${named.join(', ')}, which were not posted`;
  return undefined;
}

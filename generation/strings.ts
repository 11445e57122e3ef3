// Strings the way a good generator biases them: every length from empty to very long, weighted on the
// limits storage and protocols commonly have; the whole of Unicode; characters that mean something to
// JSON, URLs, HTTP headers, SQL, shells, HTML and Basic credentials; values that look like numbers,
// booleans or null; whitespace at the edges. A server that cuts, trims, re-encodes or escapes a
// value it stored shows it on the next GET.
import fc from 'fast-check';
import { offsetOf, overwritten, pointCount } from './code-points.ts';

/** Pieces that mean something to some layer a value passes through, by the layer. */
const MEANINGFUL: Record<string, readonly string[]> = {
  json: [
    '"',
    '\\',
    '\\"',
    '\\u0041',
    '\n',
    '\r\n',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    '\u2029',
    '{"a":1}',
    '/',
    '</',
  ],
  url: ['%', '%20', '%2F', '%00', '%zz', '+', '&', '=', '?', '#', '../'],
  header: ['\r\n', ': ', ';', ',', 'Bearer ', 'Basic '],
  sql: ["'", "''", '--', ';', "' OR '1'='1", '/*', '*/', '\\0'],
  shell: ['$(id)', '`id`', '|', '&&', '*', '~', '$HOME', '!'],
  basic: [':', '@', '::', ':@'],
  html: ['<', '>', '&amp;', '<script>', '&#0;'],
  unicode: [
    'é',
    'e\u0301',
    'ß',
    'İ',
    'ﬁ',
    'Å',
    '\u212b',
    'а',
    'Ａ',
    '\u200b',
    '\u200d',
    '\ufeff',
    '\u202e',
    'שלום',
    'مرحبا',
    '𝄞',
    '😀',
    '👩\u200d💻',
    '\u{10ffff}',
    '中文',
    '\u0301',
  ],
  whitespace: [' ', '  ', '\t', '\u00a0', '\u3000', '\v', '\f'],
};
const FRAGMENTS = Object.values(MEANINGFUL).flat();

/** Whole values that a loosely typed store turns into something else. Short on purpose: see `marked`. */
const LOOKALIKES = ['', ' ', '0', '-0', '1e3', '0x1F', '3.14', 'NaN', 'true', 'false', 'null', '[]', '{}', '"x"'];

/** Lengths where storage and protocols cut: VARCHAR(255), 1 KiB, a 4 KiB page, 64 KiB (TEXT, a socket read). */
export const LENGTH_LIMITS = [255, 256, 1023, 1024, 4095, 4096] as const;
export const LONG_LIMITS = [65_535, 65_536, 100_000] as const;

/**
 * A random token of letters and digits, never shrunk or biased: every generated value of 8 characters
 * or more carries one, so that the leak search of the self-tests can tell it from any text that
 * happens to be in a report.
 */
export const token = (length = 8): fc.Arbitrary<string> =>
  fc.noShrink(
    fc.noBias(
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
        minLength: length,
        maxLength: length,
      }),
    ),
  );

/** `value` with its middle 8 characters replaced by `mark`, when it is long enough to be a secret worth seeking. */
function marked(value: string, mark: string): string {
  const count = pointCount(value);
  if (count < 8) return value;
  return overwritten(value, Math.floor((count - mark.length) / 2), mark);
}

/** `unit` repeated to exactly `length` code points. */
function repeatedTo(unit: string, length: number): string {
  if (!unit) return '';
  const count = pointCount(unit);
  const whole = Math.max(0, Math.floor(length / count));
  return unit.repeat(whole) + unit.slice(0, offsetOf(unit, Math.max(0, length - whole * count)));
}

const edges = fc.constantFrom('', '', '', ' ', '  ', '\t', '\u00a0', '\n');

/** Meaningful fragments around a random word, sometimes with whitespace at either edge. */
const fragmentsValue = fc
  .tuple(
    edges,
    fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
    edges,
  )
  .map(([lead, parts, word, trail]) => `${lead}${parts.slice(0, 3).join('')}${word}${parts.slice(3).join('')}${trail}`);

/** Any code point of Unicode (no lone surrogate: JSON text cannot carry one faithfully). */
const unicodeValue = fc.string({ unit: 'binary', maxLength: 40 });

/** A unit (meaningful, multi-byte or plain) repeated to a length at or around a limit. */
const aroundLimit = (limits: readonly number[]) =>
  fc
    .tuple(
      fc.constantFrom(...limits),
      fc.constantFrom(-1, 0, 0, 1),
      fc.oneof(fragmentsValue, unicodeValue, fc.constantFrom('x', 'é', '中', '𝄞', 'ab€')),
    )
    .map(([limit, delta, unit]) => repeatedTo(unit || 'x', limit + delta));

export interface StringWeights {
  /** Weight of values of 64 KiB and more, against 130 for the rest (each such value costs every later read 64 KiB). */
  huge?: number;
}

/** A credential-like string (username, password, bearer): any string the contract allows. */
export function awkwardString(weights: StringWeights = {}): fc.Arbitrary<string> {
  const value = fc.oneof(
    { arbitrary: fragmentsValue, weight: 60 },
    { arbitrary: unicodeValue, weight: 30 },
    { arbitrary: fc.constantFrom(...LOOKALIKES), weight: 20 },
    { arbitrary: aroundLimit(LENGTH_LIMITS), weight: 20 },
    { arbitrary: aroundLimit(LONG_LIMITS), weight: weights.huge ?? 3 },
  );
  return fc.tuple(value, token()).map(([v, mark]) => marked(v, mark));
}

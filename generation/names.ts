// Provider names from small pools of related variants, so that generated sequences reuse names
// often and meet the names a broken index confuses: prefixes of one another, long names that share
// their first 40 (or 191) characters, '-' against '_', the longest name the revision allows. No two names of
// a pool differ only in case (that is NAME-CASE-SENSITIVE's own check, a SHOULD). Names the
// revision refuses come from `unusualName`: open in the default profile, invalid in the revision.
import fc from 'fast-check';
import { charactersOf, schemaOf } from '../contract/schema-tree.ts';

export interface NameRule {
  characters: string;
  maxLength: number;
}

/** The revision's name rule, read from its schema: every pool name keeps to it, so that both profiles must take it. */
export function nameRule(): NameRule {
  const name = schemaOf('2020-03-10', 'Provider').properties.name;
  if (!name?.pattern || name.maxLength === undefined)
    throw new Error("the 2020-03-10 revision's Provider.name has no pattern or maxLength");
  return { characters: charactersOf(name.pattern), maxLength: name.maxLength };
}

/** The variants of a stem, with how often each is drawn: the bare stem and its nearest variant most, so that names collide often. */
const SUFFIXES: [string, number][] = [
  ['', 8],
  ['a', 4],
  ['b', 1],
  ['ab', 2],
  ['-', 2],
  ['_', 1],
  ['-a', 1],
  ['_a', 1],
];

/**
 * Every name of a pool grown from `stem` (lower-case letters): the stem and its variants, the same
 * again after 40 more letters, and one name of exactly the longest length allowed.
 */
export function namePool(stem: string, filler: string): string[] {
  return weightedPool(stem, filler).map(([name]) => name);
}

/** A name of the pool, drawn with the pool's weights. */
export function poolName(stem: string, filler: string): fc.Arbitrary<string> {
  return fc.oneof(...weightedPool(stem, filler).map(([name, weight]) => ({ arbitrary: fc.constant(name), weight })));
}

function weightedPool(stem: string, filler: string): [string, number][] {
  const { maxLength } = nameRule();
  const long = `${stem}${filler.repeat(Math.ceil(40 / filler.length)).slice(0, 40)}`;
  const longest = `${long}${filler.repeat(Math.ceil(maxLength / filler.length))}`.slice(0, maxLength);
  // Two names that differ only past an index's 191 characters (utf8mb4 keys of 767 bytes), both valid everywhere.
  const indexed = longest.slice(0, 191);
  return [
    ...SUFFIXES.map(([s, w]): [string, number] => [`${stem}${s}`, w]),
    ...SUFFIXES.map(([s, w]): [string, number] => [`${long}${s}`, Math.ceil(w / 2)]),
    [longest, 1],
    [`${indexed}a`, 1],
    [`${indexed}b`, 1],
  ];
}

/**
 * Characters a name of the revision may not hold, each next to a pool name: among them those a store
 * merges with nothing or with one another (spaces a collation pads, accents it folds, forms a
 * normaliser composes, invisible characters, astral characters a 3-byte column turns into '?', NUL).
 */
const UNUSUAL = [
  ' ',
  '0',
  '7',
  '.',
  '/',
  '%20',
  'é',
  'e',
  'e\u0301',
  '𝄞',
  '?',
  '\ufffd',
  '中',
  '\u00a0',
  '\t',
  "'",
  '"',
  '\\',
  ':',
  '\u200b',
  '\ufeff',
  '\u0000',
  '$',
];
/** Whole names a loosely typed column reads as numbers or other values, so that two of them collide. */
const NUMBER_LIKE = ['007', '7', '7.0', '1e3', '1000', '0x1F', '31', 'true', 'null'];

/** A name outside the revision's rule, related to the pool: a character it forbids at either end, or one too long. */
export function unusualName(pool: string[]): fc.Arbitrary<string> {
  const { maxLength } = nameRule();
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...pool), fc.constantFrom(...UNUSUAL), fc.boolean())
      .map(([name, odd, before]) => (before ? `${odd}${name}` : `${name}${odd}`)),
    fc.constantFrom(...pool).map((name) => name.padEnd(maxLength + 1, 'z')),
    fc.constantFrom(...NUMBER_LIKE),
    fc.constant(''),
  );
}

// The input spaces small enough to cover whole on every run, instead of sampling them: every
// constraint of the Provider schema broken with every kind of wrong value, member names in another
// case, the syntax that lenient JSON parsers take, and families of names that real stores merge or
// change (the same body in other JSON texts is relations/json-text.ts'). Pure data: the checks of each rule's
// section send it (checks/broken-bodies.ts, name-families.ts, kept-values.ts); docs/fault-model.md says which real stack each axis stands for.
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { schemaOf, type Flat } from '../contract/schema-tree.ts';
import { judge } from '../model/rules.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { overwritten, pointCount } from './code-points.ts';

/** A body that breaks the rules in one way, built around a fresh name and a marker that must never be listed. */
export interface BrokenBody {
  what: string;
  /** The rule that decides its refusal. */
  rule: RuleId;
  text: (name: string, marker: string) => string;
}

/** One value of each JSON type: the wrong value a field gets is each type but its own. */
const OF_TYPE: Record<string, unknown> = { string: 'www', number: 7, boolean: true, null: null, array: [], object: {} };

type Json = Record<string, unknown>;
const sample = (kind: 'basic' | 'bearer', name: string, marker: string): Json => ({
  name,
  type: 'www',
  config: kind === 'basic' ? { basic: { username: `user-${marker}`, password: marker } } : { bearer: marker },
});

/** The value at `path`, changed by `change` (undefined removes it), in a copy of `body`. */
function changed(body: Json, path: string[], change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(body);
  const copy = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  const last = path[path.length - 1];
  const next = change(node[last]);
  if (next === undefined) delete node[last];
  else node[last] = next;
  return copy;
}

/** A change to a valid provider: where, and what it does to the object at `path`, or (`member`) to the member there. */
interface Change {
  where: string;
  path: string[];
  change: (old: unknown) => unknown;
  member?: true;
}

function changesOf(flat: Flat, path: string[]): Change[] {
  const out: Change[] = [];
  const at = path.join('.') || 'the body';
  if (path.length === 0) {
    for (const [type, value] of Object.entries(OF_TYPE))
      if (type !== 'object') out.push({ where: `${at} as ${type}`, path, change: () => value });
  }
  for (const key of flat.required)
    out.push({ where: `${at} without ${key}`, path, change: (old) => ({ ...(old as Json), [key]: undefined }) });
  // A binder that matches member names without case takes `Name` for `name` (Go, ASP.NET Core, Jackson on request).
  for (const key of new Set([...flat.required, ...(flat.anyOf ?? []).flatMap((b) => b.required)])) {
    for (const other of [key[0].toUpperCase() + key.slice(1), key.toUpperCase()]) {
      out.push({
        where: `${at} with '${other}' for '${key}'`,
        path,
        change: (old) => renamed(old as Json, key, other),
      });
    }
  }
  if (flat.anyOf) {
    const alternatives = new Set(flat.anyOf.flatMap((b) => b.required));
    out.push({ where: `${at} with none of ${[...alternatives].join(', ')}`, path, change: () => ({}) });
  }
  for (const [key, child] of Object.entries(flat.properties)) {
    const p = [...path, key];
    const here = p.join('.');
    for (const [type, value] of Object.entries(OF_TYPE))
      if (type !== child.type) out.push({ where: `${here} as ${type}`, path: p, change: () => value, member: true });
    for (const variant of enumVariants(child))
      out.push({ where: `${here} ${JSON.stringify(variant)}`, path: p, change: () => variant, member: true });
    if (child.type === 'object') out.push(...changesOf(child, p));
  }
  return out;
}

/** Near misses of each enumerated value: its case changed, spaces at either end, a letter more. */
function enumVariants(flat: Flat): string[] {
  return (flat.enum ?? []).flatMap((e) =>
    typeof e === 'string' ? [e.toUpperCase(), e[0].toUpperCase() + e.slice(1), ` ${e}`, `${e} `, `${e}s`, ''] : [],
  );
}

/** `{ Name: … }` for `{ name: … }`, the member's place in the object kept. */
function renamed(node: Json, from: string, to: string): Json {
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k === from ? to : k, v]));
}

/**
 * Every way to break the schema's constraints once, each kind of wrong value once (every JSON type,
 * null included, in every field; every field missing, or present only in another case), with the rule
 * that decides its refusal. A change the schema allows after all (a basic without bearer) is left out.
 */
export function brokenBodies(profile: Profile): BrokenBody[] {
  const out: BrokenBody[] = [];
  for (const base of ['bearer', 'basic'] as const) {
    for (const c of changesOf(schemaOf(profile, 'Provider'), [])) {
      const body = sample(base, 'probe', 'marker-value');
      if (!holds(body, c.member ? c.path.slice(0, -1) : c.path)) continue;
      // A member the base lacks is added beside the one it has (Go drops a null pointer there and takes the rest).
      const what = holds(body, c.path) || c.path.length === 0 ? c.where : `${c.where}, beside a valid ${base}`;
      const verdict = judge(profile, changed(body, c.path, c.change));
      if (verdict.kind !== 'invalid' || !verdict.rule || out.some((b) => b.what === what)) continue;
      out.push({
        what,
        rule: verdict.rule,
        text: (n, m) => JSON.stringify(changed(sample(base, n, m), c.path, c.change)),
      });
    }
  }
  return out;
}

/** The body holds an object, or a member, at `path`. */
function holds(body: Json, path: string[]): boolean {
  let node: unknown = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Json)[key];
  }
  return true;
}

/**
 * Texts that are not exactly one JSON text (RFC 8259) but that a lenient parser reads as a provider:
 * Go's json.Decoder stops after the first value, JSON5 and Jackson's features take comments, single
 * quotes, unquoted names and trailing commas, Python's json takes NaN and Infinity.
 */
export function syntaxNearMisses(): BrokenBody[] {
  const json = JSON.stringify;
  const valid = (n: string, m: string) => json(sample('bearer', n, m));
  const basic = (n: string, m: string) => json(sample('basic', n, m));
  const near = (what: string, text: BrokenBody['text']): BrokenBody => ({
    what,
    rule: 'POST-400-MALFORMED-JSON',
    text,
  });
  return [
    near('text after the value', (n, m) => `${valid(n, m)} x`),
    near('a closing brace too many', (n, m) => `${valid(n, m)}}`),
    near('a second JSON value after it', (n, m) => `${valid(n, m)}${valid(`${n}x`, m)}`),
    near('a second value on the next line', (n, m) => `${valid(n, m)}\n${valid(`${n}x`, m)}`),
    near('null after the value', (n, m) => `${valid(n, m)} null`),
    near('a block comment before it', (n, m) => `/* c */${valid(n, m)}`),
    near('a line comment after it', (n, m) => `${valid(n, m)} // c`),
    near('a comment inside the object', (n, m) => `{/* c */${valid(n, m).slice(1)}`),
    near('a trailing comma in the object', (n, m) => `${valid(n, m).slice(0, -1)},}`),
    near('a trailing comma in config', (n, m) => `${valid(n, m).slice(0, -2)},}}`),
    near('a trailing comma in basic', (n, m) => `${basic(n, m).slice(0, -3)},}}}`),
    near('single-quoted strings', (n, m) => valid(n, m).replace(/"/g, "'")),
    near('single-quoted values', (n, m) => `{"name":'${n}',"type":'www',"config":{"bearer":'${m}'}}`),
    near('unquoted member names', (n, m) => `{name:"${n}",type:"www",config:{bearer:"${m}"}}`),
    near('NaN in an extra member', (n, m) => `${valid(n, m).slice(0, -1)},"priority":NaN}`),
    near('Infinity in an extra member of config', (n, m) => `${valid(n, m).slice(0, -2)},"weight":Infinity}}`),
    near('-Infinity as the bearer', (n) => `{"name":"${n}","type":"www","config":{"bearer":-Infinity}}`),
    near('a number with a leading zero', (n, m) => `${valid(n, m).slice(0, -1)},"retries":007}`),
    near('a hexadecimal number', (n, m) => `${valid(n, m).slice(0, -1)},"retries":0x1F}`),
    near('a raw tab inside a string', (n, m) => valid(n, `${m}\tx`).replace('\\t', '\t')),
    near('an escape JSON does not have', (n, m) => valid(n, m).replace(`"${m}"`, `"${m}\\x41"`)),
  ];
}

/** Bodies whose reading the rules leave open (decisions: a BOM, duplicate member names, a lone surrogate). */
export function openSyntax(): { what: string; text: (name: string, marker: string) => string }[] {
  const valid = (n: string, m: string) => JSON.stringify(sample('bearer', n, m));
  return [
    { what: 'a UTF-8 byte-order mark before the JSON', text: (n, m) => `\ufeff${valid(n, m)}` },
    { what: 'the member name twice', text: (n, m) => `{"name":"${n}x",${valid(n, m).slice(1)}` },
    { what: 'a lone surrogate escape in the bearer', text: (n, m) => valid(n, m).replace(`"${m}"`, `"${m}\\ud800"`) },
    { what: 'a lone surrogate escape in the name', text: (n, m) => valid(n, m).replace(`"${n}"`, `"${n}\\udc00"`) },
  ];
}

/**
 * Providers of every shape the rules leave open, each once (an empty string in each field, both basic
 * and bearer, a member the API does not define): a server may refuse them with 400, and one that takes
 * them keeps them exactly (a binder that drops an empty string on the way out breaks that).
 */
export function openShapes(marker: string): { what: string; provider: (name: string) => Json }[] {
  const basic = { username: `user-${marker}`, password: marker };
  const shape = (what: string, config: Json, extra: Json = {}) => ({
    what,
    provider: (name: string) => ({ name, type: 'www', config, ...extra }),
  });
  return [
    shape('both basic and bearer', { basic, bearer: marker }),
    shape('an empty bearer beside a basic', { basic, bearer: '' }),
    shape('an empty bearer', { bearer: '' }),
    shape('an empty username', { basic: { ...basic, username: '' } }),
    shape('an empty password', { basic: { ...basic, password: '' } }),
    shape('an empty basic beside a bearer', { basic: { username: '', password: '' }, bearer: marker }),
    shape('a member the API does not define', { bearer: marker }, { description: 'extra' }),
  ];
}

/** Names that a store may merge with one another or change, each family with the rule that merging them breaks. */
export interface NameFamily {
  what: string;
  rule: 'NAME-EXACT' | 'NAME-CASE-SENSITIVE';
  names: string[];
}

const FULL_WIDTH = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const padded = (base: string, length: number) => base.padEnd(length, 'x').slice(0, length);

/**
 * Families of names around `base` (letters only) that a collation, a normaliser or a column type
 * would merge or change, and number-like names a loosely typed column turns into numbers. Every member
 * differs from the others in at least one code point, so each is a provider of its own.
 */
export function nameFamilies(base: string): NameFamily[] {
  const exact = (what: string, names: string[]): NameFamily => ({ what, rule: 'NAME-EXACT', names });
  return [
    { what: 'case', rule: 'NAME-CASE-SENSITIVE', names: [base, base.toUpperCase()] },
    { what: 'full-width compatibility forms', rule: 'NAME-CASE-SENSITIVE', names: [base, FULL_WIDTH(base)] },
    exact('accents (accent-insensitive collations)', [`${base}e`, `${base}\u00e9`, `${base}\u00e8`]),
    exact('composed and decomposed accents (Unicode normalisation)', [`${base}\u00e9`, `${base}e\u0301`]),
    exact('spaces and tabs at the ends (trimming, PAD SPACE collations)', [
      base,
      `${base} `,
      ` ${base}`,
      `${base}  `,
      `${base}\t`,
      `\t${base}`,
      `${base}\u00a0`,
    ]),
    exact('zero-width characters', [`${base}z`, `${base}\u200bz`, `${base}z\u200d`, `\ufeff${base}z`]),
    exact("'-' and '_'", [`${base}-x`, `${base}_x`, `${base}x`]),
    exact('percent-encoded text', [`${base}%41`, `${base}A`]),
    exact("'.' and '$' (document-store keys)", [`${base}.x`, `${base}$x`, `${base}x`]),
    exact('number-like names (column affinity, loose typing)', [
      '007',
      '7',
      '7.0',
      '1e3',
      '1000',
      '0x1F',
      '31',
      '-0',
      '0',
    ]),
    exact('names that read as other JSON values', ['true', 'false', 'null', 'NaN', '[]', '{}']),
    exact('lengths around a 64-character column', [
      padded(`${base}a`, 64),
      `${padded(`${base}a`, 64)}b`,
      `${padded(`${base}a`, 64)}c`,
    ]),
    exact('lengths around a 191-character index', [`${padded(`${base}b`, 191)}b`, `${padded(`${base}b`, 191)}c`]),
    exact('lengths around a 255-character column', [`${padded(`${base}c`, 255)}b`, `${padded(`${base}c`, 255)}c`]),
    exact('characters past U+FFFF (utf8mb3 columns)', [
      `${base}\u{1d11e}`,
      `${base}?`,
      `${base}\ufffd`,
      `${base}\u{1f600}`,
    ]),
    exact('NUL (C strings)', [`${base}y`, `${base}y\u0000`, `${base}y\u0000z`]),
  ];
}

/**
 * Values of the lengths where columns cut (255, 256, 1 024, 4 096) and past a read buffer (64 KiB), in
 * characters of one to four bytes in UTF-8, the long ones at every byte alignment, so that a buffer
 * boundary falls inside a character whatever comes before the value in the body.
 */
export function lengthFamilies(marker: string): { what: string; value: string }[] {
  const out: { what: string; value: string }[] = [];
  // The marker (a secret of the run) stands in the middle, so that no two values are alike and the
  // leak search can tell each from any text; the length in characters stays.
  const marked = (value: string) => overwritten(value, Math.trunc(pointCount(value) / 2), marker);
  for (const unit of ['x', 'é', '中', '𝄞']) {
    for (const length of [255, 256, 1024, 4096])
      out.push({ what: `${length} × '${unit}'`, value: marked(unit.repeat(length)) });
  }
  for (const [unit, bytes] of [
    ['é', 2],
    ['中', 3],
    ['𝄞', 4],
  ] as const) {
    const count = Math.ceil(80_000 / bytes);
    for (let shift = 0; shift < bytes; shift++)
      out.push({
        what: `${shift} × 'a' then ${count} × '${unit}' (80 KB)`,
        value: marked('a'.repeat(shift) + unit.repeat(count)),
      });
  }
  return out;
}

/** A provider of `name` whose bearer is `marker`: each member of a family carries its own. */
export const markedProvider = (name: string, marker: string): Provider => ({
  name,
  type: 'www',
  config: { bearer: marker },
});

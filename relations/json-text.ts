// The same value as different JSON texts (RFC 8259: insignificant whitespace, member order, escapes):
// what real clients send. A store must keep each the same. Pure: the generated bodies, the wire checks
// and relations/catalogue.ts's JSON-text equivalences write bodies with them.

type Json = Record<string, unknown>;

/** How a client may write the same value as JSON text. */
export interface Encoding {
  id: string;
  what: string;
  write: (value: unknown) => string;
}

/** A JSON string with each UTF-16 unit that `escape` picks written as \uXXXX (an astral character as its surrogate pair). */
function escaped(text: string, escapes: (unit: number) => boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out +=
      unit < 0x20 || escapes(unit)
        ? `\\u${unit.toString(16).padStart(4, '0')}`
        : unit === 0x22
          ? '\\"'
          : unit === 0x5c
            ? '\\\\'
            : text[i];
  }
  return `"${out}"`;
}

/** JSON text with strings written by `string`, members in `order`, and `space` between them. */
function written(
  value: unknown,
  string: (s: string) => string,
  order: (keys: string[]) => string[],
  space: string,
  depth = 0,
): string {
  const pad = space ? `\n${space.repeat(depth + 1)}` : '';
  const end = space ? `\n${space.repeat(depth)}` : '';
  if (typeof value === 'string') return string(value);
  if (Array.isArray(value))
    return `[${value.map((v) => `${pad}${written(v, string, order, space, depth + 1)}`).join(',')}${value.length ? end : ''}]`;
  if (value !== null && typeof value === 'object') {
    const keys = order(Object.keys(value));
    const members = keys.map(
      (k) => `${pad}${string(k)}:${space ? ' ' : ''}${written((value as Json)[k], string, order, space, depth + 1)}`,
    );
    return `{${members.join(',')}${keys.length ? end : ''}}`;
  }
  return JSON.stringify(value);
}

const asIs = (keys: string[]) => keys;
/** Strings with nothing escaped that need not be: raw UTF-8 on the wire. */
const raw = (s: string) => JSON.stringify(s);

/** The same value as different JSON texts: what real clients send. Every one must be stored the same. */
export const ENCODINGS: readonly Encoding[] = [
  { id: 'json-compact', what: 'compact, raw UTF-8', write: (v) => JSON.stringify(v) },
  // Python's json.dumps by default: ASCII only, astral characters as escaped surrogate pairs.
  {
    id: 'json-ascii',
    what: 'ASCII only, \\u-escaped',
    write: (v) => written(v, (s) => escaped(s, (u) => u > 0x7f), asIs, ''),
  },
  {
    id: 'json-escaped',
    what: 'every character \\u-escaped',
    write: (v) => written(v, (s) => escaped(s, () => true), asIs, ''),
  },
  { id: 'json-slash', what: "with '/' escaped", write: (v) => JSON.stringify(v).replace(/\//g, '\\/') },
  {
    id: 'json-pretty',
    what: 'pretty-printed, CRLF and tabs',
    write: (v) => `${written(v, raw, asIs, '\t').replace(/\n/g, '\r\n')}\r\n`,
  },
  {
    id: 'json-reversed',
    what: 'members in reverse order',
    write: (v) => written(v, raw, (keys) => [...keys].reverse(), ''),
  },
];

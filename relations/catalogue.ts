// The relations the standards under this API set between requests, each with its source: requests
// that must get the same answer and have the same effect (equivalences), requests that must not be
// taken for one another (distinctions), repetitions whose effect the rules fix, and the choices the
// rules leave open wherever their clause reaches. A check does not list the faults its author
// imagined: it applies a relation to every request and field it covers, and a server that breaks the
// relation anywhere fails it. The checks (tests/http.spec.ts), the generated sequences
// (driver/commands.ts) and docs/relations.md (generated from this file: npm run relations-table) read it.
import type { RuleId } from '../rules/catalogue.ts';
import { ENCODINGS } from './json-text.ts';
import {
  chunked,
  eachField,
  field,
  fieldValue,
  insideACharacter,
  mixedCase,
  titleCase,
  withField,
  type WireRequest,
} from './wire.ts';

/** The requests of the API a relation is applied to (DELETE-ONE: the revision's DELETE of provider/{name}). */
export type Operation = 'POST' | 'GET' | 'DELETE' | 'DELETE-ONE';
export const OPERATIONS: readonly Operation[] = ['POST', 'GET', 'DELETE', 'DELETE-ONE'];
const ALL = OPERATIONS;
const WITH_BODY: readonly Operation[] = ['POST'];
const WITHOUT_BODY: readonly Operation[] = ['GET', 'DELETE', 'DELETE-ONE'];

interface Entry {
  /** Stable, unique: a sequence that failed names its form by it. */
  id: string;
  /** Its group in docs/relations.md. */
  family: string;
  /** What the request is, or what is done, in words a report can print after "sent with". */
  what: string;
  /** The standard and section that makes it so (or docs/rules.md, for the rules of this API). */
  source: string;
  /** What the source says, in a sentence. */
  says: string;
  /** The rule a failure of it breaks; `ruleFor` when it depends on the operation. */
  rule: RuleId;
}

/** Two requests the standards say mean the same: the variant must get the same answer and have the same effect. */
export interface Equivalence extends Entry {
  kind: 'equivalence';
  ops: readonly Operation[];
  /** Only for a request that carries Authorization (its scheme or token is what changes). */
  needsAuthorization?: true;
  /** The operation's own rule, where it is not `rule` (the Accept of a GET is GET-ACCEPT-JSON's). */
  ruleFor?: Partial<Record<Operation, RuleId>>;
  /** The connection the variant goes on: a new one, or one that has already served a request (the default). */
  connection?: 'fresh' | 'kept';
  /** The plain request, rewritten. */
  apply: (w: WireRequest) => WireRequest;
}

/** Two requests the standards say differ: the variant must not be taken for the original. */
export interface Distinction extends Entry {
  kind: 'distinction';
  ops: readonly Operation[];
  /** The bot id the variant addresses, made from the real one; undefined where it would be the same id. */
  botId?: (id: string) => string | undefined;
  /** The name the variant's provider/{name} says, made from a listed provider's; that provider must stay. */
  name?: (name: string) => string | undefined;
  /** A safe method on a path of the list: it must change nothing, whatever it answers. */
  safe?: { method: 'GET' | 'HEAD'; path: 'list' | 'item' };
}

/** One step of a repetition: a POST of body A, B or C (`@other`: under another name, `@second`: on the second bot), a pause, a DELETE of the list, a refusal. */
export type RepeatStep = 'A' | 'B' | 'C' | 'A@other' | 'A@second' | 'A!credentials' | 'pause' | 'delete' | 'invalid';

/** A request sent again, in a pattern whose effect the rules fix: the list must be what the model of the rules says. */
export interface Repetition extends Entry {
  kind: 'repetition';
  steps: readonly RepeatStep[];
}

/** A choice the rules leave to the server, and everywhere their clause reaches: either answer is taken, in every field and place it names. */
export interface Openness extends Entry {
  kind: 'openness';
  /** Where the clause reaches. */
  where: string;
  /** How the suite honours it. */
  appliedBy: string;
}

export type Relation = Equivalence | Distinction | Repetition | Openness;

const equivalence = (
  family: string,
  [source, says]: [string, string],
  ops: readonly Operation[],
  variants: [id: string, what: string, apply: Equivalence['apply'], more?: Partial<Equivalence>][],
  rule: RuleId = 'HTTP-EQUIVALENT',
): Equivalence[] =>
  variants.map(([id, what, apply, more]) => ({
    kind: 'equivalence',
    id,
    family,
    what,
    source,
    says,
    rule,
    ops,
    apply: (w) => ({ ...apply(w), form: what }),
    ...more,
  }));

const renamed = (change: (name: string) => string) => (w: WireRequest) => eachField(w, ([n, v]) => [change(n), v]);
/** Each field value rewritten, from the value without its whitespace (spaces and tabs only: a no-break space is part of a value). */
const revalued = (change: (value: string) => string) => (w: WireRequest) =>
  eachField(w, ([n, v]) => [n, change(fieldValue(v))]);
/** The Authorization value rewritten (its scheme and token), where the request has one. */
const authorization = (change: (scheme: string, credential: string) => string) => (w: WireRequest) => {
  const value = field(w, 'authorization');
  const parts = value && /^(\S+) +(.*)$/.exec(value);
  return parts ? withField(w, 'authorization', change(parts[1], parts[2])) : w;
};
const contentType = (value: string) => (w: WireRequest) =>
  field(w, 'content-type') === undefined ? w : withField(w, 'content-type', value);
const accept = (value: string | undefined) => (w: WireRequest) => withField(w, 'accept', value);
/** The body, when it is JSON, written another way, its Content-Length with it. */
function rewritten(w: WireRequest, write: (value: unknown) => string): WireRequest {
  let value: unknown;
  try {
    value = JSON.parse(w.body?.toString('utf8') ?? '');
  } catch {
    return w;
  }
  const body = Buffer.from(write(value), 'utf8');
  return { ...withField(w, 'content-length', String(body.length)), body };
}
const cutsEvery = (size: number, length: number) =>
  Array.from({ length: Math.ceil(length / size) }, (_, i) => i * size);

export const EQUIVALENCES: readonly Equivalence[] = [
  ...equivalence('Field names', ['RFC 9110 § 5.1', 'Field names are case-insensitive.'], ALL, [
    ['names-title', 'field names capitalised (Authorization, Content-Type)', renamed(titleCase)],
    ['names-upper', 'field names in upper case (AUTHORIZATION)', renamed((n) => n.toUpperCase())],
    ['names-mixed', 'field names in mixed case (aUtHoRiZaTiOn)', renamed(mixedCase)],
  ]),
  ...equivalence(
    'Field order',
    ['RFC 9110 § 5.3', 'The order in which field lines with different names are received is not significant.'],
    ALL,
    [
      ['order-reversed', 'field lines in reverse order', (w) => ({ ...w, fields: [...w.fields].reverse() })],
      [
        'order-rotated',
        'Host last, every other field line first',
        (w) => ({ ...w, fields: [...w.fields.slice(1), w.fields[0]] }),
      ],
    ],
  ),
  ...equivalence(
    'Whitespace around field values',
    ['RFC 9110 § 5.5, RFC 9112 § 5.1', 'Whitespace before and after a field value is not part of the value.'],
    ALL,
    [
      ['ows-none', 'no space after the colons', revalued((v) => v)],
      ['ows-tab', 'a tab after the colons', revalued((v) => `\t${v}`)],
      ['ows-trailing', 'spaces after every value', revalued((v) => ` ${v}   `)],
      ['ows-wide', 'three spaces after the colons', revalued((v) => `   ${v}`)],
    ],
  ),
  ...equivalence(
    'Credentials syntax',
    ['RFC 9110 § 11.4, RFC 6750 § 2.1', 'credentials = auth-scheme 1*SP token: one space or more.'],
    ALL,
    [['auth-two-spaces', 'two spaces between Bearer and the token', authorization((s, c) => `${s}  ${c}`)]].map(
      ([id, what, apply]) =>
        [id, what, apply, { needsAuthorization: true }] as [string, string, Equivalence['apply'], Partial<Equivalence>],
    ),
  ),
  ...equivalence(
    'Authentication scheme',
    ['RFC 9110 § 11.1', 'The authentication scheme is case-insensitive.'],
    ALL,
    [
      [
        'scheme-lower',
        "the scheme written 'bearer'",
        authorization((_, c) => `bearer ${c}`),
        { needsAuthorization: true },
      ],
      [
        'scheme-upper',
        "the scheme written 'BEARER'",
        authorization((_, c) => `BEARER ${c}`),
        { needsAuthorization: true },
      ],
    ],
    'AUTH-SCHEME-CASE',
  ),
  ...equivalence(
    'Media type',
    [
      'RFC 9110 § 8.3.1, § 8.3.2, § 5.6.6; RFC 8259 § 11',
      'Type, subtype, parameter names and charset values are case-insensitive; whitespace may stand around ";"; a quoted parameter value is the same value; a charset parameter on JSON has no effect.',
    ],
    WITH_BODY,
    [
      ['type-case', 'Content-Type: Application/JSON', contentType('Application/JSON')],
      ['type-charset', 'Content-Type: application/json; charset=utf-8', contentType('application/json; charset=utf-8')],
      [
        'type-charset-upper',
        'Content-Type: application/json;charset=UTF-8',
        contentType('application/json;charset=UTF-8'),
      ],
      [
        'type-charset-quoted',
        'Content-Type: APPLICATION/JSON ; Charset="utf-8"',
        contentType('APPLICATION/JSON ; Charset="utf-8"'),
      ],
    ],
  ),
  ...equivalence(
    'Accept',
    [
      'RFC 9110 § 12.5.1',
      'No Accept means any media type; */* and application/* include application/json; media types are case-insensitive.',
    ],
    ALL,
    [
      ['accept-none', 'no Accept field', accept(undefined)],
      ['accept-any', 'Accept: */*', accept('*/*')],
      ['accept-application', 'Accept: application/*', accept('application/*')],
      ['accept-weighted', 'Accept: application/json, */*;q=0.8', accept('application/json, */*;q=0.8')],
      ['accept-case', 'Accept: Application/JSON', accept('Application/JSON')],
    ].map(
      ([id, what, apply]) =>
        [id, what, apply, { ruleFor: { GET: 'GET-ACCEPT-JSON' } }] as [
          string,
          string,
          Equivalence['apply'],
          Partial<Equivalence>,
        ],
    ),
  ),
  ...equivalence(
    'Message framing',
    [
      'RFC 9112 § 6.1, § 7, § 7.1',
      'A body framed by Content-Length or sent chunked is the same content; chunk boundaries carry no meaning; transfer-coding names are case-insensitive; an unknown chunk extension is ignored; a trailer section may be.',
    ],
    WITH_BODY,
    [
      ['chunked-one', 'the body chunked, in one chunk', (w) => chunked(w, { cuts: [] })],
      [
        'chunked-halves',
        'the body chunked, cut in the middle',
        (w) => chunked(w, { cuts: [Math.floor((w.body?.length ?? 0) / 2)] }),
      ],
      [
        'chunked-in-character',
        'the body chunked, cut inside a UTF-8 character',
        (w) => chunked(w, { cuts: [insideACharacter(w.body)] }),
      ],
      [
        'chunked-small',
        'the body chunked in pieces of 5 bytes',
        (w) => chunked(w, { cuts: cutsEvery(5, w.body?.length ?? 0) }),
      ],
      [
        'chunked-paused',
        'the body chunked in three chunks, 10 ms apart',
        (w) => {
          const n = w.body?.length ?? 0;
          return chunked(w, { cuts: [Math.floor(n / 3), Math.floor((2 * n) / 3)], pauseMs: 10 });
        },
      ],
      [
        'chunked-extension',
        'the body chunked, each chunk with an extension (;x=1)',
        (w) => chunked(w, { cuts: [Math.floor((w.body?.length ?? 0) / 2)], extension: ';x=1' }),
      ],
      [
        'chunked-trailer',
        'the body chunked, hex sizes in upper case, then a trailer field',
        (w) =>
          chunked(w, { cuts: cutsEvery(26, w.body?.length ?? 0), upperHex: true, trailer: [['x-checksum', 'none']] }),
      ],
      [
        'chunked-case',
        'Transfer-Encoding: Chunked',
        (w) => chunked(w, { cuts: [Math.floor((w.body?.length ?? 0) / 2)] }, 'Chunked'),
      ],
    ],
  ),
  ...equivalence(
    'Message framing',
    ['RFC 9112 § 6.3, RFC 9110 § 8.6', 'Content-Length: 0 is a message without content.'],
    WITHOUT_BODY,
    [['empty-length', 'Content-Length: 0', (w) => withField(w, 'content-length', '0')]],
  ),
  ...equivalence(
    'Content codings',
    [
      'RFC 9110 § 12.5.3, § 8.4',
      'A client that accepts gzip, deflate or br reads the same content, whichever coding the server picks (or none).',
    ],
    ALL,
    [
      [
        'accept-encoding',
        'Accept-Encoding: gzip, deflate, br',
        (w) => withField(w, 'accept-encoding', 'gzip, deflate, br'),
      ],
    ],
  ),
  ...equivalence(
    'Conditional and cache requests',
    [
      'RFC 9110 § 13.1.2, § 13.1.3; RFC 9111 § 5.2.1',
      'An If-None-Match that matches no current representation, or an If-Modified-Since before any change, leaves a GET as it is; a request asking caches not to serve it stored means the same to the origin.',
    ],
    ['GET'],
    [
      [
        'if-none-match',
        'If-None-Match: "no-such-etag"',
        (w) => withField(w, 'if-none-match', '"conformance-no-such-etag"'),
      ],
      [
        'if-modified-since',
        'If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT',
        (w) => withField(w, 'if-modified-since', 'Thu, 01 Jan 1970 00:00:01 GMT'),
      ],
      [
        'no-cache',
        'Cache-Control: no-cache and Pragma: no-cache',
        (w) => withField(withField(w, 'cache-control', 'no-cache'), 'pragma', 'no-cache'),
      ],
    ],
  ),
  ...equivalence(
    'Request line',
    [
      'RFC 9112 § 3.2.2, § 2.3',
      'A server must accept the request-target in absolute form; an HTTP/1.0 request with the same content means the same (only the connection ends after it).',
    ],
    ALL,
    [
      ['target-absolute', 'the request-target in absolute form (http://host/path)', (w) => ({ ...w, absolute: true })],
      ['version-1.0', 'HTTP/1.0 in the request line', (w) => ({ ...w, version: '1.0' }), { connection: 'fresh' }],
    ],
  ),
  ...equivalence(
    'Expectations',
    [
      'RFC 9110 § 10.1.1',
      'Expect: 100-continue asks for a 100 before the body; the server answers 100, or at once with the final status.',
    ],
    WITH_BODY,
    [
      [
        'expect-continue',
        'Expect: 100-continue',
        (w) => ({ ...withField(w, 'expect', '100-continue'), expectContinue: true }),
      ],
    ],
  ),
  ...equivalence(
    'JSON text',
    [
      'RFC 8259 § 2, § 4, § 7',
      'Whitespace between tokens, the order of members and escapes in strings do not change the value.',
    ],
    WITH_BODY,
    ENCODINGS.slice(1).map(({ id, what, write }): [string, string, Equivalence['apply']] => [
      id,
      `the body written ${what}`,
      (w) => rewritten(w, write),
    ]),
    'GET-CONFIG-ROUNDTRIP',
  ),
  ...equivalence(
    'Connections',
    [
      'RFC 9112 § 9.3, § 9.6',
      'A request means the same on a new or a persistent connection; Connection: close only ends the connection after the answer.',
    ],
    ALL,
    [
      ['connection-fresh', 'on a new connection', (w) => w, { connection: 'fresh' }],
      ['connection-kept', 'on a connection that has already served a request', (w) => w, { connection: 'kept' }],
      ['connection-close', 'Connection: close', (w) => withField(w, 'connection', 'close'), { connection: 'fresh' }],
    ],
  ),
];

/** RFC 3986 § 6.2.2.1: a path is compared case-sensitively and code point by code point. */
const SEGMENTS = 'RFC 3986 § 6.2.1, § 6.2.2.1';
const EXACT_SEGMENTS =
  'Path segments compare exactly, code point by code point and case included: another spelling is another resource.';
/** Every octet of `text`'s UTF-8 as %XX, unreserved characters too. */
const percentEncoded = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
/** `text` with its first character percent-encoded, as literal text: sent, its '%' goes as %25. */
const percentLiteral = (text: string) =>
  text
    ? percentEncoded(String.fromCodePoint(text.codePointAt(0)!)) + text.slice(text.codePointAt(0)! > 0xffff ? 2 : 1)
    : undefined;
const DECODED_ONCE: [string, string] = [
  'RFC 3986 § 2.4',
  'A URI is decoded once: %25 is a literal %, and what follows it is data, not a percent-encoding to decode again.',
];
const swapFirstLetter = (id: string) => {
  const i = id.search(/[a-z]/i);
  return i < 0
    ? undefined
    : id.slice(0, i) + (id[i] === id[i].toLowerCase() ? id[i].toUpperCase() : id[i].toLowerCase()) + id.slice(i + 1);
};
export const DISTINCTIONS: readonly Distinction[] = [
  ['bot-upper', 'the bot id in upper case', (id: string) => (id.toUpperCase() === id ? undefined : id.toUpperCase())],
  ['bot-lower', 'the bot id in lower case', (id: string) => (id.toLowerCase() === id ? undefined : id.toLowerCase())],
  ['bot-first-letter', 'the bot id with its first letter in the other case', swapFirstLetter],
  ['bot-longer', 'the bot id with a character added', (id: string) => `${id}x`],
  [
    'bot-shorter',
    'the bot id with its last character cut',
    (id: string) => (id.length > 1 ? id.slice(0, -1) : undefined),
  ],
  ['bot-space', 'the bot id with a space after it (%20)', (id: string) => `${id} `],
  [
    'bot-percent-literal',
    "the bot id with its first character percent-encoded, the '%' itself as %25",
    percentLiteral,
    ...DECODED_ONCE,
  ],
].map(
  ([id, what, botId, source = SEGMENTS, says = EXACT_SEGMENTS]): Distinction => ({
    kind: 'distinction',
    id: id as string,
    family: 'Bot ids',
    what: what as string,
    source: source as string,
    says: says as string,
    rule: 'BOT-ID-EXACT',
    ops: ALL,
    botId: botId as Distinction['botId'],
  }),
);

/** The revision's provider/{name} is decoded once too: the name it says is not a listed one decoded again. */
export const NAME_DISTINCTIONS: readonly Distinction[] = [
  {
    kind: 'distinction',
    id: 'name-percent-literal',
    family: 'Provider names',
    what: "provider/{name} with a listed provider's name, its first character percent-encoded and the '%' itself as %25",
    source: DECODED_ONCE[0],
    says: DECODED_ONCE[1],
    rule: 'REV-DELETE-ONE',
    ops: ['DELETE-ONE'],
    name: percentLiteral,
  },
];

/** RFC 9110 § 9.2.1: GET and HEAD are safe; a request with them is not a write, whatever path it names. */
export const SAFE_METHODS: readonly Distinction[] = (
  [
    ['safe-get-item', 'GET of provider/{name} of a listed provider', { method: 'GET', path: 'item' }],
    ['safe-head-item', 'HEAD of provider/{name} of a listed provider', { method: 'HEAD', path: 'item' }],
    ['safe-head-list', 'HEAD of the list', { method: 'HEAD', path: 'list' }],
  ] as const
).map(
  ([id, what, safe]): Distinction => ({
    kind: 'distinction',
    id,
    family: 'Safe methods',
    what,
    source: 'RFC 9110 § 9.2.1',
    says: 'GET and HEAD are safe: a client asks for no change of state with them, and none may come of them.',
    rule: 'GET-SAFE',
    ops: ['GET'],
    safe,
  }),
);

/** How long the repetition with a pause waits: longer than a client's retry, as a server's memory of one might be. */
export const PAUSE_MS = 250;

const REPEAT_SOURCE =
  'docs/rules.md (a repeated request has exactly the effect the rules give it; reusing a name overwrites the entry)';
export const REPETITIONS: readonly Repetition[] = [
  ['repeat-twice', 'the same POST twice, back to back', ['A', 'A']],
  ['repeat-after-pause', `the same POST again after a pause of ${PAUSE_MS} ms`, ['A', 'pause', 'A']],
  ['repeat-aba', 'a provider posted, replaced, then posted again', ['A', 'B', 'A']],
  ['repeat-abca', 'a provider posted, replaced twice, then posted again', ['A', 'B', 'C', 'A']],
  ['repeat-after-delete', 'a provider posted again after a DELETE of the list', ['A', 'delete', 'A']],
  [
    'repeat-after-refusal',
    'a provider posted again right after the same POST was refused for its credentials',
    ['A!credentials', 'A'],
  ],
  [
    'repeat-after-invalid',
    'a provider posted right after an invalid body, and the invalid body again',
    ['invalid', 'A', 'invalid'],
  ],
  ['repeat-other-name', 'the same config under another name', ['A', 'A@other']],
  ['repeat-other-bot', 'the same provider on the second bot', ['A', 'A@second']],
].map(
  ([id, what, steps]): Repetition => ({
    kind: 'repetition',
    id: id as string,
    family: 'Repetitions',
    what: what as string,
    source: REPEAT_SOURCE,
    says: 'A repeated request has exactly the effect the rules give it; reusing a name overwrites the entry; no request is dropped as a supposed retry.',
    rule: 'REPEAT-SAME-EFFECT',
    steps: steps as RepeatStep[],
  }),
);

export const OPENNESS: readonly Openness[] = [
  {
    id: 'open-unkeepable-characters',
    what: 'a name or value holding a character a store may lack: a control character (U+0000 to U+001F, U+007F to U+009F), a character past U+FFFF, a noncharacter, a lone surrogate',
    where: 'every string of a provider: name, username, password, bearer; in every generated POST and every wire check',
    appliedBy: 'model/rules.ts (openChoice): refused with 400, or taken and kept exactly',
  },
  {
    id: 'open-empty-strings',
    what: 'an empty string',
    where: 'name, username, password and bearer',
    appliedBy: 'model/rules.ts (openChoice); the open shapes of tests/get.spec.ts',
  },
  {
    id: 'open-both-credentials',
    what: 'a config holding both basic and bearer',
    where: 'config',
    appliedBy: 'model/rules.ts (openChoice); the open shapes of tests/get.spec.ts',
  },
  {
    id: 'open-extra-fields',
    what: 'members the API does not define',
    where:
      'the provider, config and basic in a POST; entries, settings and application in a GET (never inside a listed config)',
    appliedBy: 'model/rules.ts (openChoice); the GET schema',
  },
  {
    id: 'open-long-values',
    what: 'a value longer than 4 096 characters (refused with 400 or 413)',
    where: 'name, username, password and bearer',
    appliedBy: 'model/rules.ts (openChoice, CONTENT_TOO_LARGE)',
  },
  {
    id: 'open-revision-names',
    what: "a name outside the later revision's characters, in the default profile",
    where: 'name',
    appliedBy: 'model/rules.ts (openChoice)',
  },
  {
    id: 'open-syntax',
    what: 'a byte-order mark, duplicate member names, invalid UTF-8 or a lone surrogate escape',
    where: 'every POST body',
    appliedBy: 'tests/robustness.spec.ts (bodies whose reading the rules leave open)',
  },
  {
    id: 'open-media-type',
    what: 'a body without Content-Type: application/json (parsed, or refused with 400 or 415)',
    where: 'POST',
    appliedBy: 'tests/robustness.spec.ts',
  },
  {
    id: 'open-accept',
    what: 'an Accept that does not admit application/json (406, or JSON anyway)',
    where: 'every operation',
    appliedBy: 'not sent: only the Accept values of the equivalences are',
  },
  {
    id: 'open-order',
    what: 'the order of the listed providers',
    where: 'GET',
    appliedBy: 'model/divergence.ts (lists compared as sets)',
  },
  {
    id: 'open-connection-close',
    what: 'closing the connection after an answer (RFC 9112 § 9.3), or answering Expect: 100-continue at once with the final status',
    where: 'every request',
    appliedBy: 'client/raw-http.ts: a closed connection is reopened and reported only when it was closed',
  },
].map(
  (o): Openness => ({
    kind: 'openness',
    family: 'Choices left open',
    source: 'docs/rules.md',
    says: 'Where the rules leave a choice, either answer is taken, in every field and place the clause reaches.',
    rule: 'POST-VALID-200',
    ...o,
  }),
);

export const RELATIONS: readonly Relation[] = [
  ...EQUIVALENCES,
  ...DISTINCTIONS,
  ...NAME_DISTINCTIONS,
  ...SAFE_METHODS,
  ...REPETITIONS,
  ...OPENNESS,
];

/** The rule an equivalence's failure breaks on an operation. */
export const ruleOn = (e: Equivalence, op: Operation): RuleId => e.ruleFor?.[op] ?? e.rule;

/** The equivalences that apply to a request of `op`, with or without an Authorization field. */
export function equivalencesFor(op: Operation, withAuthorization: boolean): Equivalence[] {
  return EQUIVALENCES.filter((e) => e.ops.includes(op) && (withAuthorization || !e.needsAuthorization));
}

export function relationById(id: string): Relation {
  const found = RELATIONS.find((r) => r.id === id);
  if (!found) throw new Error(`no relation ${id} in relations/catalogue.ts`);
  return found;
}

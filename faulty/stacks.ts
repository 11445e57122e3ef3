// Faults real stacks make by default: JSON libraries that read more than JSON, framework binders,
// database collations, column types and encodings that quietly change what they were given, checks
// run in the wrong order, and find-then-create without a unique index. Each sentence names the stack
// it models; each is still one override of the reference with a probe over raw HTTP, and the suite
// (the generated checks, and the hand-written checks of the rules the faults break) must find it.
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, ProviderConfig } from '../contract/provider.ts';
import { error, ReferenceApp, Refusal, type Answer, type AppClass } from '../reference/app.ts';
import { faultsIn, isObject, Lenient, valid, type Fault } from './fault.ts';
import type { Probe } from './probe.ts';

export const STACKS: Fault[] = [];
const fault = faultsIn(STACKS, { unlisted: true });

// ── parsers that read more than one JSON text
/** A JSON string literal, unrolled so that a long one is matched in linear time. */
const STRING = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;

/** Rewrites what `pattern` matches outside JSON string literals, which are skipped whole (a lexer of one regular expression). */
function outsideStrings(text: string, pattern: RegExp, to: (match: string, ...groups: string[]) => string): string {
  return text.replace(
    new RegExp(`(${STRING})|${pattern.source}`, 'gs'),
    (match: string, literal: string | undefined, ...rest: unknown[]) =>
      literal ?? to(match, ...(rest.slice(0, -2) as string[])),
  );
}

/** A parser that reads more than JSON: `widen` turns the body's text into the JSON it reads it as, before the reference parses it. */
const reading = (widen: (text: string) => string): AppClass =>
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      return super.parseProvider(contentType, Buffer.from(widen(raw.toString('utf8')), 'utf8'));
    }
  };

/** Whether the body `text(name)`, for a fresh name, gets 200. */
const taken = async (p: Probe, text: (name: string) => string) => (await p.status(p.post(text(p.name())))) === 200;

/** The text up to the end of the first object or array: what a streaming decoder reads of it. */
function firstValue(text: string): string {
  if (!/^\s*[{[]/.test(text)) return text;
  let depth = 0;
  for (const m of text.matchAll(new RegExp(`${STRING}|[{}[\\]]`, 'gs'))) {
    if (m[0] === '{' || m[0] === '[') depth++;
    else if ((m[0] === '}' || m[0] === ']') && --depth === 0) return text.slice(0, m.index + 1);
  }
  return text;
}
fault(
  'go-decoder-trailing-data',
  'POST-400-MALFORMED-JSON',
  "As Go's json.NewDecoder(r.Body).Decode(&p): the first JSON value is read and whatever follows it (text, a second value) is ignored.",
  reading(firstValue),
  (p) => taken(p, (name) => `${JSON.stringify(valid(p, name))}{"name":"second"} trailing`),
);
fault(
  'python-json-nan',
  'POST-400-MALFORMED-JSON',
  'As Python\'s json.loads (allow_nan on by default): NaN, Infinity and -Infinity are read as numbers, so a body with `"id": NaN` beside a valid provider is taken.',
  // Read as 0: JSON.parse has no literal for them, and only their type matters to the validation after.
  reading((text) => outsideStrings(text, /-?Infinity|NaN/, () => '0')),
  (p) => taken(p, (name) => `{"id":NaN,${JSON.stringify(valid(p, name)).slice(1)}`),
);
fault(
  'jsonnet-comments',
  'POST-400-MALFORMED-JSON',
  "As Newtonsoft Json.NET's default reader (and Gson's lenient fromJson): /* */ and // comments in a body are skipped.",
  reading((text) => outsideStrings(text, /\/\*[\s\S]*?\*\/|\/\/[^\n]*/, () => ' ')),
  (p) => taken(p, (name) => `/* provider */ ${JSON.stringify(valid(p, name))} // end`),
);
fault(
  'jsonnet-single-quotes',
  'POST-400-MALFORMED-JSON',
  'As Json.NET and Gson by default: strings in single quotes are read as strings.',
  // Inside single quotes \' stands for ' and a bare " is a character; every other escape means the same.
  reading((text) =>
    outsideStrings(
      text,
      /'((?:[^'\\]|\\.)*)'/,
      (_, inner) =>
        `"${inner.replace(/\\(.)|"/gs, (m: string, escaped?: string) => (escaped === "'" ? "'" : escaped !== undefined ? m : '\\"'))}"`,
    ),
  ),
  (p) => taken(p, (name) => `{'name':'${name}','type':'www','config':{'bearer':'it"s'}}`),
);
fault(
  'jsonnet-trailing-commas',
  'POST-400-MALFORMED-JSON',
  'As Json.NET by default (and JSON5): a comma just before } or ] is ignored.',
  reading((text) => outsideStrings(text, /,(\s*[}\]])/, (_, close) => close)),
  (p) => taken(p, (name) => `{"name":"${name}","type":"www","config":{"bearer":"x",},}`),
);
fault(
  'jsonnet-unquoted-names',
  'POST-400-MALFORMED-JSON',
  'As Json.NET and Gson by default: member names without quotes are read as names.',
  reading((text) =>
    outsideStrings(text, /([{,]\s*)([A-Za-z_$][\w$]*)(\s*:)/, (_, before, key, colon) => `${before}"${key}"${colon}`),
  ),
  (p) => taken(p, (name) => `{name:"${name}",type:"www",config:{bearer:"x"}}`),
);

// ── binders that fill a struct
/** Applies `change` to the provider, its config and its basic, each with the member names it defines (a Go struct's fields). */
function eachLevel(
  body: unknown,
  change: (o: Record<string, unknown>, fields: string[]) => Record<string, unknown>,
): unknown {
  if (!isObject(body)) return body;
  const provider = change(body, ['name', 'type', 'config']);
  if (!isObject(provider.config)) return provider;
  const config = change(provider.config, ['basic', 'bearer']);
  if (isObject(config.basic)) config.basic = change(config.basic, ['username', 'password']);
  return { ...provider, config };
}
fault(
  'go-json-case-insensitive',
  'POST-400-MISSING-FIELD',
  'As Go\'s encoding/json: member names match struct fields case-insensitively, so `{"Name": "x", ...}` without `name` is taken as the name x.',
  class extends Lenient {
    // An exact member wins; otherwise the first that equals the field's name but for case.
    protected override loosen(body: unknown) {
      return eachLevel(body, (o, fields) => {
        const folded = { ...o };
        for (const f of fields) {
          const key = Object.keys(o).find((k) => k.toLowerCase() === f);
          if (!(f in o) && key !== undefined) folded[f] = o[key];
        }
        return folded;
      });
    }
  },
  async (p) => {
    const name = p.name();
    await p.post({ Name: name, type: 'www', config: { bearer: 'x' } });
    return (await p.has(name)) === 1;
  },
);
fault(
  'go-json-null-pointer',
  'POST-400-NON-STRING-CREDENTIAL',
  'As Go\'s encoding/json into *string fields: null leaves a field nil, so `"bearer": null` beside a valid basic is taken as a Basic provider.',
  class extends Lenient {
    protected override loosen(body: unknown) {
      return eachLevel(body, (o, fields) =>
        Object.fromEntries(Object.entries(o).filter(([k, v]) => !(v === null && fields.includes(k)))),
      );
    }
  },
  async (p) =>
    (await p.status(p.post({ ...valid(p), config: { basic: { username: 'u', password: 'p' }, bearer: null } }))) ===
    200,
);

// ── stores that change what they keep
/** A store that keeps each provider as `keep` makes it (a column type, an encoding, a driver). */
const storing = (keep: (p: Provider) => Provider): AppClass =>
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      await super.upsert(botId, list, keep(provider));
    }
  };
const names =
  (change: (name: string) => string) =>
  (p: Provider): Provider => ({ ...p, name: change(p.name) });
const values =
  (change: (value: string) => string) =>
  (p: Provider): Provider => {
    const c = p.config;
    const config: ProviderConfig = {};
    if (c.basic) config.basic = { username: change(c.basic.username), password: change(c.basic.password) };
    if (c.bearer !== undefined) config.bearer = change(c.bearer);
    return { ...p, config };
  };

/**
 * A unique index on the name under a collation that equates the names `key` maps alike: the upsert
 * (INSERT … ON DUPLICATE KEY UPDATE) finds the stored row and updates its config, keeping its name.
 */
const collated = (key: (name: string) => string): AppClass =>
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const stored = [...list.keys()].find((k) => key(k) === key(provider.name));
      await super.upsert(botId, list, stored === undefined ? provider : { ...provider, name: stored });
    }
  };

/** Whether posting `second` after `first` leaves no entry named `second` (the store took it for `first`). */
async function merged(p: Probe, first: string, second: string): Promise<boolean> {
  await p.post(valid(p, first));
  await p.post(valid(p, second));
  return (await p.has(first)) === 1 && (await p.has(second)) === 0;
}

fault(
  'mysql-accent-insensitive',
  'NAME-EXACT',
  "As MySQL 8's default collation utf8mb4_0900_ai_ci on a unique name column: names that differ only in accents (or case) are one provider, listed under the name first stored.",
  collated((name) => name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()),
  (p) => {
    const name = p.name();
    return merged(p, `${name}-cafe`, `${name}-café`);
  },
);
fault(
  'mysql-pad-space',
  'NAME-EXACT',
  "As MySQL's utf8mb4_bin (a PAD SPACE collation, as every collation before the 0900 ones) on a unique name column: `x` and `x ` are one provider.",
  collated((name) => name.replace(/ +$/, '')),
  (p) => {
    const name = p.name();
    return merged(p, name, `${name}  `);
  },
);
fault(
  'mysql-varchar-191',
  'NAME-EXACT',
  "As a VARCHAR(191) name column (Laravel's defaultStringLength(191), the utf8mb4 index limit) without strict mode: longer names are cut to 191 characters.",
  storing(names((name) => [...name].slice(0, 191).join(''))),
  async (p) => {
    const name = p.name().padEnd(195, 'x');
    await p.post(valid(p, name));
    return (await p.has(name)) === 0 && (await p.has(name.slice(0, 191))) === 1;
  },
);
fault(
  'mysql-utf8mb3',
  'GET-CONFIG-ROUNDTRIP',
  'As a MySQL connection in utf8 (utf8mb3, the default of older drivers): astral-plane characters in credentials are stored as ?.',
  storing(values((value) => value.replace(/[\u{10000}-\u{10FFFF}]/gu, '?'))),
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name, { bearer: 'key-😀' }));
    return (await p.providers())?.find((x) => x.name === name)?.config.bearer === 'key-?';
  },
);
fault(
  'postgres-nul',
  'ROBUST-NO-5XX',
  'As PostgreSQL\'s text type, which cannot hold NUL: a name or value with \\u0000 fails the INSERT (invalid byte sequence for encoding "UTF8": 0x00), answered as 500.',
  storing((provider) => {
    const { basic, bearer } = provider.config;
    if ([provider.name, basic?.username, basic?.password, bearer].some((v) => v?.includes('\u0000'))) {
      throw new Refusal(error(500, 'Internal error', 'invalid byte sequence for encoding "UTF8": 0x00'));
    }
    return provider;
  }),
  async (p) => (await p.status(p.post(p.provider(p.name(), { bearer: 'a\u0000b' })))) === 500,
);
fault(
  'sqlite-numeric-affinity',
  'NAME-EXACT',
  'As SQLite with the name column declared STRING (NUMERIC affinity, not TEXT) read back as text: number-like names are stored as numbers, so `007` is listed as `7` (one provider with `7`) and `1e3` as `1000`.',
  storing(names((name) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(name) ? String(Number(name)) : name))),
  async (p) => {
    await p.post(valid(p, '007'));
    return (await p.has('007')) === 0 && (await p.has('7')) === 1;
  },
);
fault(
  'stringprep-zero-width',
  'NAME-EXACT',
  "As a store that prepares names with stringprep's table B.1 (nameprep, LDAP's RFC 4518): U+200B, U+200D, U+FEFF and the rest of its 'mapped to nothing' characters are removed.",
  storing(
    // biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible code point stands alone in the class, combining ones included, as the table lists them
    names((name) => name.replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '')),
  ),
  async (p) => {
    const name = p.name();
    await p.post(valid(p, `${name}\u200bx`));
    return (await p.has(`${name}\u200bx`)) === 0 && (await p.has(`${name}x`)) === 1;
  },
);
fault(
  'hand-rolled-u-escapes',
  'NAME-EXACT',
  'A hand-rolled JSON reader that decodes \\" and \\\\ but keeps \\u escapes as their text: a name posted as "caf\\u00e9" is stored as `caf\\u00e9`, not `café`.',
  // Escaping the backslash of each \uXXXX makes JSON.parse read the escape as its six characters of text.
  reading((text) =>
    text.replace(new RegExp(STRING, 'gs'), (literal) =>
      literal.replace(/\\(?:(u[0-9a-fA-F]{4})|.)/gs, (sequence: string, u?: string) => (u ? `\\\\${u}` : sequence)),
    ),
  ),
  async (p) => {
    const name = p.name();
    await p.post(`{"name":"${name}-caf\\u00e9","type":"www","config":{"bearer":"x"}}`);
    return (await p.has(`${name}-caf\\u00e9`)) === 1;
  },
);

// ── checks in the wrong order
fault(
  'empty-list-before-auth',
  'AUTH-BEFORE-BODY',
  "Loads the bot's list in a filter that runs before the auth filter (Rails runs before_action callbacks in the order declared) and answers an empty list at once: GET of an empty list is 200 with any credentials.",
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      return route.op === 'list' && this.lists.get(route.botId)?.size === 0
        ? { status: 200, body: this.render([]) }
        : super.handle(req);
    }
  },
  async (p) => {
    await p.send('DELETE');
    return (await p.status(p.send('GET', { auth: null }))) === 200;
  },
);
fault(
  'gateway-forwards-unknown-bots',
  'AUTH-BEFORE-BODY',
  'An API gateway checks the token of the bots it knows and forwards other bot ids to the service, which validates the body before it looks the bot up: an unknown bot id with an invalid body gets 400, not 401.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (route.op !== 'update' || this.lists.has(route.botId)) return super.handle(req);
      const read = await this.readBody(req);
      const parsed = 'raw' in read ? this.parseProvider(req.headers['content-type'], read.raw) : read;
      return 'answer' in parsed ? parsed.answer : this.unauthorized();
    }
  },
  async (p) => (await p.status(p.post('{', { bot: 'no-such-bot' }))) === 400,
);

// ── concurrency
fault(
  'find-then-create',
  'UPSERT-NO-DUPLICATE',
  "As an ORM's find-then-create (Sequelize's findOne then create) on a table without a unique index on (bot, name): concurrent POSTs of one new name each find no row and each insert one.",
  class extends ReferenceApp {
    #rows = 0;
    protected override async upsert(_b: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const found = [...list].filter(([, p]) => p.name === provider.name).map(([key]) => key);
      await sleep(10); // the round trip to the database between the SELECT and the INSERT or UPDATE
      if (found.length) for (const key of found) list.set(key, provider);
      else list.set(list.has(provider.name) ? `${provider.name}\u0000row ${this.#rows++}` : provider.name, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await Promise.all(Array.from({ length: 8 }, () => p.post(valid(p, name))));
    return (await p.has(name)) > 1;
  },
);

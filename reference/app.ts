// The reference server: a small, stateful, in-memory implementation of exactly docs/rules.md, on the
// executable model of the rules (model/rules.ts) that the state-machine check holds targets to.
// Built on node:http: no framework to learn, no dependency to keep, and it starts in ~0.1 s;
// the three operations need a router of one regular expression, not a framework's.
// Each step of a request is one method, so that a faulty variant (faulty/) changes exactly one.
import type http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { contractFor, type Contract, type Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import * as model from '../model/rules.ts';

export interface ReferenceOptions {
  /** bot id → API token; the bots that reside in this region. */
  bots: ReadonlyMap<string, string>;
  profile?: Profile;
  /** Added before every answer, to model a distant target. */
  latencyMs?: number;
  /** Called once per request with a line free of secrets. */
  log?: (line: string) => void;
}

/** The reference server or a variant of it (faulty/), as the servers that start it take it. */
export type AppClass = new (options: ReferenceOptions) => ReferenceApp;

/** Bodies above this get 413; the suite's largest hostile body is 1 MiB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type Route =
  | { op: 'update' | 'list' | 'clear'; botId: string }
  | { op: 'remove'; botId: string; name: string }
  | { op: 'not-found' }
  | { op: 'method-not-allowed'; allow: string };

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ReferenceApp {
  readonly contract: Contract;
  /** bot id → (provider name → provider), in insertion order. */
  protected readonly lists = new Map<string, Map<string, Provider>>();
  readonly #listPattern: RegExp;
  readonly #itemPattern: RegExp | undefined;
  readonly #tokenDigests = new Map<string, Buffer>();

  constructor(readonly options: ReferenceOptions) {
    // Stryker disable next-line StringLiteral: every start names its profile (the embedded reference and the command line do)
    this.contract = contractFor(options.profile ?? 'default');
    this.#listPattern = templateToPattern(this.contract.listPath);
    this.#itemPattern = this.contract.itemPath ? templateToPattern(this.contract.itemPath) : undefined;
    for (const [bot, token] of options.bots) {
      this.lists.set(bot, new Map());
      this.#tokenDigests.set(bot, digest(token));
    }
  }

  /** What the server does beside the API's requests; Node's own behaviour (100 Continue at once, say) unless a variant changes it. */
  configure(_server: http.Server): void {}

  listener(): http.RequestListener {
    return (req, res) => {
      const started = performance.now();
      void this.handle(req)
        .catch(this.failed.bind(this))
        .then(async (answer) => {
          // Stryker disable next-line ConditionalExpression: the suite's runs add no latency, and sleep(undefined) waits a timer's turn that no answer shows
          if (this.options.latencyMs) await sleep(this.options.latencyMs);
          this.send(res, answer);
          // Stryker disable next-line all: the operator's log line, which no client sees
          const path = (req.url ?? '').slice(0, 200);
          // Stryker disable next-line StringLiteral,ArithmeticOperator: the operator's log line, which no client sees
          this.options.log?.(`${req.method} ${path} ${answer.status} ${(performance.now() - started).toFixed(1)}ms`);
        });
    };
  }

  // Stryker disable all: reached only by a step that throws, which none of the reference's does (faulty variants throw Refusal)
  /** What a request gets when a step throws: a Refusal's answer, or a 500 (and a line in the log). */
  protected failed(error: unknown): Answer {
    if (error instanceof Refusal) return error.answer;
    console.error('reference: internal error:', error instanceof Error ? error.message : error);
    return { status: 500, body: { message: 'Internal error', reason: 'The server failed; see its log.' } };
  }
  // Stryker restore all

  protected async handle(req: http.IncomingMessage): Promise<Answer> {
    // Stryker disable next-line StringLiteral: Node's server always sets a request's method and URL
    const route = this.route(req.method ?? '', req.url ?? '/');
    // Stryker disable next-line ConditionalExpression,StringLiteral: open: what a path or method the API does not define gets
    if (route.op === 'not-found') return error(404, 'Not found', 'No such resource.');
    // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: open: what a path or method the API does not define gets
    if (route.op === 'method-not-allowed') {
      // Stryker disable next-line ObjectLiteral,StringLiteral: open: what a path or method the API does not define gets
      return { ...error(405, 'Method not allowed', `Allowed: ${route.allow}.`), headers: { allow: route.allow } };
    }
    if (!this.authorized(route.botId, req.headers.authorization)) return this.unauthorized();
    const list = this.lists.get(route.botId)!;
    switch (route.op) {
      case 'update':
        return this.update(req, route.botId, list);
      case 'list':
        return { status: 200, body: this.render(await this.read(route.botId, list)) };
      case 'clear':
        await this.clear(route.botId, list);
        return this.ok();
      case 'remove':
        model.removeOne(list, route.name);
        return this.ok();
    }
  }

  /** POST: read and check the body, then store the provider or refuse the request. */
  protected async update(req: http.IncomingMessage, botId: string, list: Map<string, Provider>): Promise<Answer> {
    const read = await this.readBody(req);
    // Stryker disable next-line ConditionalExpression,StringLiteral: a body past the limit then gets 400 instead of 413, and both are open (docs/rules.md)
    if ('answer' in read) return read.answer;
    // Stryker disable next-line StringLiteral: without its Content-Type every body is read as JSON, which the rules leave open
    const parsed = this.parseProvider(req.headers['content-type'], read.raw);
    if ('answer' in parsed) return this.refuse(parsed.answer, read.raw, list);
    await this.upsert(botId, list, parsed.provider);
    return this.ok();
  }

  /** A refused POST changes nothing. */
  protected refuse(answer: Answer, _raw: Buffer, _list: Map<string, Provider>): Answer {
    return answer;
  }

  protected route(method: string, url: string): Route {
    let pathname: string;
    // Stryker disable all: a target that is no URL leaves the path undefined, which matches no route either; open: what a path or method the API does not define gets
    try {
      pathname = new URL(url, 'http://reference.invalid').pathname;
    } catch {
      return { op: 'not-found' };
    }
    // Stryker restore all
    const list = this.#listPattern.exec(pathname);
    if (list) {
      const botId = decode(list[1]);
      // Stryker disable next-line ConditionalExpression,ObjectLiteral,StringLiteral: an id that is no percent-encoded UTF-8 is no bot's: open: what a path or method the API does not define gets
      if (botId === undefined) return { op: 'not-found' };
      const op = ({ POST: 'update', GET: 'list', DELETE: 'clear' } as const)[method];
      // Stryker disable next-line ObjectLiteral,StringLiteral: open: what a path or method the API does not define gets
      return op ? { op, botId } : { op: 'method-not-allowed', allow: 'GET, POST, DELETE' };
    }
    const item = this.#itemPattern?.exec(pathname);
    if (item) {
      const [botId, name] = [decode(item[1]), decode(item[2])];
      // Stryker disable next-line ConditionalExpression,LogicalOperator,ObjectLiteral,StringLiteral: open: what a path or method the API does not define gets
      if (botId === undefined || name === undefined) return { op: 'not-found' };
      // Stryker disable next-line ObjectLiteral,StringLiteral: open: what a path or method the API does not define gets
      return method === 'DELETE' ? { op: 'remove', botId, name } : { op: 'method-not-allowed', allow: 'DELETE' };
    }
    // Stryker disable next-line ObjectLiteral,StringLiteral: open: what a path or method the API does not define gets
    return { op: 'not-found' };
  }

  /** The bot must reside here and the token must be its own; the scheme is case-insensitive (RFC 9110). */
  protected authorized(botId: string, header: string | undefined): boolean {
    const expected = this.#tokenDigests.get(botId);
    // Stryker disable next-line StringLiteral: any text in place of a missing header is no Bearer credential either
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/.exec(header ?? '');
    if (!expected || !match || match[1].toLowerCase() !== 'bearer') return false;
    return timingSafeEqual(digest(match[2]), expected);
  }

  protected unauthorized(): Answer {
    return error(401, '401', 'Unauthorized bot');
  }

  protected ok(): Answer {
    return { status: 200 };
  }

  protected readBody(req: http.IncomingMessage): Promise<{ raw: Buffer } | { answer: Answer }> {
    // Past the limit the rest is read and dropped, so the client gets our 413 rather than a reset.
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        // Stryker disable next-line AssignmentOperator: open: what a body past 4 MiB gets
        size += chunk.length;
        // Stryker disable next-line ConditionalExpression,EqualityOperator: open: what a body past 4 MiB gets
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      });
      req.on('end', () =>
        resolve(
          // Stryker disable next-line ConditionalExpression,EqualityOperator: open: what a body past 4 MiB gets
          size > MAX_BODY_BYTES
            ? // Stryker disable next-line ObjectLiteral,StringLiteral: open: what a body past 4 MiB gets
              { answer: error(413, 'Payload too large', `The body exceeds ${MAX_BODY_BYTES} bytes.`) }
            : { raw: Buffer.concat(chunks) },
        ),
      );
      // Stryker disable next-line all: a body that breaks off leaves no client to read the answer
      req.on('error', () => resolve({ answer: error(400, 'Bad request', 'The body could not be read.') }));
    });
  }

  /** A missing Content-Type is read as JSON; any other non-JSON media type gets 415 (docs/rules.md leaves both open). */
  protected parseProvider(contentType: string | undefined, raw: Buffer): { provider: Provider } | { answer: Answer } {
    // Stryker disable next-line ConditionalExpression,BlockStatement: open: what a body of another media type, invalid UTF-8 or a byte-order mark gets
    if (contentType !== undefined && !isJsonMediaType(contentType)) {
      // Stryker disable next-line StringLiteral: open: what a body of another media type, invalid UTF-8 or a byte-order mark gets
      return { answer: error(415, 'Unsupported media type', 'Send the provider as application/json.') };
    }
    let body: unknown = NOT_JSON;
    try {
      // Bytes that are not UTF-8 are refused, not replaced with U+FFFD (docs/rules.md leaves both open).
      const text = UTF8.decode(raw);
      // Stryker disable next-line ConditionalExpression,BlockStatement: open: what a body nested deeper than MAX_DEPTH gets
      if (nestedDeeperThan(text, MAX_DEPTH)) {
        // Stryker disable next-line StringLiteral: open: what a body nested deeper than MAX_DEPTH gets
        return { answer: this.badRequest(`The body is nested more than ${MAX_DEPTH} levels deep.`) };
      }
      body = JSON.parse(text);
    } catch {
      // refused below
    }
    // Stryker disable next-line ConditionalExpression: a body that is no JSON is no provider either, and gets 400 all the same (only the reason differs, which no rule reads)
    if (body === NOT_JSON) return { answer: this.badRequest('The body is not valid JSON in UTF-8.') };
    return this.validate(body);
  }

  /** Refuses what the rules call invalid; takes the rest, every choice docs/rules.md leaves open included. */
  protected validate(body: unknown): { provider: Provider } | { answer: Answer } {
    const verdict = model.judge(this.contract.profile, body);
    if (verdict.kind === 'invalid') return { answer: this.badRequest(verdict.why) };
    return { provider: model.stored(body as Provider) };
  }

  protected badRequest(reason: string): Answer {
    return error(400, 'Validation error', reason);
  }

  /** Replaces the entry of that exact name in place, or appends a new one. */
  protected async upsert(_botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
    model.upsert(list, provider);
  }

  protected async read(_botId: string, list: Map<string, Provider>): Promise<Provider[]> {
    return [...list.values()];
  }

  protected render(providers: Provider[]): unknown {
    return { settings: { application: { media: { providers } } } };
  }

  protected async clear(_botId: string, list: Map<string, Provider>): Promise<void> {
    model.clear(list);
  }

  protected send(res: http.ServerResponse, answer: Answer): void {
    // Stryker disable next-line ObjectLiteral: the reference's answers carry no field of their own but Allow on a 405, and open: what a path or method the API does not define gets
    const headers: Record<string, string | number> = { ...answer.headers };
    if (answer.body === undefined) {
      headers['content-length'] = 0;
      res.writeHead(answer.status, headers).end();
      return;
    }
    // Encoded once: measuring the text and then writing it encoded a list of megabyte values twice.
    const bytes = Buffer.from(JSON.stringify(answer.body));
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = bytes.length;
    res.writeHead(answer.status, headers).end(bytes);
  }
}

const NOT_JSON = Symbol('not JSON');

/**
 * Deeper bodies are refused unread (docs/rules.md leaves open what they get). V8's parser holds native
 * memory in proportion to a body's depth, which the allocator then keeps: one POST of 1 MiB of '['
 * left the embedded reference's process, the runner's, 40 MiB larger for the rest of the run. The
 * suite's deepest body is 10 000 levels deep, and is read.
 */
const MAX_DEPTH = 20_000;

// Stryker disable all: open: what a body nested deeper than MAX_DEPTH gets
/** Whether `text` opens more than `max` arrays or objects at once (brackets inside strings aside). */
function nestedDeeperThan(text: string, max: number): boolean {
  if (text.length <= max || !opensAtLeast(text, max + 1)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ((c === '[' || c === '{') && ++depth > max) return true;
    else if (c === ']' || c === '}') depth--;
  }
  return false;
}

/**
 * Whether `text` holds `n` brackets that open: the scan above, a character at a time, cost the embedded
 * reference 5 s of CPU in a batch of the self-tests, on megabyte bodies that hold few of them.
 */
function opensAtLeast(text: string, n: number): boolean {
  let count = 0;
  for (const open of ['[', '{']) {
    for (let i = text.indexOf(open); i !== -1; i = text.indexOf(open, i + 1)) if (++count >= n) return true;
  }
  return false;
}
// Stryker restore all

// Stryker disable next-line BooleanLiteral,ObjectLiteral: open: what a body of another media type, invalid UTF-8 or a byte-order mark gets
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Thrown by any step to answer the request with `answer` at once. */
export class Refusal extends Error {
  constructor(readonly answer: Answer) {
    // Stryker disable next-line StringLiteral: the error's own message, which no answer carries
    super(`refused with ${answer.status}`);
  }
}

export function error(status: number, message: string, reason: string): Answer {
  return { status, body: { message, reason } };
}

function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  // Stryker disable next-line ConditionalExpression,Regex: open: what a body of another media type, invalid UTF-8 or a byte-order mark gets
  return type === 'application/json' || /^application\/[^/]+\+json$/.test(type);
}

function templateToPattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}/?$`);
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // not percent-encoded UTF-8: no bot's id, no provider's name
  }
  return undefined;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

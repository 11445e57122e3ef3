// Conforming oddballs: servers that differ from the reference only where docs/rules.md leaves a
// choice open (or the transport does). The suite must pass every one of them.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type http from 'node:http';
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { ReferenceApp, error, type Answer, type AppClass, type ReferenceOptions } from '../reference/app.ts';
import { judgeText } from '../model/rules.ts';
import { IMPLEMENTED_METHODS } from '../rules/answers.ts';

export interface Oddball {
  id: string;
  sentence: string;
  App: AppClass;
  /** Options the server runs with (latency, the later revision). */
  options?: Partial<ReferenceOptions>;
  /** The profile the suite holds it to. */
  profile: Profile;
}

/** The reference with its JSON bodies written as `write` makes them: the same values, other bytes. */
const jsonWrittenAs = (write: (body: unknown) => string): AppClass =>
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.body === undefined) {
        super.send(res, answer);
        return;
      }
      const text = write(answer.body);
      res
        .writeHead(answer.status, {
          ...answer.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        })
        .end(text);
    }
  };

const withOrder = (order: (p: Provider[]) => Provider[]): AppClass =>
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return super.render(order([...providers]));
    }
  };

/** Every object of a JSON value with its members in reverse order. */
const reversedMembers = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversedMembers)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reversedMembers(x)]),
        )
      : v;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The text with every repeated member name of an object renamed to one nobody defines, so that the
 * first of each name is the one read (the renamed ones are unknown extra fields, which the reference drops).
 */
function firstMembersWin(text: string): string {
  const objects: (Set<string> | null)[] = []; // the names seen in each open object; null for an array
  let atName = false;
  let renamed = 0;
  return text.replace(/"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\],]/gs, (token) => {
    const open = objects[objects.length - 1];
    if (token === '{' || token === '[') objects.push(token === '{' ? new Set() : null);
    if (token === '}' || token === ']') objects.pop();
    if (token.length === 1) {
      atName = token === '{' || (token === ',' && open instanceof Set);
      return token;
    }
    if (!atName || !open) return token;
    atName = false;
    let name: string;
    try {
      name = JSON.parse(token) as string;
    } catch {
      return token;
    }
    if (open.has(name)) return JSON.stringify(`${name}\u0000repeated ${renamed++}`);
    open.add(name);
    return token;
  });
}

/** A weak ETag of a body, as Express makes one. */
const etagOf = (text: string) => `W/"${createHash('sha1').update(text).digest('base64url').slice(0, 27)}"`;

export const ODDBALLS: Oddball[] = [
  { id: 'reference', sentence: 'The reference server itself.', App: ReferenceApp, profile: 'default' },
  {
    id: 'reversed-order',
    sentence: 'Lists providers newest first.',
    App: withOrder((p) => p.reverse()),
    profile: 'default',
  },
  {
    id: 'shuffled-order',
    sentence: 'Lists providers in a new random order on every GET.',
    App: withOrder((p) => p.sort(() => Math.random() - 0.5)),
    profile: 'default',
  },
  {
    id: 'extra-fields',
    sentence: 'Adds fields of its own to every level of the list and to error bodies.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override render(providers: Provider[]) {
        const entries = providers.map((p) => ({ ...p, id: `id-${p.name.length}`, createdAt: '2020-03-10T00:00:00Z' }));
        return {
          requestId: 'r-1',
          settings: { version: 2, application: { id: 'app', media: { count: entries.length, providers: entries } } },
        };
      }
      protected override send(res: http.ServerResponse, answer: Answer): void {
        const body = answer.body as Record<string, unknown> | undefined;
        super.send(
          res,
          answer.status >= 400 && body ? { ...answer, body: { ...body, code: answer.status, traceId: 't-1' } } : answer,
        );
      }
    },
  },
  {
    id: 'charset',
    sentence: 'Sends JSON as application/json; charset=utf-8.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        super.send(
          res,
          answer.body === undefined
            ? answer
            : { ...answer, headers: { ...answer.headers, 'content-type': 'application/json; charset=utf-8' } },
        );
      }
    },
  },
  {
    id: 'chunked-empty',
    sentence: 'Sends empty bodies chunked, without Content-Length.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        if (answer.body !== undefined) {
          super.send(res, answer);
          return;
        }
        res.writeHead(answer.status, { 'transfer-encoding': 'chunked', ...answer.headers });
        res.end();
      }
    },
  },
  {
    id: 'latency-50ms',
    sentence: 'Answers every request 50 ms late.',
    App: ReferenceApp,
    options: { latencyMs: 50 },
    profile: 'default',
  },
  {
    id: 'www-authenticate',
    sentence: 'Adds WWW-Authenticate: Bearer to every 401.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override unauthorized(): Answer {
        return { ...super.unauthorized(), headers: { 'www-authenticate': 'Bearer realm="whatsapp"' } };
      }
    },
  },
  // Where a naive model test would go wrong: encodings, connections, timing, order, and the choices left open.
  {
    id: 'ascii-json',
    sentence: 'Escapes every non-ASCII character of its JSON as \\uXXXX (the same values, another encoding).',
    profile: 'default',
    App: jsonWrittenAs((body) =>
      JSON.stringify(body).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    ),
  },
  {
    id: 'pretty-json',
    sentence: 'Pretty-prints its JSON with four spaces and CRLF line ends, and a line end after it.',
    profile: 'default',
    App: jsonWrittenAs((body) => `${JSON.stringify(body, null, 4).replace(/\n/g, '\r\n')}\r\n`),
  },
  {
    id: 'connection-close',
    sentence: 'Closes the connection after every answer (Connection: close).',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        super.send(res, { ...answer, headers: { ...answer.headers, connection: 'close' } });
      }
    },
  },
  {
    id: 'not-implemented-methods',
    sentence:
      "Answers 501 Not Implemented to every method but GET, HEAD, POST and DELETE, on any path, as Python's http.server does for a method it has no handler for (RFC 9110 § 15.6.2).",
    profile: 'default',
    App: class extends ReferenceApp {
      override listener(): http.RequestListener {
        const answer = super.listener();
        return (req, res) => {
          if (IMPLEMENTED_METHODS.has(req.method ?? '')) return answer(req, res);
          req.resume();
          this.send(res, error(501, 'Not implemented', `Unsupported method (${req.method}).`));
        };
      }
    },
  },
  {
    id: 'closes-idle-connections',
    sentence:
      "Keeps connections open, but closes one, unanswered, when a second request comes on it: what a client meets when the server's idle timeout fires as it sends (RFC 9112 § 9.3.1: it sends again on a new connection).",
    profile: 'default',
    App: class extends ReferenceApp {
      readonly #used = new WeakSet<object>();
      override listener(): http.RequestListener {
        const answer = super.listener();
        return (req, res) => {
          if (this.#used.has(req.socket)) {
            req.socket.destroy();
            return;
          }
          this.#used.add(req.socket);
          answer(req, res);
        };
      }
    },
  },
  {
    id: 'jitter',
    sentence: 'Answers each request after a random 0–20 ms, so that concurrent answers come back out of order.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override async handle(req: http.IncomingMessage): Promise<Answer> {
        await sleep(Math.random() * 20);
        return super.handle(req);
      }
    },
  },
  {
    id: 'sorted-by-name',
    sentence: 'Lists providers sorted by name.',
    App: withOrder((p) => p.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))),
    profile: 'default',
  },
  {
    id: 'reused-to-end',
    sentence: 'Moves a reused name to the end of the list.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
        list.delete(provider.name);
        await super.upsert(botId, list, provider);
      }
    },
  },
  {
    id: 'keeps-extras',
    sentence: 'Keeps the unknown fields of a provider and lists them with it.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override validate(body: unknown) {
        const result = super.validate(body);
        if (!('provider' in result)) return result;
        const { name: _n, type: _t, config: _c, ...extra } = body as Record<string, unknown>;
        return { provider: { ...extra, ...result.provider } as Provider };
      }
    },
  },
  {
    id: 'refuses-open',
    profile: 'default',
    sentence:
      'Answers 400 to every body docs/rules.md leaves open: both basic and bearer, extra fields, empty strings, long values, names the revision refuses.',
    App: class extends ReferenceApp {
      protected override parseProvider(contentType: string | undefined, raw: Buffer) {
        const verdict = judgeText(this.contract.profile, raw.toString('utf8'));
        return verdict.kind === 'open'
          ? { answer: error(400, 'Validation error', `Not supported: ${verdict.why}.`) }
          : super.parseProvider(contentType, raw);
      }
    },
  },
  {
    id: 'limit-64k',
    sentence: 'Refuses bodies over 64 KiB with 413.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override parseProvider(contentType: string | undefined, raw: Buffer) {
        return raw.length > 65_536
          ? { answer: error(413, 'Payload too large', 'At most 64 KiB.') }
          : super.parseProvider(contentType, raw);
      }
    },
  },
  {
    id: 'later-revision',
    sentence: 'A server of the 2020-03-10 revision, held to the default profile.',
    App: ReferenceApp,
    options: { profile: '2020-03-10' },
    profile: 'default',
  },
  {
    id: 'reference-revision',
    sentence: 'The reference server of the revision, held to the revision profile.',
    App: ReferenceApp,
    options: { profile: '2020-03-10' },
    profile: '2020-03-10',
  },
  {
    id: 'tiny-chunks',
    profile: 'default',
    sentence:
      'Sends every answer body chunked, 1 to 3 bytes a chunk (1 to 3 KiB past the first KiB), each written on its own turn of the event loop.',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        if (answer.body === undefined) {
          super.send(res, answer);
          return;
        }
        const bytes = Buffer.from(JSON.stringify(answer.body));
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        void (async () => {
          for (let at = 0; at < bytes.length && !res.destroyed; ) {
            // Past the first KiB the chunks grow a thousandfold: a list of a megabyte in bytes would outlast the suite's timeout.
            const size = (at < 1024 ? 1 : 1024) * (1 + Math.floor(Math.random() * 3));
            res.write(bytes.subarray(at, at + size));
            at += size;
            await nextTurn();
          }
          res.end();
        })();
      }
    },
  },
  {
    id: 'members-reordered',
    sentence: 'Writes the members of every JSON object in reverse order (config before type before name).',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        super.send(res, answer.body === undefined ? answer : { ...answer, body: reversedMembers(answer.body) });
      }
    },
  },
  {
    id: 'slow-delete',
    sentence: 'Answers a DELETE of the list 300 ms after emptying it.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override async clear(botId: string, list: Map<string, Provider>): Promise<void> {
        await super.clear(botId, list);
        await sleep(300);
      }
    },
  },
  {
    id: 'refuses-open-names',
    profile: 'default',
    sentence:
      'Answers 400 to every name the 2020-03-10 revision refuses (outside A-Z, a-z, - and _, or longer than 200), which the default profile leaves open.',
    App: class extends ReferenceApp {
      protected override validate(body: unknown) {
        const result = super.validate(body);
        const refused = 'provider' in result && !/^[A-Za-z_-]{1,200}$/.test(result.provider.name);
        return refused ? { answer: this.badRequest('Names are A-Z, a-z, - and _, at most 200.') } : result;
      }
    },
  },
  {
    id: 'bom-refused',
    sentence: 'Answers 400 to a body that starts with a UTF-8 byte-order mark.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override parseProvider(contentType: string | undefined, raw: Buffer) {
        if (!raw.subarray(0, 3).equals(UTF8_BOM)) return super.parseProvider(contentType, raw);
        return { answer: this.badRequest('A byte-order mark before the JSON text is not read.') };
      }
    },
  },
  {
    id: 'bom-skipped',
    sentence: 'Reads a body that starts with a UTF-8 byte-order mark as if the mark were absent.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override parseProvider(contentType: string | undefined, raw: Buffer) {
        return super.parseProvider(contentType, raw.subarray(0, 3).equals(UTF8_BOM) ? raw.subarray(3) : raw);
      }
    },
  },
  {
    id: 'duplicate-keys-first',
    sentence: 'Of members repeated in one object, reads the first (JSON.parse reads the last).',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override parseProvider(contentType: string | undefined, raw: Buffer) {
        return super.parseProvider(contentType, Buffer.from(firstMembersWin(raw.toString('utf8'))));
      }
    },
  },
  // What docs/rules.md leaves open in every field, and HTTP as frameworks speak it.
  {
    id: 'refuses-unkeepable',
    sentence:
      'Answers 400 to a provider whose name or any value holds a control character or a character past U+FFFF (a utf8 column in strict mode refuses what it cannot keep).',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override validate(body: unknown) {
        const result = super.validate(body);
        if (!('provider' in result)) return result;
        const { name, config } = result.provider;
        const values = [name, config.basic?.username, config.basic?.password, config.bearer];
        return values.some((v) => v !== undefined && /[\u0000-\u001f\u007f]|[\u{10000}-\u{10ffff}]/u.test(v))
          ? { answer: this.badRequest('A name or value holds a character this store cannot keep.') }
          : result;
      }
    },
  },
  {
    id: 'express-like',
    sentence:
      'Answers as an Express app with its defaults and compression(): an ETag on every list, 304 to a GET whose If-None-Match holds it, gzip for a client that accepts it, Keep-Alive: timeout=1.',
    profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        const headers: Record<string, string> = { ...answer.headers, 'keep-alive': 'timeout=1' };
        if (answer.body === undefined) {
          super.send(res, { ...answer, headers });
          return;
        }
        const text = JSON.stringify(answer.body);
        if (res.req.method === 'GET' && answer.status === 200) {
          headers.etag = etagOf(text);
          const asked = (res.req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim());
          if (asked.includes(headers.etag) || asked.includes('*')) {
            res.writeHead(304, headers).end();
            return;
          }
        }
        const gzip = /\bgzip\b/.test(res.req.headers['accept-encoding'] ?? '');
        const bytes = gzip ? gzipSync(text) : Buffer.from(text);
        res
          .writeHead(answer.status, {
            ...headers,
            'content-type': 'application/json; charset=utf-8',
            'content-length': bytes.length,
            vary: 'Accept-Encoding',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          })
          .end(bytes);
      }
    },
  },
  {
    id: 'slow-body',
    sentence:
      'Sends the headers of its first five answers with a body 300 ms before the body; never answers Expect: 100-continue (it waits for the body, as a proxy in front of it would).',
    profile: 'default',
    App: class extends ReferenceApp {
      #answered = 0;
      override configure(server: http.Server): void {
        server.on('checkContinue', (req, res) => server.emit('request', req, res));
      }
      protected override send(res: http.ServerResponse, answer: Answer): void {
        if (answer.body === undefined || this.#answered++ >= 5) {
          super.send(res, answer);
          return;
        }
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          ...answer.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.flushHeaders();
        setTimeout(() => res.end(text), 300);
      }
    },
  },
];

// Faults of the HTTP layer and of repetition: what a server built on a real stack gets wrong below
// the API's own rules. A body read to its first chunk, a media type compared as a string, XML for a
// client that did not insist on JSON, a header found by one spelling of its name, a bot id folded to
// lower case or decoded twice, a POST dropped as a supposed retry, a repost that undoes, credentials kept by a
// connection whose server keeps Node's client from reusing it. Each is one override of the reference
// with a probe over raw HTTP; relations/catalogue.ts is what catches them, not a list of them.
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, error, type Answer } from '../reference/app.ts';
import { DIRECT } from '../client/http.ts';
import { WirePool } from '../client/raw-http.ts';
import { DISTINCTIONS } from '../relations/catalogue.ts';
import { decodedAgain, faultsIn, type Fault } from './fault.ts';
import type { Probe } from './probe.ts';

export const HTTP: Fault[] = [];
const fault = faultsIn(HTTP);

/** A server that looks a bot up by its id as `map` changes it, the route's own id otherwise. */
const botIdMapped = (map: (id: string) => string) =>
  class extends ReferenceApp {
    protected override route(method: string, url: string) {
      const route = super.route(method, url);
      return 'botId' in route ? { ...route, botId: map(route.botId) } : route;
    }
  };

/** The probe of such a server: bot-a's token on the bot id its distinction (relations/catalogue.ts) makes of bot-a's is taken. */
const takenOn = (distinction: string) => async (p: Probe) => {
  const other = DISTINCTIONS.find((d) => d.id === distinction)!.botId!(p.bots.botA)!;
  return (await p.status(p.send('GET', { bot: other, auth: `Bearer ${p.bots.tokenA}` }))) === 200;
};

const POISONED =
  'a body it leaves unread is read as the start of the next request on that connection, so whatever request comes next gets a 400';
fault(
  'chunked-first-chunk',
  'HTTP-EQUIVALENT',
  'Takes the first read of a chunked request body for the whole of it (a handler that awaits one data event).',
  class extends ReferenceApp {
    protected override readBody(req: http.IncomingMessage): Promise<{ raw: Buffer } | { answer: Answer }> {
      if (!/chunked/i.test(req.headers['transfer-encoding'] ?? '')) return super.readBody(req);
      return new Promise((resolve) => {
        req.once('data', (chunk: Buffer) => {
          resolve({ raw: chunk });
          req.resume();
        });
        req.once('end', () => resolve({ raw: Buffer.alloc(0) }));
      });
    }
  },
  async (p) => {
    const name = p.name();
    const status = await p.status(p.post(p.provider(name), { form: 'chunked-halves' }));
    return status !== 200 || (await p.has(name)) === 0;
  },
);

fault(
  'charset-415',
  'HTTP-EQUIVALENT',
  "Compares Content-Type with 'application/json' as a string: application/json; charset=utf-8 gets 415.",
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      if (contentType !== undefined && contentType !== 'application/json')
        return { answer: error(415, 'Unsupported media type', 'Send application/json.') };
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post(p.provider(), { contentType: 'application/json; charset=utf-8' }))) === 415,
);

fault(
  'xml-unless-json-asked',
  'GET-ACCEPT-JSON',
  'Answers GET in XML unless Accept names application/json (a content negotiator whose first format is XML).',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const asked = /application\/json/i.test(res.req.headers.accept ?? '');
      if (res.req.method !== 'GET' || answer.status !== 200 || asked) {
        super.send(res, answer);
        return;
      }
      const providers = (answer.body as { settings: { application: { media: { providers: Provider[] } } } }).settings
        .application.media.providers;
      const xml = `<?xml version="1.0"?><settings><application><media>${providers
        .map((p) => `<provider name="${p.name}" type="${p.type}"/>`)
        .join('')}</media></application></settings>`;
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) }).end(xml);
    }
  },
  async (p) => {
    const r = await p.send('GET', { form: 'accept-none' });
    return typeof r !== 'string' && r.status === 200 && r.json === undefined;
  },
);

fault(
  'authorization-lower-case-only',
  'HTTP-EQUIVALENT',
  "Finds the Authorization field among the raw header lines by its lower-case spelling only: 'Authorization: Bearer …', as most clients write it, is not seen (401).",
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const at = req.rawHeaders.findIndex((name, i) => i % 2 === 0 && name === 'authorization');
      if (at >= 0) req.headers.authorization = req.rawHeaders[at + 1];
      else delete req.headers.authorization;
      return super.handle(req);
    }
  },
  async (p) => (await p.status(p.send('GET', { form: 'names-title' }))) === 401,
);

fault(
  'bot-id-any-case',
  'BOT-ID-EXACT',
  "Looks bots up by their id in lower case: /BOT-A/ with bot-a's token reads and writes bot-a's list.",
  botIdMapped((id) => id.toLowerCase()),
  takenOn('bot-upper'),
);

fault(
  'bot-id-decoded-twice',
  'BOT-ID-EXACT',
  "Decodes the bot id's segment once more after the router did (a gateway and an app each decoding the path): /%2562ot-a/ with bot-a's token reads and writes bot-a's list.",
  botIdMapped(decodedAgain),
  takenOn('bot-percent-literal'),
);

/** The body of a POST as the retry filter compares it. */
const bodyKey = (p: Provider) => JSON.stringify(p);

fault(
  'drops-recent-repeats',
  'REPEAT-SAME-EFFECT',
  "Takes a POST whose body equals one of the bot's last three POSTs within 2 s for a client's retry: it answers 200 and does not apply it.",
  class extends ReferenceApp {
    readonly #recent = new Map<string, { key: string; at: number }[]>();
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const now = Date.now();
      const recent = (this.#recent.get(botId) ?? []).filter((r) => now - r.at < 2000);
      const key = bodyKey(provider);
      const retry = recent.some((r) => r.key === key);
      this.#recent.set(botId, [...recent, { key, at: now }].slice(-3));
      if (!retry) await super.upsert(botId, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    const [a, b] = [p.provider(name, { bearer: 'probe-a' }), p.provider(name, { bearer: 'probe-b' })];
    for (const body of [a, b, a]) await p.post(body);
    return (await p.providers())?.find((x) => x.name === name)?.config.bearer === 'probe-b';
  },
);

fault(
  'repost-removes',
  'REPEAT-SAME-EFFECT',
  'Removes a provider when it is posted again exactly as stored (an upsert written as a toggle).',
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const stored = list.get(provider.name);
      if (stored && bodyKey(stored) === bodyKey(provider)) list.delete(provider.name);
      else await super.upsert(botId, list, provider);
    }
  },
  async (p) => {
    const body = p.provider();
    await p.post(body);
    await p.post(body);
    return (await p.has(body.name)) === 0;
  },
);

fault(
  'sticky-auth-short-keep-alive',
  'AUTH-PER-REQUEST',
  "Remembers the bot a keep-alive connection authenticated as and lets later requests on it through without credentials, and advertises Keep-Alive: timeout=1, so that Node's client never reuses its connections.",
  class extends ReferenceApp {
    readonly #sessions = new WeakMap<object, string>();
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if ('botId' in route) {
        if (this.#sessions.get(req.socket) === route.botId)
          req.headers.authorization = `Bearer ${this.options.bots.get(route.botId)}`;
        else if (this.authorized(route.botId, req.headers.authorization)) this.#sessions.set(req.socket, route.botId);
      }
      return super.handle(req);
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      super.send(res, { ...answer, headers: { ...answer.headers, 'keep-alive': 'timeout=1' } });
    }
  },
  async (p) => {
    const pool = new WirePool(DIRECT, 3000);
    try {
      await p.send('GET', { pool });
      const second = await p.send('GET', { pool, auth: null });
      return typeof second !== 'string' && second.reused === true && second.status === 200;
    } finally {
      pool.closeAll();
    }
  },
);

fault(
  'unread-body-poisons-connection',
  'HTTP-EQUIVALENT',
  'Answers a POST with bad credentials before reading its body and keeps the connection open: the unread body is then read as the next request on it (400).',
  class extends ReferenceApp {
    readonly #poisoned = new WeakSet<object>();
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      if (this.#poisoned.has(req.socket)) {
        this.#poisoned.delete(req.socket);
        return error(400, 'Bad request', 'The request line could not be parsed.');
      }
      const answer = await super.handle(req);
      if (answer.status === 401 && req.method === 'POST' && Number(req.headers['content-length']) > 0)
        this.#poisoned.add(req.socket);
      return answer;
    }
  },
  async (p) => {
    const pool = new WirePool(DIRECT, 3000);
    try {
      await p.post(p.provider(), { pool, auth: null });
      const next = await p.send('GET', { pool });
      return typeof next !== 'string' && next.reused === true && next.status === 400;
    } finally {
      pool.closeAll();
    }
  },
  {
    explains: {
      'POST-VALID-200': POISONED,
      'AUTH-MISSING': POISONED,
      'AUTH-MALFORMED': POISONED,
      'AUTH-WRONG-TOKEN': POISONED,
      'AUTH-OTHER-BOT': POISONED,
      'AUTH-UNKNOWN-BOT': POISONED,
      'AUTH-OTHER-REGION': POISONED,
      'AUTH-BEFORE-BODY': POISONED,
      'AUTH-SCHEME-CASE': POISONED,
    },
  },
);

fault(
  'gzip-unlabelled',
  'HTTP-EQUIVALENT',
  'Compresses an answer with gzip when the client accepts gzip, but leaves out Content-Encoding (a proxy that compresses and drops the field).',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.body === undefined || !/gzip/.test(res.req.headers['accept-encoding'] ?? '')) {
        super.send(res, answer);
        return;
      }
      const bytes = gzipSync(JSON.stringify(answer.body));
      res
        .writeHead(answer.status, {
          ...answer.headers,
          'content-type': 'application/json',
          'content-length': bytes.length,
        })
        .end(bytes);
    }
  },
  async (p) => {
    const r = await p.send('GET', { form: 'accept-encoding' });
    return typeof r !== 'string' && r.status === 200 && r.json === undefined;
  },
);

fault(
  'expectation-failed',
  'HTTP-EQUIVALENT',
  'Answers 417 Expectation Failed to every request that says Expect: 100-continue, as some servers and proxies still do.',
  class extends ReferenceApp {
    override configure(server: http.Server): void {
      server.on('checkContinue', (_req, res: http.ServerResponse) => {
        const body = JSON.stringify({ message: 'Expectation failed', reason: 'Expect is not supported.' });
        res.writeHead(417, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    }
  },
  async (p) => (await p.status(p.post(p.provider(), { form: 'expect-continue' }))) === 417,
);

fault(
  'length-required',
  'HTTP-EQUIVALENT',
  'Refuses a body without Content-Length with 411 Length Required: a chunked POST is never read.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      if (req.method === 'POST' && req.headers['content-length'] === undefined) {
        req.resume();
        return error(411, 'Length required', 'Send a Content-Length.');
      }
      return super.handle(req);
    }
  },
  async (p) => (await p.status(p.post(p.provider(), { form: 'chunked-one' }))) === 411,
);

fault(
  'conditional-always-304',
  'HTTP-EQUIVALENT',
  'Answers 304 Not Modified to every GET that carries If-None-Match or If-Modified-Since, whatever they hold (a cache that never compares).',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
      return req.method === 'GET' && answer.status === 200 && conditional ? { status: 304 } : answer;
    }
  },
  async (p) => (await p.status(p.send('GET', { form: 'if-none-match' }))) === 304,
);

fault(
  'absolute-target-not-found',
  'HTTP-EQUIVALENT',
  'Routes on the request-target as written, so a target in absolute form (POST http://host/whatsapp/…) gets 404.',
  class extends ReferenceApp {
    protected override route(method: string, url: string) {
      return url.startsWith('/') ? super.route(method, url) : { op: 'not-found' as const };
    }
  },
  async (p) => (await p.status(p.send('GET', { form: 'target-absolute' }))) === 404,
);

fault(
  'bot-id-trimmed',
  'BOT-ID-EXACT',
  "Trims whitespace from the bot id in the path: /bot-a%20/ with bot-a's token is bot-a.",
  botIdMapped((id) => id.trim()),
  takenOn('bot-space'),
);

fault(
  'token-split-on-one-space',
  'HTTP-EQUIVALENT',
  "Takes the token as the second word of Authorization split at single spaces: 'Bearer  token', with two spaces, gives an empty token (401).",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      const [scheme, token] = (header ?? '').split(' ');
      return super.authorized(botId, token ? `${scheme} ${token}` : scheme);
    }
  },
  async (p) => (await p.status(p.send('GET', { form: 'auth-two-spaces' }))) === 401,
);

fault(
  'item-route-ignores-method',
  'GET-SAFE',
  'Routes provider/{name} without looking at the method: a GET of it removes the provider, as its DELETE does.',
  class extends ReferenceApp {
    protected override route(method: string, url: string) {
      const route = super.route(method === 'GET' ? 'DELETE' : method, url);
      return route.op === 'remove' || method !== 'GET' ? route : super.route(method, url);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name));
    await p.send('GET', { name });
    return (await p.has(name)) === 0;
  },
  '2020-03-10',
);

fault(
  'bearer-anywhere',
  'AUTH-MALFORMED',
  "Looks for 'Bearer <token>' anywhere in Authorization: a header of Basic credentials followed by ', Bearer <token>' is let through.",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      const found = / Bearer +([^ ]+)$/.exec(header ?? '');
      return super.authorized(botId, found ? `Bearer ${found[1]}` : header);
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: `Basic eA==, Bearer ${p.bots.tokenA}` }))) === 200,
);

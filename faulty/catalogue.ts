// The faulty servers: each is the reference server with exactly one change, declared with the rule it
// breaks and one sentence; the level comes from the rule catalogue. A probe over raw HTTP shows that
// the fault really happens. The meta-test (selftest/detection.spec.ts) runs the real suite on each.
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, Refusal, error, type Answer, type AppClass, type ReferenceOptions } from '../reference/app.ts';
import { isObject, type Fault } from './fault.ts';
import type { Probe } from './probe.ts';
import { UNLISTED } from './unlisted.ts';

export type { Fault };

type Transform = (req: http.IncomingMessage, answer: Answer) => Answer | Promise<Answer>;

/** A variant whose only change is to the answers the reference gives. */
function answers(transform: Transform): AppClass {
  return class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      return transform(req, await super.handle(req));
    }
  };
}

const isPost = (req: http.IncomingMessage) => req.method === 'POST';
const isDelete = (req: http.IncomingMessage) => req.method === 'DELETE';
const valid = (p: Probe, name = p.name()) => p.provider(name);

/** The answer that is never sent: the request hangs (or its socket is already gone). */
const NO_ANSWER: Answer = { status: 0 };
class Unanswering extends ReferenceApp {
  protected override send(res: http.ServerResponse, answer: Answer): void {
    if (answer !== NO_ANSWER) super.send(res, answer);
  }
}

function parseOrUndefined(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

const FAULTS: Fault[] = [];
function fault(id: string, rule: string, sentence: string, App: AppClass, probe: Fault['probe'], profile: Profile = 'default'): void {
  FAULTS.push({ id, rule, sentence, App, probe, profile });
}

// ── POST: success codes and bodies
fault('post-201', 'POST-VALID-200', 'Answers 201 to a valid POST.',
  answers((req, a) => (isPost(req) && a.status === 200 ? { status: 201 } : a)),
  async (p) => (await p.status(p.post(valid(p)))) === 201);
fault('post-204', 'POST-VALID-200', 'Answers 204 to a valid POST.',
  answers((req, a) => (isPost(req) && a.status === 200 ? { status: 204 } : a)),
  async (p) => (await p.status(p.post(valid(p)))) === 204);
fault('post-body', 'POST-EMPTY-BODY', 'Answers a valid POST with a JSON body.',
  answers((req, a) => (isPost(req) && a.status === 200 ? { status: 200, body: { status: 'stored' } } : a)),
  async (p) => { const r = await p.post(valid(p)); return typeof r !== 'string' && r.text !== ''; });

// ── POST: invalid input taken
class Lenient extends ReferenceApp {
  /** Rewrites the parsed body before the contract sees it. */
  protected loosen(body: unknown): unknown { return body; }
  protected override validate(body: unknown) { return super.validate(this.loosen(body)); }
}
fault('accepts-malformed-json', 'POST-400-MALFORMED-JSON', 'Answers 200 to a body that is not JSON (and stores nothing).',
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      try { JSON.parse(raw.toString('utf8')); } catch { return { answer: { status: 200 } }; }
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post('{"name":'))) === 200);
fault('accepts-array', 'POST-400-NOT-OBJECT', 'Takes a JSON array of providers and stores its first element.',
  class extends Lenient { protected override loosen(b: unknown) { return Array.isArray(b) ? b[0] : b; } },
  async (p) => (await p.status(p.post([valid(p)]))) === 200);
fault('accepts-missing-config', 'POST-400-MISSING-FIELD', 'Takes a provider without config as a Bearer provider with an empty token.',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && !('config' in b) ? { ...b, config: { bearer: '' } } : b; } },
  async (p) => (await p.status(p.post({ name: p.name(), type: 'www' }))) === 200);
fault('coerces-name', 'POST-400-WRONG-TYPE', 'Turns a non-string name into a string instead of refusing it.',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && 'name' in b && typeof b.name !== 'string' ? { ...b, name: JSON.stringify(b.name) } : b; } },
  async (p) => (await p.status(p.post({ name: 7, type: 'www', config: { bearer: 'x' } }))) === 200);
fault('type-any-case', 'POST-400-UNKNOWN-TYPE', "Compares type case-insensitively, so 'WWW' is taken.",
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && typeof b.type === 'string' ? { ...b, type: b.type.toLowerCase() } : b; } },
  async (p) => (await p.status(p.post({ ...valid(p), type: 'WWW' }))) === 200);
fault('accepts-empty-config', 'POST-400-EMPTY-CONFIG', 'Takes a config with neither basic nor bearer.',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && isObject(b.config) && !('basic' in b.config) && !('bearer' in b.config) ? { ...b, config: { ...b.config, bearer: '' } } : b; } },
  async (p) => (await p.status(p.post({ ...valid(p), config: {} }))) === 200);
fault('basic-without-password', 'POST-400-INCOMPLETE-BASIC', 'Takes a basic config without password (as an empty one).',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && isObject(b.config) && isObject(b.config.basic) && !('password' in b.config.basic) ? { ...b, config: { basic: { ...b.config.basic, password: '' } } } : b; } },
  async (p) => (await p.status(p.post({ ...valid(p), config: { basic: { username: 'u' } } }))) === 200);
fault('coerces-bearer', 'POST-400-NON-STRING-CREDENTIAL', 'Turns a non-string bearer into a string.',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && isObject(b.config) && 'bearer' in b.config && typeof b.config.bearer !== 'string' ? { ...b, config: { bearer: JSON.stringify(b.config.bearer) } } : b; } },
  async (p) => (await p.status(p.post({ ...valid(p), config: { bearer: 42 } }))) === 200);

// ── 400 bodies and side effects
fault('text-400', 'ERROR-400-JSON', 'Answers 400 with a plain-text body.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 400) return super.send(res, answer);
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request');
    }
  },
  async (p) => { const r = await p.post('{'); return typeof r !== 'string' && r.json === undefined; });
fault('400-without-reason', 'ERROR-400-FIELDS', "Answers 400 with {\"error\": ...} instead of message and reason.",
  class extends ReferenceApp { protected override badRequest(reason: string): Answer { return { status: 400, body: { error: reason } }; } },
  async (p) => { const r = await p.post('{'); return typeof r !== 'string' && isObject(r.json) && !('reason' in r.json); });
fault('writes-then-rejects', 'POST-400-NO-CHANGE', 'Stores any refused body that has a string name, then answers 400.',
  class extends ReferenceApp {
    protected override refuse(answer: Answer, raw: Buffer, list: Map<string, Provider>): Answer {
      const body = parseOrUndefined(raw);
      if (isObject(body) && typeof body.name === 'string') list.set(body.name, body as unknown as Provider);
      return answer;
    }
  },
  async (p) => { const name = p.name(); await p.post({ name, type: 'WWW', config: { bearer: 'x' } }); return (await p.has(name)) === 1; });

// ── upsert by name
fault('upsert-appends', 'UPSERT-NO-DUPLICATE', 'Appends a reused name as a second entry.',
  class extends ReferenceApp {
    #n = 0;
    protected override async upsert(_b: string, list: Map<string, Provider>, provider: Provider) { list.set(`${provider.name}\u0000${this.#n++}`, provider); }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name)); await p.post(valid(p, name)); return (await p.has(name)) === 2; });
fault('upsert-ignores', 'UPSERT-REPLACES', 'Keeps the first provider of a name and ignores later ones (answering 200).',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) { if (!list.has(provider.name)) await super.upsert(b, list, provider); }
  },
  async (p) => { const name = p.name(); await p.post(p.provider(name, { bearer: 'one' })); await p.post(p.provider(name, { bearer: 'two' })); return (await p.providers())?.find((x) => x.name === name)?.config.bearer === 'one'; });
fault('upsert-merges', 'UPSERT-NO-MERGE', 'Merges the new config into the old one.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      const old = list.get(provider.name);
      await super.upsert(b, list, old ? { ...provider, config: { ...old.config, ...provider.config } } : provider);
    }
  },
  async (p) => { const name = p.name(); await p.post(p.provider(name, { basic: { username: 'u', password: 'p' } })); await p.post(p.provider(name, { bearer: 't' })); const c = (await p.providers())?.find((x) => x.name === name)?.config; return Boolean(c && 'basic' in c && 'bearer' in c); });
fault('upsert-409', 'UPSERT-REPLACES', 'Answers 409 Conflict to a reused name.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (list.has(provider.name)) throw new Refusal(error(409, 'Conflict', 'A provider of that name exists.'));
      await super.upsert(b, list, provider);
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name)); return (await p.status(p.post(valid(p, name)))) === 409; });
fault('upsert-replaces-list', 'UPSERT-OTHERS-UNTOUCHED', 'Reusing a name replaces the whole list with that one provider.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (list.has(provider.name)) list.clear();
      await super.upsert(b, list, provider);
    }
  },
  async (p) => { const [a, b] = [p.name(), p.name()]; await p.post(valid(p, a)); await p.post(valid(p, b)); await p.post(valid(p, b)); return (await p.has(a)) === 0; });
fault('names-any-case', 'NAME-CASE-SENSITIVE', 'Compares names case-insensitively, so `Alpha` replaces `alpha`.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      for (const key of list.keys()) if (key.toLowerCase() === provider.name.toLowerCase()) list.delete(key);
      await super.upsert(b, list, provider);
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name)); await p.post(valid(p, name.toUpperCase())); return (await p.has(name)) === 0; });
fault('lost-update', 'CONCURRENT-UPSERTS', 'Writes by read-copy-write with a pause, so concurrent POSTs lose each other.',
  class extends ReferenceApp {
    protected override async upsert(_b: string, list: Map<string, Provider>, provider: Provider) {
      const copy = new Map(list);
      await sleep(15);
      copy.set(provider.name, provider);
      list.clear();
      for (const [k, v] of copy) list.set(k, v);
    }
  },
  async (p) => { const names = [p.name(), p.name(), p.name(), p.name()]; await Promise.all(names.map((n) => p.post(valid(p, n)))); const counts = await Promise.all(names.map((n) => p.has(n))); return counts.includes(0); });

// ── GET
fault('wrong-nesting', 'GET-200-SHAPE', 'Lists the providers at settings.application.providers (no media level).',
  class extends ReferenceApp { protected override render(providers: Provider[]) { return { settings: { application: { providers } } }; } },
  async (p) => { await p.post(valid(p)); return (await p.providers()) === undefined; });
fault('entries-without-type', 'GET-200-SHAPE', 'Leaves type out of every listed entry.',
  class extends ReferenceApp { protected override render(providers: Provider[]) { return super.render(providers.map(({ type: _t, ...rest }) => rest as Provider)); } },
  async (p) => { await p.post(valid(p)); return (await p.providers())?.some((x) => !('type' in x)) ?? false; });
fault('masks-secrets', 'GET-CONFIG-ROUNDTRIP', 'Lists passwords and bearer tokens as ****.',
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return super.render(providers.map((x) => ({ ...x, config: x.config.basic ? { basic: { ...x.config.basic, password: '****' } } : { bearer: '****' } })));
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name)); return (await p.providers())?.find((x) => x.name === name)?.config.bearer === '****'; });
fault('stale-read', 'GET-READ-AFTER-WRITE', 'Serves GET from a copy refreshed at most every 2 seconds.',
  class extends ReferenceApp {
    #cache = new Map<string, { at: number; providers: Provider[] }>();
    protected override async read(botId: string, list: Map<string, Provider>): Promise<Provider[]> {
      const cached = this.#cache.get(botId);
      if (cached && Date.now() - cached.at < 2000) return cached.providers;
      const providers = await super.read(botId, list);
      this.#cache.set(botId, { at: Date.now(), providers });
      return providers;
    }
  },
  async (p) => { await p.providers(); const name = p.name(); await p.post(valid(p, name)); return (await p.has(name)) === 0; });
fault('empty-404', 'GET-EMPTY-200', 'Answers 404 to GET when the list is empty.',
  answers((req, a) => {
    const providers = (a.body as { settings?: { application?: { media?: { providers?: unknown[] } } } } | undefined)?.settings?.application?.media?.providers;
    return req.method === 'GET' && providers?.length === 0 ? error(404, 'Not found', 'No providers.') : a;
  }),
  async (p) => { await p.send('DELETE'); return (await p.status(p.send('GET'))) === 404; });
fault('empty-as-object', 'GET-EMPTY-NESTING', 'Answers an empty list as {}.',
  class extends ReferenceApp { protected override render(providers: Provider[]) { return providers.length ? super.render(providers) : {}; } },
  async (p) => { await p.send('DELETE'); const r = await p.send('GET'); return typeof r !== 'string' && r.text === '{}'; });
fault('json-as-text', 'CONTENT-TYPE-JSON', 'Sends JSON bodies as text/plain.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      super.send(res, answer.body === undefined ? answer : { ...answer, headers: { ...answer.headers, 'content-type': 'text/plain' } });
    }
  },
  async (p) => { const r = await p.send('GET'); return typeof r !== 'string' && String(r.headers['content-type']).startsWith('text/plain'); });

// ── DELETE
fault('delete-noop', 'DELETE-EMPTIES', 'Answers 200 to DELETE and removes nothing.',
  class extends ReferenceApp { protected override async clear(): Promise<void> {} },
  async (p) => { await p.post(valid(p)); await p.send('DELETE'); return ((await p.providers())?.length ?? 0) > 0; });
fault('delete-one-entry', 'DELETE-EMPTIES', 'DELETE removes only the oldest entry.',
  class extends ReferenceApp { protected override async clear(_b: string, list: Map<string, Provider>): Promise<void> { list.delete(list.keys().next().value!); } },
  async (p) => { await p.post(valid(p)); await p.post(valid(p)); await p.send('DELETE'); return ((await p.providers())?.length ?? 0) > 0; });
fault('delete-all-bots', 'DELETE-THIS-BOT-ONLY', "DELETE empties every bot's list.",
  class extends ReferenceApp { protected override async clear(): Promise<void> { for (const list of this.lists.values()) list.clear(); } },
  async (p) => { const name = p.name(); await p.post(valid(p, name), { bot: p.bots.botB }); await p.send('DELETE'); return (await p.has(name, p.bots.botB)) === 0; });
fault('delete-204', 'DELETE-200', 'Answers 204 to DELETE.',
  answers((req, a) => (isDelete(req) && a.status === 200 ? { status: 204 } : a)),
  async (p) => (await p.status(p.send('DELETE'))) === 204);
fault('delete-body', 'DELETE-EMPTY-BODY', 'Answers DELETE with a JSON body.',
  answers((req, a) => (isDelete(req) && a.status === 200 ? { status: 200, body: { deleted: true } } : a)),
  async (p) => { const r = await p.send('DELETE'); return typeof r !== 'string' && r.text !== ''; });
fault('delete-empty-404', 'DELETE-IDEMPOTENT', 'Answers 404 to DELETE of an already empty list.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      const empty = 'botId' in route && this.lists.get(route.botId)?.size === 0;
      const answer = await super.handle(req);
      return isDelete(req) && answer.status === 200 && empty ? error(404, 'Not found', 'Nothing to delete.') : answer;
    }
  },
  async (p) => { await p.send('DELETE'); return (await p.status(p.send('DELETE'))) === 404; });

// ── authentication
const tokensOf = (app: ReferenceApp) => [...app.options.bots.entries()];
fault('auth-403', 'AUTH-WRONG-TOKEN', 'Answers 403 instead of 401 to a token it does not know.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const hasToken = /^bearer \S+/i.test(req.headers.authorization ?? '');
      return answer.status === 401 && hasToken ? error(403, '403', 'Forbidden') : answer;
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: 'Bearer wrong-token' }))) === 403);
fault('text-401', 'AUTH-401-JSON', 'Answers 401 with a plain-text body.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 401) return super.send(res, answer);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    }
  },
  async (p) => { const r = await p.send('GET', { auth: null }); return typeof r !== 'string' && r.status === 401 && r.json === undefined; });
fault('401-without-reason', 'AUTH-401-FIELDS', 'Answers 401 with {"error": ...} instead of message and reason.',
  class extends ReferenceApp { protected override unauthorized(): Answer { return { status: 401, body: { error: 'unauthorized' } }; } },
  async (p) => { const r = await p.send('GET', { auth: null }); return typeof r !== 'string' && isObject(r.json) && !('message' in r.json); });
fault('any-token', 'AUTH-WRONG-TOKEN', 'Accepts any Bearer token for a bot that resides here.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean { return this.lists.has(botId) && /^bearer \S+$/i.test(header ?? ''); }
  },
  async (p) => (await p.status(p.send('GET', { auth: 'Bearer wrong-token' }))) === 200);
fault('any-bots-token', 'AUTH-OTHER-BOT', "Accepts any resident bot's token for any resident bot.",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return this.lists.has(botId) && tokensOf(this).some(([bot]) => super.authorized(bot, header));
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: `Bearer ${p.bots.tokenB}` }))) === 200);
fault('get-without-auth', 'AUTH-MISSING', 'Answers GET without an Authorization header.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean { return header === undefined ? this.lists.has(botId) : super.authorized(botId, header); }
  },
  async (p) => (await p.status(p.send('GET', { auth: null }))) === 200);
fault('delete-without-auth', 'AUTH-MISSING', 'Performs DELETE without an Authorization header.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      if (isDelete(req) && req.headers.authorization === undefined) req.headers.authorization = `Bearer ${tokensOf(this).find(([b]) => (req.url ?? '').includes(`/${b}/`))?.[1] ?? ''}`;
      return super.handle(req);
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name)); await p.send('DELETE', { auth: null }); return (await p.has(name)) === 0; });
fault('schemeless-token', 'AUTH-MALFORMED', 'Accepts the token without the Bearer scheme.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean { return super.authorized(botId, header?.includes(' ') ? header : `Bearer ${header}`); }
  },
  async (p) => (await p.status(p.send('GET', { auth: p.bots.tokenA }))) === 200);
fault('unknown-bot-created', 'AUTH-UNKNOWN-BOT', 'Creates an unknown bot on first use, with whatever token came.',
  class extends ReferenceApp {
    readonly adopted = new Set<string>();
    protected override authorized(botId: string, header: string | undefined): boolean {
      if (!this.lists.has(botId) && this.options.bots.size > 0 && /^bearer \S+$/i.test(header ?? '')) {
        this.lists.set(botId, new Map());
        this.adopted.add(botId);
      }
      return this.adopted.has(botId) || super.authorized(botId, header);
    }
  },
  async (p) => (await p.status(p.send('GET', { bot: 'no-such-bot' }))) === 200);
const REGISTRY = new Map<string, string>();
fault('resident-everywhere', 'AUTH-OTHER-REGION', 'Every region answers for every bot of any region (one shared directory).',
  class extends ReferenceApp {
    constructor(options: ReferenceOptions) {
      super(options);
      for (const [bot, token] of options.bots) REGISTRY.set(bot, token);
    }
    protected override authorized(botId: string, header: string | undefined): boolean {
      if (!this.lists.has(botId) && REGISTRY.has(botId)) this.lists.set(botId, new Map());
      const token = /^bearer (\S+)$/i.exec(header ?? '')?.[1];
      return super.authorized(botId, header) || (token !== undefined && REGISTRY.get(botId) === token);
    }
  },
  async (p) => (await p.status(p.send('GET', { base: p.otherRegionUrl }))) === 200);
fault('writes-then-401', 'AUTH-NO-CHANGE', 'Stores a POSTed provider even when the token is wrong, then answers 401.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      const bot = 'botId' in route ? route.botId : '';
      if (isPost(req) && this.lists.has(bot) && !this.authorized(bot, req.headers.authorization)) {
        await this.update(req, bot, this.lists.get(bot)!);
        return this.unauthorized();
      }
      return super.handle(req);
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name), { auth: 'Bearer wrong-token' }); return (await p.has(name)) === 1; });
fault('scheme-exact-case', 'AUTH-SCHEME-CASE', "Accepts only 'Bearer' spelled exactly so.",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean { return (header ?? '').startsWith('Bearer ') && super.authorized(botId, header); }
  },
  async (p) => (await p.status(p.send('GET', { auth: `bearer ${p.bots.tokenA}` }))) === 401);

// ── failure transcripts that carry secrets: each fails a rule in a way that puts credentials into
// what the suite records (the leak search in selftest/detection.spec.ts reads every output)
const echoOf = (req: http.IncomingMessage) => Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
fault('malformed-403', 'AUTH-MALFORMED', 'Answers 403 to an Authorization header without the Bearer scheme (the token alone, Basic).',
  answers((req, a) => (a.status === 401 && req.headers.authorization !== undefined && !/^bearer(\s|$)/i.test(req.headers.authorization) ? error(403, '403', 'Forbidden') : a)),
  async (p) => (await p.status(p.send('GET', { auth: p.bots.tokenA }))) === 403);
fault('forbidden-quotes-token', 'AUTH-WRONG-TOKEN', 'Answers 403 to a wrong token, quoting the token and the whole header in its reason.',
  answers((req, a) => {
    const token = /^bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    return a.status === 401 && token ? error(403, '403', `token ${token} is not valid here (Authorization: ${req.headers.authorization})`) : a;
  }),
  async (p) => { const r = await p.send('GET', { auth: 'Bearer wrong-token-123' }); return typeof r !== 'string' && r.status === 403 && r.text.includes('wrong-token-123'); });
fault('text-401-echo', 'AUTH-401-JSON', 'Answers 401 in plain text that echoes every request header, Authorization included.',
  class extends ReferenceApp {
    #last = new WeakMap<http.ServerResponse, string>();
    override listener(): http.RequestListener {
      const inner = super.listener();
      return (req, res) => { this.#last.set(res, echoOf(req)); inner(req, res); };
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 401) return super.send(res, answer);
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`Unauthorized. You sent:\n${this.#last.get(res)}`);
    }
  },
  async (p) => { const r = await p.send('GET', { auth: `Basic ${Buffer.from(`x:${p.bots.tokenA}`).toString('base64')}` }); return typeof r !== 'string' && r.status === 401 && r.json === undefined && r.text.includes('authorization: Basic'); });
fault('text-400-echo', 'ERROR-400-JSON', 'Answers 400 in plain text that echoes the refused body and the Authorization header, base64-encoded too.',
  class extends ReferenceApp {
    protected override refuse(answer: Answer, raw: Buffer): Answer {
      return answer.status === 400 ? { ...answer, headers: { 'x-refused': raw.toString('utf8').slice(0, 4000) } } : answer;
    }
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const refused = answer.headers?.['x-refused'];
      if (refused === undefined) return answer;
      const auth = req.headers.authorization ?? '';
      return { status: 400, headers: { 'x-text': `Bad request from ${auth} (${Buffer.from(auth).toString('base64')}): ${refused}` } };
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const text = answer.headers?.['x-text'];
      if (text === undefined) return super.send(res, answer);
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    }
  },
  async (p) => { const r = await p.post('{"name":"x","type":"www","config":{"bearer":"echo-me-1"}'); return typeof r !== 'string' && r.status === 400 && r.json === undefined && r.text.includes('echo-me-1'); });
fault('400-reason-quotes-request', 'ERROR-400-FIELDS', 'Answers 400 with {"error": "..."} holding the refused request, headers and body, as a JSON string.',
  class extends ReferenceApp {
    #request = '';
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      this.#request = JSON.stringify({ headers: req.headers });
      return super.handle(req);
    }
    protected override refuse(answer: Answer, raw: Buffer): Answer {
      return answer.status === 400 ? { status: 400, body: { error: JSON.stringify({ request: JSON.parse(this.#request), body: raw.toString('utf8').slice(0, 4000) }) } } : answer;
    }
  },
  async (p) => { const r = await p.post('{"name":"x","type":"www","config":{"bearer":"echo-me-2"}'); return typeof r !== 'string' && r.status === 400 && isObject(r.json) && !('reason' in r.json) && r.text.includes('echo-me-2'); });
fault('post-echo-form', 'POST-EMPTY-BODY', 'Answers a valid POST with the stored provider, form-encoded, in plain text.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      await super.upsert(b, list, provider);
      const c = provider.config;
      const form = new URLSearchParams({ name: provider.name, ...(c.basic ? { username: c.basic.username, password: c.basic.password } : { bearer: c.bearer ?? '' }) });
      throw new Refusal({ status: 200, body: undefined, headers: { 'x-stored': form.toString().slice(0, 4000) } });
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const stored = answer.headers?.['x-stored'];
      if (stored === undefined) return super.send(res, answer);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`stored ${stored}`);
    }
  },
  async (p) => { const r = await p.post(p.provider(p.name(), { bearer: 'form me' })); return typeof r !== 'string' && r.status === 200 && r.text.includes('bearer=form+me'); });
fault('post-without-auth', 'AUTH-MISSING', 'Stores a POST that has no Authorization header.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (isPost(req) && route.op === 'update' && req.headers.authorization === undefined && this.lists.has(route.botId)) return this.update(req, route.botId, this.lists.get(route.botId)!);
      return super.handle(req);
    }
  },
  async (p) => { const name = p.name(); await p.post(valid(p, name), { auth: null }); return (await p.has(name)) === 1; });

// ── robustness
fault('500-on-proto', 'ROBUST-NO-5XX', "Answers 500 to the name '__proto__'.",
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (provider.name === '__proto__') throw new Error('prototype pollution guard tripped');
      await super.upsert(b, list, provider);
    }
  },
  async (p) => (await p.status(p.post(p.provider('__proto__')))) === 500);
fault('500-without-content-type', 'ROBUST-NO-5XX', 'Answers 500 to a POST without Content-Type.',
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      if (contentType === undefined) throw new TypeError("Cannot read properties of undefined (reading 'split')");
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post(valid(p), { contentType: null }))) === 500);
fault('drop-on-astral', 'ROBUST-NO-DROP', 'Drops the connection when a body holds astral-plane characters.',
  class extends Unanswering {
    protected override async readBody(req: http.IncomingMessage) {
      const read = await super.readBody(req);
      if ('raw' in read && /[\u{10000}-\u{10FFFF}]/u.test(read.raw.toString('utf8'))) {
        req.socket.destroy();
        return { answer: NO_ANSWER };
      }
      return read;
    }
  },
  async (p) => (await p.status(p.post(p.provider('𝄞-name')))) === 'dropped');
fault('hang-on-deep', 'ROBUST-NO-HANG', 'Never answers a body nested more than 1 000 levels deep.',
  class extends Unanswering {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      let depth = 0;
      for (const byte of raw) if (byte === 0x5b && ++depth > 1000) return { answer: NO_ANSWER };
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post(`{"name":"deep","type":"www","config":{"bearer":"x","e":${'['.repeat(2000)}${']'.repeat(2000)}}}`))) === 'timeout');

/** The answer that never ends: headers, then body bytes for as long as the client reads. */
const ENDLESS: Answer = { status: 200 };
export class EndlessAnswer extends ReferenceApp {
  /** Bytes written into each endless answer before the client let go. */
  static written: number[] = [];
  protected override parseProvider(contentType: string | undefined, raw: Buffer) {
    const name = (parseOrUndefined(raw) as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && /[\u{10000}-\u{10FFFF}]/u.test(name) ? { answer: ENDLESS } : super.parseProvider(contentType, raw);
  }
  protected override send(res: http.ServerResponse, answer: Answer): void {
    if (answer !== ENDLESS) return super.send(res, answer);
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const at = EndlessAnswer.written.push(0) - 1;
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) EndlessAnswer.written[at] += chunk.length;
      if (!res.destroyed) res.once('drain', () => { EndlessAnswer.written[at] += chunk.length; pump(); });
    };
    pump();
  }
}
fault('endless-answer', 'ROBUST-NO-HANG', 'Answers a name with astral-plane characters with a body that never ends.',
  EndlessAnswer,
  async (p) => (await p.status(p.post(p.provider('𝄞-name')))) === 'oversized');

// ── the 2020-03-10 revision
fault('rev-accepts-digit', 'REV-NAME-CHARSET', 'Takes names with digits.',
  class extends Lenient {
    protected override loosen(b: unknown) { return isObject(b) && typeof b.name === 'string' ? { ...b, name: b.name.replace(/[0-9]/g, 'x') } : b; }
  },
  async (p) => (await p.status(p.post(valid(p, `${p.name()}7`)))) === 200, '2020-03-10');
fault('rev-accepts-201', 'REV-NAME-LENGTH', 'Takes names of up to 255 characters.',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && typeof b.name === 'string' && b.name.length <= 255 ? { ...b, name: b.name.slice(0, 200) } : b; } },
  async (p) => (await p.status(p.post(valid(p, 'a'.repeat(201))))) === 200, '2020-03-10');
fault('rev-rejects-200', 'REV-NAME-LENGTH', 'Refuses names of 200 characters (an off-by-one limit of 199).',
  class extends Lenient { protected override loosen(b: unknown) { return isObject(b) && typeof b.name === 'string' && b.name.length === 200 ? { ...b, name: `${b.name}1` } : b; } },
  async (p) => (await p.status(p.post(valid(p, 'a'.repeat(200))))) === 400, '2020-03-10');
class RemoveVariant extends ReferenceApp {
  protected removeFrom(list: Map<string, Provider>, name: string): void { list.delete(name); }
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    const route = this.route(req.method ?? '', req.url ?? '/');
    if (route.op !== 'remove' || !this.authorized(route.botId, req.headers.authorization)) return super.handle(req);
    this.removeFrom(this.lists.get(route.botId)!, route.name);
    return this.ok();
  }
}
fault('rev-remove-all', 'REV-DELETE-ONE', 'DELETE of provider/{name} empties the whole list.',
  class extends RemoveVariant { protected override removeFrom(list: Map<string, Provider>) { list.clear(); } },
  async (p) => { const [a, b] = [p.name(), p.name()]; await p.post(valid(p, a)); await p.post(valid(p, b)); await p.send('DELETE', { name: a }); return (await p.has(b)) === 0; }, '2020-03-10');
fault('rev-remove-none', 'REV-DELETE-ONE', 'DELETE of provider/{name} answers 200 and removes nothing.',
  class extends RemoveVariant { protected override removeFrom() {} },
  async (p) => { const a = p.name(); await p.post(valid(p, a)); await p.send('DELETE', { name: a }); return (await p.has(a)) === 1; }, '2020-03-10');
fault('rev-remove-any-case', 'REV-DELETE-ONE-EXACT', 'DELETE of provider/{name} also removes names that differ only in case.',
  class extends RemoveVariant {
    protected override removeFrom(list: Map<string, Provider>, name: string) { for (const k of [...list.keys()]) if (k.toLowerCase() === name.toLowerCase()) list.delete(k); }
  },
  async (p) => { const a = p.name(); await p.post(valid(p, a)); await p.post(valid(p, a.toUpperCase())); await p.send('DELETE', { name: a }); return (await p.has(a.toUpperCase())) === 0; }, '2020-03-10');
fault('rev-remove-unauthenticated', 'REV-DELETE-ONE-AUTH', 'DELETE of provider/{name} needs no credentials.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (route.op === 'remove' && this.lists.has(route.botId)) {
        this.lists.get(route.botId)!.delete(route.name);
        return this.ok();
      }
      return super.handle(req);
    }
  },
  async (p) => { const a = p.name(); await p.post(valid(p, a)); await p.send('DELETE', { name: a, auth: null }); return (await p.has(a)) === 0; }, '2020-03-10');

FAULTS.push(...UNLISTED);

export { FAULTS };

// Faults nobody lists: how real servers break the MUST rules in ways no hand-written check was
// written for. Storage that cuts, trims or re-encodes values; indexes that match the wrong entry;
// deletes that do not delete; caches; state shared between bots; bodies built by hand; credentials
// compared loosely. Each is still one override of the reference with a probe over raw HTTP, and the
// generated checks (checks/schema-search.ts, tests/model.spec.ts) must find every one.
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, ProviderConfig } from '../contract/provider.ts';
import { ReferenceApp, type Answer, type AppClass } from '../reference/app.ts';
import { faultsIn, type Fault } from './fault.ts';
import type { Probe } from './probe.ts';

export const UNLISTED: Fault[] = [];
const fault = faultsIn(UNLISTED, { unlisted: true });

/** A store that keeps every string of a config changed by `change` (a column type, an escaping layer). */
const storing = (change: (value: string) => string): AppClass =>
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const c = provider.config;
      const config: ProviderConfig = {};
      if (c.basic) config.basic = { username: change(c.basic.username), password: change(c.basic.password) };
      if (c.bearer !== undefined) config.bearer = change(c.bearer);
      await super.upsert(botId, list, { ...provider, config });
    }
  };

/** The bearer of `name` as GET lists it, after posting `bearer` under it. */
async function roundTrip(p: Probe, bearer: string): Promise<unknown> {
  const name = p.name();
  await p.post(p.provider(name, { bearer }));
  return (await p.providers())?.find((x) => x.name === name)?.config.bearer;
}

// ── storage
fault(
  'varchar-255',
  'GET-CONFIG-ROUNDTRIP',
  'Stores usernames, passwords and bearer tokens in 255-character columns: longer values are cut.',
  storing((v) => v.slice(0, 255)),
  async (p) => (await roundTrip(p, 'x'.repeat(300))) === 'x'.repeat(255),
);
fault(
  'trims-values',
  'GET-CONFIG-ROUNDTRIP',
  'Trims whitespace from both ends of every credential it stores.',
  storing((v) => v.trim()),
  async (p) => (await roundTrip(p, ' padded ')) === 'padded',
);
fault(
  'sql-quote-doubling',
  'GET-CONFIG-ROUNDTRIP',
  "Stores credentials with every ' doubled, as an escaping layer left it.",
  storing((v) => v.replace(/'/g, "''")),
  async (p) => (await roundTrip(p, "it's")) === "it''s",
);
fault(
  'basic-joined',
  'GET-CONFIG-ROUNDTRIP',
  "Keeps Basic credentials as one 'username:password' string and splits it at the first colon.",
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const basic = provider.config.basic;
      if (!basic) return super.upsert(botId, list, provider);
      const [username, ...rest] = `${basic.username}:${basic.password}`.split(':');
      await super.upsert(botId, list, {
        ...provider,
        config: { ...provider.config, basic: { username, password: rest.join(':') } },
      });
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name, { basic: { username: 'a:b', password: 'c' } }));
    return (
      ((await p.providers())?.find((x) => x.name === name)?.config.basic as { username?: string } | undefined)
        ?.username === 'a'
    );
  },
);
fault(
  'coerces-number-like',
  'GET-200-SHAPE',
  "Stores values that look like numbers, booleans or null as such: the password '0' comes back as 0.",
  storing((v) => {
    try {
      return /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(v) ? JSON.parse(v) : v;
    } catch {
      return v;
    }
  }),
  async (p) => (await roundTrip(p, 'true')) === true,
);

// ── encoding
fault(
  'nfc-normalises',
  'GET-CONFIG-ROUNDTRIP',
  'Normalises every credential to Unicode NFC: a decomposed é comes back composed.',
  storing((v) => v.normalize('NFC')),
  async (p) => (await roundTrip(p, 'e\u0301')) === '\u00e9',
);
fault(
  'chunk-decoding',
  'GET-CONFIG-ROUNDTRIP',
  'Decodes each chunk of a request body as UTF-8 on its own: a character split between two chunks turns into U+FFFD.',
  class extends ReferenceApp {
    protected override readBody(req: http.IncomingMessage): Promise<{ raw: Buffer } | { answer: Answer }> {
      return new Promise((resolve) => {
        let text = '';
        req.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        req.on('end', () => resolve({ raw: Buffer.from(text, 'utf8') }));
      });
    }
  },
  async (p) => String(await roundTrip(p, 'é'.repeat(100_000))).includes('\ufffd'),
);
fault(
  'hand-built-json',
  'GET-200-SHAPE',
  'Builds the GET body by hand, escaping quotes and backslashes but not control characters: a tab in a value makes it invalid JSON.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const providers = (
        answer.body as { settings?: { application?: { media?: { providers?: Provider[] } } } } | undefined
      )?.settings?.application?.media?.providers;
      if (!providers) {
        super.send(res, answer);
        return;
      }
      const str = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      const config = (c: ProviderConfig) =>
        `{${[
          c.basic && `"basic":{"username":${str(c.basic.username)},"password":${str(c.basic.password)}}`,
          c.bearer !== undefined && `"bearer":${str(c.bearer)}`,
        ]
          .filter(Boolean)
          .join(',')}}`;
      const text = `{"settings":{"application":{"media":{"providers":[${providers.map((q) => `{"name":${str(q.name)},"type":${str(q.type)},"config":${config(q.config)}}`).join(',')}]}}}}`;
      res
        .writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
        .end(text);
    }
  },
  async (p) => {
    await p.post(p.provider(p.name(), { bearer: 'a\tb' }));
    const r = await p.send('GET');
    return typeof r !== 'string' && r.json === undefined;
  },
);

// ── indexing
fault(
  'name-prefix-match',
  'UPSERT-OTHERS-UNTOUCHED',
  'Finds the entry to replace by prefix: posting `abc` replaces `abcdef` (and the other way round).',
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const hit = [...list.keys()].find((k) => k.startsWith(provider.name) || provider.name.startsWith(k));
      if (hit !== undefined) list.delete(hit);
      await super.upsert(botId, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(`${name}long`));
    await p.post(p.provider(name));
    return (await p.has(`${name}long`)) === 0;
  },
);
fault(
  'name-index-32',
  'UPSERT-OTHERS-UNTOUCHED',
  'Indexes names by their first 32 characters: two long names that share them are one entry.',
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      for (const k of [...list.keys()])
        if (k !== provider.name && k.slice(0, 32) === provider.name.slice(0, 32)) list.delete(k);
      await super.upsert(botId, list, provider);
    }
  },
  async (p) => {
    const stem = p.name().padEnd(32, 'x');
    await p.post(p.provider(`${stem}-a`));
    await p.post(p.provider(`${stem}-b`));
    return (await p.has(`${stem}-a`)) === 0;
  },
);
fault(
  'list-first-100',
  'GET-READ-AFTER-WRITE',
  'Lists at most the first 100 providers of a bot (a page size that never pages).',
  class extends ReferenceApp {
    protected override async read(botId: string, list: Map<string, Provider>): Promise<Provider[]> {
      return (await super.read(botId, list)).slice(0, 100);
    }
  },
  async (p) => {
    for (let i = 0; i < 101; i++)
      await p.post(
        p.provider(
          `probe-page-${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'abcdefghijklmnopqrstuvwxyz'[Math.floor(i / 26)]}`,
        ),
      );
    return (await p.providers())?.length === 100;
  },
);

// ── deletes that do not delete, caches
fault(
  'cache-survives-delete',
  'DELETE-EMPTIES',
  'Serves GET from a cache that every POST refreshes but DELETE forgets.',
  class extends ReferenceApp {
    #cache = new Map<string, Answer>();
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      const key = 'botId' in route ? route.botId : '';
      if (route.op === 'list' && this.#cache.has(key) && this.authorized(key, req.headers.authorization))
        return this.#cache.get(key)!;
      if (route.op === 'update') this.#cache.delete(key);
      const answer = await super.handle(req);
      if (route.op === 'list' && answer.status === 200) this.#cache.set(key, answer);
      return answer;
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name));
    await p.providers();
    await p.send('DELETE');
    return (await p.has(name)) === 1;
  },
);
fault(
  'soft-delete-resurrects',
  'DELETE-EMPTIES',
  "DELETE only hides a bot's providers; the next POST rewrites the bot's document from a copy that still holds them.",
  class extends ReferenceApp {
    #hidden = new Map<string, Map<string, Provider>>();
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (
        !('botId' in route) ||
        !this.lists.has(route.botId) ||
        !this.authorized(route.botId, req.headers.authorization)
      )
        return super.handle(req);
      const list = this.lists.get(route.botId)!;
      const hidden = this.#hidden.get(route.botId) ?? new Map<string, Provider>();
      this.#hidden.set(route.botId, hidden);
      if (route.op === 'clear') for (const [k, v] of list) hidden.set(k, v);
      const answer = await super.handle(req);
      if (route.op === 'update' && answer.status === 200) {
        for (const [k, v] of hidden) if (!list.has(k)) list.set(k, v);
        hidden.clear();
      }
      return answer;
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name));
    await p.send('DELETE');
    await p.post(p.provider(p.name()));
    return (await p.has(name)) === 1;
  },
);

// ── state shared between bots
fault(
  'delete-shared-names',
  'DELETE-THIS-BOT-ONLY',
  "DELETE of one bot's list also deletes, from every bot, the providers of the same names (one name index for all bots).",
  class extends ReferenceApp {
    protected override async clear(botId: string, list: Map<string, Provider>): Promise<void> {
      for (const other of this.lists.values()) if (other !== list) for (const name of list.keys()) other.delete(name);
      await super.clear(botId, list);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name));
    await p.post(p.provider(name), { bot: p.bots.botB });
    await p.send('DELETE');
    return (await p.has(name, p.bots.botB)) === 0;
  },
);
fault(
  'cross-bot-upsert',
  'GET-CONFIG-ROUNDTRIP',
  "A POST also rewrites every other bot's provider of the same name (the store is keyed by name).",
  class extends ReferenceApp {
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      for (const other of this.lists.values())
        if (other !== list && other.has(provider.name)) other.set(provider.name, provider);
      await super.upsert(botId, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name, { bearer: 'first' }));
    await p.post(p.provider(name, { bearer: 'second' }), { bot: p.bots.botB });
    return (await p.providers())?.find((x) => x.name === name)?.config.bearer === 'second';
  },
);
fault(
  'store-write-back',
  'CONCURRENT-UPSERTS',
  'Writes the whole store (every bot) back from a copy taken before a slow write; writes to one bot wait for each other, writes to two bots lose one another.',
  class extends ReferenceApp {
    #queues = new Map<string, Promise<void>>();
    protected override async upsert(botId: string, list: Map<string, Provider>, provider: Provider): Promise<void> {
      const turn = (this.#queues.get(botId) ?? Promise.resolve()).then(async () => {
        const copy = new Map([...this.lists].map(([bot, l]) => [bot, new Map(l)]));
        await sleep(5);
        for (const [bot, l] of copy) if (bot !== botId) this.lists.set(bot, l);
        await super.upsert(botId, list, provider);
      });
      this.#queues.set(botId, turn);
      await turn;
    }
  },
  async (p) => {
    const [a, b] = [p.name(), p.name()];
    await Promise.all([p.post(p.provider(a)), p.post(p.provider(b), { bot: p.bots.botB })]);
    return (await p.has(a)) + (await p.has(b, p.bots.botB)) < 2;
  },
);

// ── credentials compared loosely
const tokenOf = (header: string | undefined) => /^bearer +(.+)$/i.exec(header ?? '')?.[1];
/** A variant that also takes a token its `loose` comparison equates with the bot's own. */
const loosely = (loose: (given: string, token: string) => boolean): AppClass =>
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      const token = this.options.bots.get(botId);
      const given = tokenOf(header);
      return super.authorized(botId, header) || (token !== undefined && given !== undefined && loose(given, token));
    }
  };
fault(
  'token-any-case',
  'AUTH-WRONG-TOKEN',
  'Compares API tokens without regard to case.',
  loosely((given, token) => given.toLowerCase() === token.toLowerCase()),
  async (p) => (await p.status(p.send('GET', { auth: `Bearer ${p.bots.tokenA.toUpperCase()}` }))) === 200,
);
fault(
  'token-prefix',
  'AUTH-WRONG-TOKEN',
  'Compares API tokens as far as the shorter one goes (at least 8 characters), so a token cut short or extended passes.',
  loosely(
    (given, token) => Math.min(given.length, token.length) >= 8 && (token.startsWith(given) || given.startsWith(token)),
  ),
  async (p) => (await p.status(p.send('GET', { auth: `Bearer ${p.bots.tokenA}x` }))) === 200,
);
fault(
  'token-trim',
  'AUTH-WRONG-TOKEN',
  "Trims the token with JavaScript's trim(), which also takes a no-break space off.",
  loosely((given, token) => given.trim() === token),
  async (p) => (await p.status(p.send('GET', { auth: `Bearer ${p.bots.tokenA}\u00a0` }))) === 200,
);

// ── the 2020-03-10 revision
fault(
  'rev-remove-prefix',
  'REV-DELETE-ONE',
  'DELETE of provider/{name} removes every provider whose name starts with {name}.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (
        route.op === 'remove' &&
        this.lists.has(route.botId) &&
        this.authorized(route.botId, req.headers.authorization)
      ) {
        const list = this.lists.get(route.botId)!;
        for (const k of [...list.keys()]) if (k.startsWith(route.name)) list.delete(k);
        return this.ok();
      }
      return super.handle(req);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name));
    await p.post(p.provider(`${name}x`));
    await p.send('DELETE', { name });
    return (await p.has(`${name}x`)) === 0;
  },
  '2020-03-10',
);

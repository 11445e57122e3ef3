// Faulty servers: Authentication on every operation.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import http from 'node:http';
import { ReferenceApp, type Answer, type ReferenceOptions } from '../reference/app.ts';
import {
  credentialRefusalsAlike,
  errorOf,
  faultsIn,
  isDelete,
  isObject,
  isPost,
  statusOutside,
  valid,
  type Fault,
} from './fault.ts';
import type { Probe } from './probe.ts';
import { named } from '../rules/answers.ts';

export const AUTH: Fault[] = [];
const fault = faultsIn(AUTH);

const tokensOf = (app: ReferenceApp) => [...app.options.bots.entries()];
// 403 (Spring's default entry point, FastAPI's HTTPBearer of old), or whatever AUTH-WRONG-TOKEN does not allow.
const WRONG_TOKEN = statusOutside('AUTH-WRONG-TOKEN', 403);
const PER_CONNECTION =
  'a connection that once carried good credentials lets every later request on it through, whatever its header';
fault(
  'auth-403',
  'AUTH-WRONG-TOKEN',
  `Answers ${WRONG_TOKEN} instead of ${named('AUTH-WRONG-TOKEN')} to a token it does not know.`,
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const hasToken = /^bearer +\S+/i.test(req.headers.authorization ?? '');
      return answer.status === 401 && hasToken ? errorOf(WRONG_TOKEN) : answer;
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: 'Bearer wrong-token' }))) === WRONG_TOKEN,
  {
    explains: credentialRefusalsAlike('it answers 403, not 401, to every credential it refuses'),
    wrongStatus: WRONG_TOKEN,
  },
);
fault(
  'text-401',
  'AUTH-401-JSON',
  'Answers 401 with a plain-text body.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 401) {
        super.send(res, answer);
        return;
      }
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    }
  },
  async (p) => {
    const r = await p.send('GET', { auth: null });
    return typeof r !== 'string' && r.status === 401 && r.json === undefined;
  },
);
fault(
  '401-without-reason',
  'AUTH-401-FIELDS',
  'Answers 401 with {"error": ...} instead of message and reason.',
  class extends ReferenceApp {
    protected override unauthorized(): Answer {
      return { status: 401, body: { error: 'unauthorized' } };
    }
  },
  async (p) => {
    const r = await p.send('GET', { auth: null });
    return typeof r !== 'string' && isObject(r.json) && !('message' in r.json);
  },
);
fault(
  'any-token',
  'AUTH-WRONG-TOKEN',
  'Accepts any Bearer token for a bot that resides here.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return this.lists.has(botId) && /^bearer +\S+$/i.test(header ?? '');
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: 'Bearer wrong-token' }))) === 200,
  {
    explains: {
      'AUTH-OTHER-BOT': "it takes any token for a bot, another bot's too",
      'AUTH-NO-CHANGE': 'the requests it takes with a wrong token change the list',
    },
  },
);
fault(
  'any-bots-token',
  'AUTH-OTHER-BOT',
  "Accepts any resident bot's token for any resident bot.",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return this.lists.has(botId) && tokensOf(this).some(([bot]) => super.authorized(bot, header));
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: `Bearer ${p.bots.tokenB}` }))) === 200,
  { explains: { 'AUTH-NO-CHANGE': "the requests it takes with another bot's token change the list" } },
);
fault(
  'get-without-auth',
  'AUTH-MISSING',
  'Answers GET without an Authorization header.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return header === undefined ? this.lists.has(botId) : super.authorized(botId, header);
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: null }))) === 200,
  {
    explains: {
      'AUTH-NO-CHANGE':
        'it lets requests without an Authorization header through (whatever their method), so those change the list',
    },
  },
);
fault(
  'delete-without-auth',
  'AUTH-MISSING',
  'Performs DELETE without an Authorization header.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      if (isDelete(req) && req.headers.authorization === undefined)
        req.headers.authorization = `Bearer ${tokensOf(this).find(([b]) => (req.url ?? '').includes(`/${b}/`))?.[1] ?? ''}`;
      return super.handle(req);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name));
    await p.send('DELETE', { auth: null });
    return (await p.has(name)) === 0;
  },
  { explains: { 'AUTH-NO-CHANGE': 'the DELETE it performs without credentials empties the list' } },
);
fault(
  'schemeless-token',
  'AUTH-MALFORMED',
  'Accepts the token without the Bearer scheme.',
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return super.authorized(botId, header?.includes(' ') ? header : `Bearer ${header}`);
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: p.bots.tokenA }))) === 200,
);
fault(
  'unknown-bot-created',
  'AUTH-UNKNOWN-BOT',
  'Creates an unknown bot on first use, with whatever token came.',
  class extends ReferenceApp {
    readonly adopted = new Set<string>();
    protected override authorized(botId: string, header: string | undefined): boolean {
      if (!this.lists.has(botId) && this.options.bots.size > 0 && /^bearer +\S+$/i.test(header ?? '')) {
        this.lists.set(botId, new Map());
        this.adopted.add(botId);
      }
      return this.adopted.has(botId) || super.authorized(botId, header);
    }
  },
  async (p) => (await p.status(p.send('GET', { bot: 'no-such-bot' }))) === 200,
  {
    explains: {
      'BOT-ID-EXACT':
        "it takes any bot id it does not know, so one that differs from a bot's only in case is taken too",
    },
  },
);
const REGISTRY = new Map<string, string>();
fault(
  'resident-everywhere',
  'AUTH-OTHER-REGION',
  'Every region answers for every bot of any region (one shared directory).',
  class extends ReferenceApp {
    constructor(options: ReferenceOptions) {
      super(options);
      for (const [bot, token] of options.bots) REGISTRY.set(bot, token);
    }
    protected override authorized(botId: string, header: string | undefined): boolean {
      if (!this.lists.has(botId) && REGISTRY.has(botId)) this.lists.set(botId, new Map());
      const token = /^bearer +(\S+)$/i.exec(header ?? '')?.[1];
      return super.authorized(botId, header) || (token !== undefined && REGISTRY.get(botId) === token);
    }
  },
  async (p) => (await p.status(p.send('GET', { base: p.otherRegionUrl }))) === 200,
);
fault(
  'writes-then-401',
  'AUTH-NO-CHANGE',
  'Stores a POSTed provider even when the token is wrong, then answers 401.',
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
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name), { auth: 'Bearer wrong-token' });
    return (await p.has(name)) === 1;
  },
);
fault(
  'scheme-exact-case',
  'AUTH-SCHEME-CASE',
  "Accepts only 'Bearer' spelled exactly so.",
  class extends ReferenceApp {
    protected override authorized(botId: string, header: string | undefined): boolean {
      return (header ?? '').startsWith('Bearer ') && super.authorized(botId, header);
    }
  },
  async (p) => (await p.status(p.send('GET', { auth: `bearer ${p.bots.tokenA}` }))) === 401,
);
fault(
  'parses-before-auth',
  'AUTH-BEFORE-BODY',
  'Reads, parses and validates a POST body before checking credentials, as express.json() and a validator mounted before the auth middleware do: an invalid body with bad credentials gets 400.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (route.op !== 'update') return super.handle(req);
      const read = await this.readBody(req);
      if ('answer' in read) return read.answer;
      const parsed = this.parseProvider(req.headers['content-type'], read.raw);
      if ('answer' in parsed) return parsed.answer;
      if (!this.authorized(route.botId, req.headers.authorization)) return this.unauthorized();
      await this.upsert(route.botId, this.lists.get(route.botId)!, parsed.provider);
      return this.ok();
    }
  },
  async (p) => (await p.status(p.post('{', { auth: null }))) === 400,
);

/** GETs sent one after another on one kept-alive connection, each with its own Authorization (null: none). */
async function onOneConnection(p: Probe, auths: (string | null)[]): Promise<{ status: number; reused: boolean }[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers: { status: number; reused: boolean }[] = [];
  try {
    for (const auth of auths) {
      answers.push(
        await new Promise((resolve, reject) => {
          const req = http.get(
            p.url + p.path(),
            { agent, headers: auth === null ? {} : { authorization: auth } },
            (res) => {
              res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
            },
          );
          req.on('error', reject);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return answers;
}
fault(
  'auth-per-connection',
  'AUTH-PER-REQUEST',
  'Remembers the bot a keep-alive connection authenticated as and lets later requests for that bot on it through without checking their Authorization.',
  class extends ReferenceApp {
    /** Socket → the bot it authenticated as; the entry goes with the socket. */
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
  },
  async (p) => {
    const [first, second] = await onOneConnection(p, [`Bearer ${p.bots.tokenA}`, null]);
    return first.status === 200 && second.reused && second.status === 200;
  },
  {
    explains: {
      'AUTH-MISSING': PER_CONNECTION,
      'AUTH-MALFORMED': PER_CONNECTION,
      'AUTH-WRONG-TOKEN': PER_CONNECTION,
      'AUTH-OTHER-BOT': PER_CONNECTION,
      'AUTH-UNKNOWN-BOT': PER_CONNECTION,
      'AUTH-NO-CHANGE': PER_CONNECTION,
      'AUTH-SCHEME-CASE': PER_CONNECTION,
      'HTTP-EQUIVALENT': PER_CONNECTION,
    },
  },
);

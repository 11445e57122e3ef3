// Faulty servers: Failure transcripts that carry secrets: each fails a rule in a way that puts credentials into
// what the suite records (the leak search in selftest/detection.spec.ts reads every output).
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import { named } from '../rules/answers.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, Refusal, type Answer } from '../reference/app.ts';
import {
  answers,
  errorOf,
  faultsIn,
  isObject,
  isPost,
  quotedForms,
  quotedInHeader,
  credentialRefusalsAlike,
  refusalsAlike,
  statusOutside,
  valid,
  type Fault,
} from './fault.ts';

export const TRANSCRIPTS: Fault[] = [];
const fault = faultsIn(TRANSCRIPTS);

const echoOf = (req: http.IncomingMessage) =>
  Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
// The wrong statuses of these faults: 403 and FastAPI's 422, or whatever their rules do not allow.
const MALFORMED = statusOutside('AUTH-MALFORMED', 403);
const WRONG_TOKEN = statusOutside('AUTH-WRONG-TOKEN', 403);
const WRONG_TYPE = statusOutside('POST-400-WRONG-TYPE', 422);
fault(
  'malformed-403',
  'AUTH-MALFORMED',
  `Answers ${MALFORMED} instead of ${named('AUTH-MALFORMED')} to an Authorization header without the Bearer scheme (the token alone, Basic).`,
  answers((req, a) =>
    a.status === 401 && req.headers.authorization !== undefined && !/^bearer(\s|$)/i.test(req.headers.authorization)
      ? errorOf(MALFORMED)
      : a,
  ),
  async (p) => (await p.status(p.send('GET', { auth: p.bots.tokenA }))) === MALFORMED,
  { wrongStatus: MALFORMED },
);
fault(
  'forbidden-quotes-token',
  'AUTH-WRONG-TOKEN',
  `Answers ${WRONG_TOKEN} instead of ${named('AUTH-WRONG-TOKEN')} to a wrong token, quoting the token and the whole header in its reason.`,
  answers((req, a) => {
    const token = /^bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    return a.status === 401 && token
      ? errorOf(WRONG_TOKEN, `token ${token} is not valid here (Authorization: ${req.headers.authorization})`)
      : a;
  }),
  async (p) => {
    const r = await p.send('GET', { auth: 'Bearer wrong-token-123' });
    return typeof r !== 'string' && r.status === WRONG_TOKEN && r.text.includes('wrong-token-123');
  },
  {
    explains: credentialRefusalsAlike('it answers 403, not 401, to every credential it refuses'),
    wrongStatus: WRONG_TOKEN,
  },
);
fault(
  'auth-403-quotes-credential',
  'AUTH-WRONG-TOKEN',
  `Answers ${WRONG_TOKEN} instead of ${named('AUTH-WRONG-TOKEN')} to a credential it does not know, quoting it back in every encoding, in its body and in WWW-Authenticate.`,
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const presented = req.headers.authorization;
      if (answer.status !== 401 || !presented) return answer;
      const description = quotedInHeader(presented).replace(/"/g, '');
      const { status, body } = errorOf(WRONG_TOKEN);
      return {
        status,
        body: { ...(body as object), presented: quotedForms(presented) },
        headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` },
      };
    }
  },
  async (p) => {
    const r = await p.send('GET', { auth: 'Bearer wrong-token' });
    return (
      typeof r !== 'string' &&
      r.status === WRONG_TOKEN &&
      JSON.stringify(r.json).includes(Buffer.from('Bearer wrong-token').toString('hex'))
    );
  },
  {
    explains: credentialRefusalsAlike('it answers 403, not 401, to every credential it refuses'),
    wrongStatus: WRONG_TOKEN,
  },
);
fault(
  '422-quotes-input',
  'POST-400-WRONG-TYPE',
  `Answers a body it refuses with ${WRONG_TYPE} instead of ${named('POST-400-WRONG-TYPE')}, quoting the input back in every encoding (as FastAPI quotes \`input\`), in its body and in a header.`,
  class extends ReferenceApp {
    protected override refuse(answer: Answer, raw: Buffer): Answer {
      if (answer.status !== 400) return answer;
      const input = raw.toString('utf8').slice(0, 4000);
      return {
        status: WRONG_TYPE,
        body: { detail: [{ type: 'value_error', msg: 'invalid', input: quotedForms(input) }] },
        headers: { 'x-input': quotedInHeader(input.slice(0, 300)) },
      };
    }
  },
  async (p) => {
    const r = await p.post('{"name":7,"type":"www","config":{"bearer":"echo-me-3"}}');
    return (
      typeof r !== 'string' &&
      r.status === WRONG_TYPE &&
      JSON.stringify(r.json).includes(Buffer.from('echo-me-3').toString('hex'))
    );
  },
  {
    explains: refusalsAlike('it answers 422 to every body it refuses, so every refusal rule gets 422, not 400'),
    wrongStatus: WRONG_TYPE,
  },
);
fault(
  'text-401-echo',
  'AUTH-401-JSON',
  'Answers 401 in plain text that echoes every request header, Authorization included.',
  class extends ReferenceApp {
    #last = new WeakMap<http.ServerResponse, string>();
    override listener(): http.RequestListener {
      const inner = super.listener();
      return (req, res) => {
        this.#last.set(res, echoOf(req));
        inner(req, res);
      };
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 401) {
        super.send(res, answer);
        return;
      }
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`Unauthorized. You sent:\n${this.#last.get(res)}`);
    }
  },
  async (p) => {
    const r = await p.send('GET', { auth: `Basic ${Buffer.from(`x:${p.bots.tokenA}`).toString('base64')}` });
    return typeof r !== 'string' && r.status === 401 && r.json === undefined && r.text.includes('authorization: Basic');
  },
);
fault(
  'text-400-echo',
  'ERROR-400-JSON',
  'Answers 400 in plain text that echoes the refused body and the Authorization header, base64-encoded too.',
  class extends ReferenceApp {
    protected override refuse(answer: Answer, raw: Buffer): Answer {
      return answer.status === 400
        ? { ...answer, headers: { 'x-refused': raw.toString('utf8').slice(0, 4000) } }
        : answer;
    }
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const answer = await super.handle(req);
      const refused = answer.headers?.['x-refused'];
      if (refused === undefined) return answer;
      const auth = req.headers.authorization ?? '';
      return {
        status: 400,
        headers: { 'x-text': `Bad request from ${auth} (${Buffer.from(auth).toString('base64')}): ${refused}` },
      };
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const text = answer.headers?.['x-text'];
      if (text === undefined) {
        super.send(res, answer);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    }
  },
  async (p) => {
    const r = await p.post('{"name":"x","type":"www","config":{"bearer":"echo-me-1"}');
    return typeof r !== 'string' && r.status === 400 && r.json === undefined && r.text.includes('echo-me-1');
  },
);
fault(
  '400-reason-quotes-request',
  'ERROR-400-FIELDS',
  'Answers 400 with {"error": "..."} holding the refused request, headers and body, as a JSON string.',
  class extends ReferenceApp {
    #request = '';
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      this.#request = JSON.stringify({ headers: req.headers });
      return super.handle(req);
    }
    protected override refuse(answer: Answer, raw: Buffer): Answer {
      return answer.status === 400
        ? {
            status: 400,
            body: {
              error: JSON.stringify({ request: JSON.parse(this.#request), body: raw.toString('utf8').slice(0, 4000) }),
            },
          }
        : answer;
    }
  },
  async (p) => {
    const r = await p.post('{"name":"x","type":"www","config":{"bearer":"echo-me-2"}');
    return (
      typeof r !== 'string' &&
      r.status === 400 &&
      isObject(r.json) &&
      !('reason' in r.json) &&
      r.text.includes('echo-me-2')
    );
  },
);
fault(
  'post-echo-form',
  'POST-EMPTY-BODY',
  'Answers a valid POST with the stored provider, form-encoded, in plain text.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      await super.upsert(b, list, provider);
      const c = provider.config;
      const form = new URLSearchParams({
        name: provider.name,
        ...(c.basic ? { username: c.basic.username, password: c.basic.password } : { bearer: c.bearer ?? '' }),
      });
      throw new Refusal({ status: 200, body: undefined, headers: { 'x-stored': form.toString().slice(0, 4000) } });
    }
    protected override send(res: http.ServerResponse, answer: Answer): void {
      const stored = answer.headers?.['x-stored'];
      if (stored === undefined) {
        super.send(res, answer);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`stored ${stored}`);
    }
  },
  async (p) => {
    const r = await p.post(p.provider(p.name(), { bearer: 'form me' }));
    return typeof r !== 'string' && r.status === 200 && r.text.includes('bearer=form+me');
  },
);
fault(
  'post-without-auth',
  'AUTH-MISSING',
  'Stores a POST that has no Authorization header.',
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      if (
        isPost(req) &&
        route.op === 'update' &&
        req.headers.authorization === undefined &&
        this.lists.has(route.botId)
      )
        return this.update(req, route.botId, this.lists.get(route.botId)!);
      return super.handle(req);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name), { auth: null });
    return (await p.has(name)) === 1;
  },
  { explains: { 'AUTH-NO-CHANGE': 'the POST it takes without credentials adds to the list' } },
);

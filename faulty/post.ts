// Faulty servers: POST: success codes and bodies, invalid input taken, 400 bodies and side effects.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import { named } from '../rules/answers.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import {
  answers,
  faultsIn,
  isObject,
  isPost,
  Lenient,
  parseOrUndefined,
  statusOutside,
  valid,
  type Fault,
} from './fault.ts';

export const POST: Fault[] = [];
const fault = faultsIn(POST);

// 201 and 204, or whatever POST-VALID-200 does not allow.
for (const [id, status] of [
  ['post-201', statusOutside('POST-VALID-200', 201)],
  ['post-204', statusOutside('POST-VALID-200', 204)],
] as const)
  fault(
    id,
    'POST-VALID-200',
    `Answers ${status} instead of ${named('POST-VALID-200')} to a valid POST.`,
    answers((req, a) => (isPost(req) && a.status === 200 ? { status } : a)),
    async (p) => (await p.status(p.post(valid(p)))) === status,
    { wrongStatus: status },
  );
fault(
  'post-body',
  'POST-EMPTY-BODY',
  'Answers a valid POST with a JSON body.',
  answers((req, a) => (isPost(req) && a.status === 200 ? { status: 200, body: { status: 'stored' } } : a)),
  async (p) => {
    const r = await p.post(valid(p));
    return typeof r !== 'string' && r.text !== '';
  },
);

// ── POST: invalid input taken
fault(
  'accepts-malformed-json',
  'POST-400-MALFORMED-JSON',
  'Answers 200 to a body that is not JSON (and stores nothing).',
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      try {
        JSON.parse(raw.toString('utf8'));
      } catch {
        return { answer: { status: 200 } };
      }
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post('{"name":'))) === 200,
);
fault(
  'accepts-array',
  'POST-400-NOT-OBJECT',
  'Takes a JSON array of providers and stores its first element.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return Array.isArray(b) ? b[0] : b;
    }
  },
  async (p) => (await p.status(p.post([valid(p)]))) === 200,
);
fault(
  'accepts-missing-config',
  'POST-400-MISSING-FIELD',
  'Takes a provider without config as a Bearer provider with an empty token.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && !('config' in b) ? { ...b, config: { bearer: '' } } : b;
    }
  },
  async (p) => (await p.status(p.post({ name: p.name(), type: 'www' }))) === 200,
);
fault(
  'coerces-name',
  'POST-400-WRONG-TYPE',
  'Turns a non-string name into a string instead of refusing it.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && 'name' in b && typeof b.name !== 'string' ? { ...b, name: JSON.stringify(b.name) } : b;
    }
  },
  async (p) => (await p.status(p.post({ name: 7, type: 'www', config: { bearer: 'x' } }))) === 200,
);
fault(
  'type-any-case',
  'POST-400-UNKNOWN-TYPE',
  "Compares type case-insensitively, so 'WWW' is taken.",
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && typeof b.type === 'string' ? { ...b, type: b.type.toLowerCase() } : b;
    }
  },
  async (p) => (await p.status(p.post({ ...valid(p), type: 'WWW' }))) === 200,
);
fault(
  'accepts-empty-config',
  'POST-400-EMPTY-CONFIG',
  'Takes a config with neither basic nor bearer.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && isObject(b.config) && !('basic' in b.config) && !('bearer' in b.config)
        ? { ...b, config: { ...b.config, bearer: '' } }
        : b;
    }
  },
  async (p) => (await p.status(p.post({ ...valid(p), config: {} }))) === 200,
);
fault(
  'basic-without-password',
  'POST-400-INCOMPLETE-BASIC',
  'Takes a basic config without password (as an empty one).',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && isObject(b.config) && isObject(b.config.basic) && !('password' in b.config.basic)
        ? { ...b, config: { basic: { ...b.config.basic, password: '' } } }
        : b;
    }
  },
  async (p) => (await p.status(p.post({ ...valid(p), config: { basic: { username: 'u' } } }))) === 200,
);
fault(
  'coerces-bearer',
  'POST-400-NON-STRING-CREDENTIAL',
  'Turns a non-string bearer into a string.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && isObject(b.config) && 'bearer' in b.config && typeof b.config.bearer !== 'string'
        ? { ...b, config: { bearer: JSON.stringify(b.config.bearer) } }
        : b;
    }
  },
  async (p) => (await p.status(p.post({ ...valid(p), config: { bearer: 42 } }))) === 200,
);

// ── 400 bodies and side effects
fault(
  'text-400',
  'ERROR-400-JSON',
  'Answers 400 with a plain-text body.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      if (answer.status !== 400) {
        super.send(res, answer);
        return;
      }
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request');
    }
  },
  async (p) => {
    const r = await p.post('{');
    return typeof r !== 'string' && r.json === undefined;
  },
);
fault(
  '400-without-reason',
  'ERROR-400-FIELDS',
  'Answers 400 with {"error": ...} instead of message and reason.',
  class extends ReferenceApp {
    protected override badRequest(reason: string): Answer {
      return { status: 400, body: { error: reason } };
    }
  },
  async (p) => {
    const r = await p.post('{');
    return typeof r !== 'string' && isObject(r.json) && !('reason' in r.json);
  },
);
fault(
  'writes-then-rejects',
  'POST-400-NO-CHANGE',
  'Stores any refused body that has a string name, then answers 400.',
  class extends ReferenceApp {
    protected override refuse(answer: Answer, raw: Buffer, list: Map<string, Provider>): Answer {
      const body = parseOrUndefined(raw);
      if (isObject(body) && typeof body.name === 'string') list.set(body.name, body as unknown as Provider);
      return answer;
    }
  },
  async (p) => {
    const name = p.name();
    await p.post({ name, type: 'WWW', config: { bearer: 'x' } });
    return (await p.has(name)) === 1;
  },
  {
    explains: {
      'GET-200-SHAPE':
        'what it stores from a refused body need not fit the schema (an entry without config), so the list it then serves breaks it',
    },
  },
);

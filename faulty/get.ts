// Faulty servers: GET: the list's shape, round trip, read-after-write, the empty list, Content-Type.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import { named } from '../rules/answers.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { answers, errorOf, faultsIn, statusOutside, valid, type Fault } from './fault.ts';

export const GET: Fault[] = [];
const fault = faultsIn(GET);

fault(
  'wrong-nesting',
  'GET-200-SHAPE',
  'Lists the providers at settings.application.providers (no media level).',
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return { settings: { application: { providers } } };
    }
  },
  async (p) => {
    await p.post(valid(p));
    return (await p.providers()) === undefined;
  },
);
fault(
  'entries-without-type',
  'GET-200-SHAPE',
  'Leaves type out of every listed entry.',
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return super.render(providers.map(({ type: _t, ...rest }) => rest as Provider));
    }
  },
  async (p) => {
    await p.post(valid(p));
    return (await p.providers())?.some((x) => !('type' in x)) ?? false;
  },
);
fault(
  'masks-secrets',
  'GET-CONFIG-ROUNDTRIP',
  'Lists passwords and bearer tokens as ****.',
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return super.render(
        providers.map((x) => ({
          ...x,
          config: x.config.basic ? { basic: { ...x.config.basic, password: '****' } } : { bearer: '****' },
        })),
      );
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name));
    return (await p.providers())?.find((x) => x.name === name)?.config.bearer === '****';
  },
);
fault(
  'stale-read',
  'GET-READ-AFTER-WRITE',
  'Serves GET from a copy refreshed at most every 2 seconds.',
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
  async (p) => {
    await p.providers();
    const name = p.name();
    await p.post(valid(p, name));
    return (await p.has(name)) === 0;
  },
);
// 404, or whatever GET-EMPTY-200 does not allow.
const NONE_LISTED = statusOutside('GET-EMPTY-200', 404);
fault(
  'empty-404',
  'GET-EMPTY-200',
  `Answers ${NONE_LISTED} instead of ${named('GET-EMPTY-200')} to GET when the list is empty.`,
  answers((req, a) => {
    const providers = (a.body as { settings?: { application?: { media?: { providers?: unknown[] } } } } | undefined)
      ?.settings?.application?.media?.providers;
    return req.method === 'GET' && providers?.length === 0 ? errorOf(NONE_LISTED, 'No providers.') : a;
  }),
  async (p) => {
    await p.send('DELETE');
    return (await p.status(p.send('GET'))) === NONE_LISTED;
  },
  {
    wrongStatus: NONE_LISTED,
    explains: {
      // A check of the list's shape that reads it while a whole-list check has just emptied it gets that status.
      'GET-200-SHAPE': 'GET of the list answers that status too whenever the list happens to be empty',
    },
  },
);
fault(
  'empty-as-object',
  'GET-EMPTY-NESTING',
  'Answers an empty list as {}.',
  class extends ReferenceApp {
    protected override render(providers: Provider[]) {
      return providers.length ? super.render(providers) : {};
    }
  },
  async (p) => {
    await p.send('DELETE');
    const r = await p.send('GET');
    return typeof r !== 'string' && r.text === '{}';
  },
);
fault(
  'json-as-text',
  'CONTENT-TYPE-JSON',
  'Sends JSON bodies as text/plain.',
  class extends ReferenceApp {
    protected override send(res: http.ServerResponse, answer: Answer): void {
      super.send(
        res,
        answer.body === undefined
          ? answer
          : { ...answer, headers: { ...answer.headers, 'content-type': 'text/plain' } },
      );
    }
  },
  async (p) => {
    const r = await p.send('GET');
    return typeof r !== 'string' && String(r.headers['content-type']).startsWith('text/plain');
  },
);

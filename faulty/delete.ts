// Faulty servers: DELETE of the list.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import { named } from '../rules/answers.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { answers, errorOf, faultsIn, isDelete, statusOutside, valid, type Fault } from './fault.ts';

export const DELETE: Fault[] = [];
const fault = faultsIn(DELETE);

fault(
  'delete-noop',
  'DELETE-EMPTIES',
  'Answers 200 to DELETE and removes nothing.',
  class extends ReferenceApp {
    protected override async clear(): Promise<void> {}
  },
  async (p) => {
    await p.post(valid(p));
    await p.send('DELETE');
    return ((await p.providers())?.length ?? 0) > 0;
  },
);
fault(
  'delete-one-entry',
  'DELETE-EMPTIES',
  'DELETE removes only the oldest entry.',
  class extends ReferenceApp {
    protected override async clear(_b: string, list: Map<string, Provider>): Promise<void> {
      list.delete(list.keys().next().value!);
    }
  },
  async (p) => {
    await p.post(valid(p));
    await p.post(valid(p));
    await p.send('DELETE');
    return ((await p.providers())?.length ?? 0) > 0;
  },
);
fault(
  'delete-all-bots',
  'DELETE-THIS-BOT-ONLY',
  "DELETE empties every bot's list.",
  class extends ReferenceApp {
    protected override async clear(): Promise<void> {
      for (const list of this.lists.values()) list.clear();
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name), { bot: p.bots.botB });
    await p.send('DELETE');
    return (await p.has(name, p.bots.botB)) === 0;
  },
  {
    explains: {
      'HTTP-EQUIVALENT':
        "a DELETE of the first bot's list, sent beside the second bot's requests, empties the second bot's too: a request sent then in another form looks as if it had emptied it",
    },
  },
);
// 204, or whatever DELETE-200 does not allow.
const DELETED = statusOutside('DELETE-200', 204);
fault(
  'delete-204',
  'DELETE-200',
  `Answers ${DELETED} instead of ${named('DELETE-200')} to DELETE.`,
  answers((req, a) => (isDelete(req) && a.status === 200 ? { status: DELETED } : a)),
  async (p) => (await p.status(p.send('DELETE'))) === DELETED,
  { wrongStatus: DELETED },
);
fault(
  'delete-body',
  'DELETE-EMPTY-BODY',
  'Answers DELETE with a JSON body.',
  answers((req, a) => (isDelete(req) && a.status === 200 ? { status: 200, body: { deleted: true } } : a)),
  async (p) => {
    const r = await p.send('DELETE');
    return typeof r !== 'string' && r.text !== '';
  },
);
// 404, or whatever DELETE-IDEMPOTENT does not allow.
const NOTHING_TO_DELETE = statusOutside('DELETE-IDEMPOTENT', 404);
fault(
  'delete-empty-404',
  'DELETE-IDEMPOTENT',
  `Answers ${NOTHING_TO_DELETE} instead of ${named('DELETE-IDEMPOTENT')} to DELETE of an already empty list.`,
  class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const route = this.route(req.method ?? '', req.url ?? '/');
      const empty = 'botId' in route && this.lists.get(route.botId)?.size === 0;
      const answer = await super.handle(req);
      return isDelete(req) && answer.status === 200 && empty
        ? errorOf(NOTHING_TO_DELETE, 'Nothing to delete.')
        : answer;
    }
  },
  async (p) => {
    await p.send('DELETE');
    return (await p.status(p.send('DELETE'))) === NOTHING_TO_DELETE;
  },
  { wrongStatus: NOTHING_TO_DELETE },
);

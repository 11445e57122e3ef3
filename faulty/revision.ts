// Faulty servers: The 2020-03-10 revision: the name rule and the per-provider DELETE.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { NAME_DISTINCTIONS } from '../relations/catalogue.ts';
import { decodedAgain, faultsIn, Lenient, isObject, valid, type Fault } from './fault.ts';

export const REVISION: Fault[] = [];
const fault = faultsIn(REVISION);

fault(
  'rev-accepts-digit',
  'REV-NAME-CHARSET',
  'Takes names with digits.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && typeof b.name === 'string' ? { ...b, name: b.name.replace(/[0-9]/g, 'x') } : b;
    }
  },
  async (p) => (await p.status(p.post(valid(p, `${p.name()}7`)))) === 200,
  '2020-03-10',
);
fault(
  'rev-accepts-201',
  'REV-NAME-LENGTH',
  'Takes names of up to 255 characters.',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && typeof b.name === 'string' && b.name.length <= 255
        ? { ...b, name: b.name.slice(0, 200) }
        : b;
    }
  },
  async (p) => (await p.status(p.post(valid(p, 'a'.repeat(201))))) === 200,
  '2020-03-10',
);
fault(
  'rev-rejects-200',
  'REV-NAME-LENGTH',
  'Refuses names of 200 characters (an off-by-one limit of 199).',
  class extends Lenient {
    protected override loosen(b: unknown) {
      return isObject(b) && typeof b.name === 'string' && b.name.length === 200 ? { ...b, name: `${b.name}1` } : b;
    }
  },
  async (p) => (await p.status(p.post(valid(p, 'a'.repeat(200))))) === 400,
  '2020-03-10',
);
class RemoveVariant extends ReferenceApp {
  protected removeFrom(list: Map<string, Provider>, name: string): void {
    list.delete(name);
  }
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    const route = this.route(req.method ?? '', req.url ?? '/');
    if (route.op !== 'remove' || !this.authorized(route.botId, req.headers.authorization)) return super.handle(req);
    this.removeFrom(this.lists.get(route.botId)!, route.name);
    return this.ok();
  }
}
fault(
  'rev-remove-all',
  'REV-DELETE-ONE',
  'DELETE of provider/{name} empties the whole list.',
  class extends RemoveVariant {
    protected override removeFrom(list: Map<string, Provider>) {
      list.clear();
    }
  },
  async (p) => {
    const [a, b] = [p.name(), p.name()];
    await p.post(valid(p, a));
    await p.post(valid(p, b));
    await p.send('DELETE', { name: a });
    return (await p.has(b)) === 0;
  },
  {
    profile: '2020-03-10',
    explains: { 'REV-DELETE-ONE-EXACT': 'removing every provider removes the one whose name differs only in case too' },
  },
);
fault(
  'rev-remove-none',
  'REV-DELETE-ONE',
  'DELETE of provider/{name} answers 200 and removes nothing.',
  class extends RemoveVariant {
    protected override removeFrom() {}
  },
  async (p) => {
    const a = p.name();
    await p.post(valid(p, a));
    await p.send('DELETE', { name: a });
    return (await p.has(a)) === 1;
  },
  '2020-03-10',
);
fault(
  'rev-remove-any-case',
  'REV-DELETE-ONE-EXACT',
  'DELETE of provider/{name} also removes names that differ only in case.',
  class extends RemoveVariant {
    protected override removeFrom(list: Map<string, Provider>, name: string) {
      for (const k of [...list.keys()]) if (k.toLowerCase() === name.toLowerCase()) list.delete(k);
    }
  },
  async (p) => {
    const a = p.name();
    await p.post(valid(p, a));
    await p.post(valid(p, a.toUpperCase()));
    await p.send('DELETE', { name: a });
    return (await p.has(a.toUpperCase())) === 0;
  },
  '2020-03-10',
);
fault(
  'rev-remove-decoded-twice',
  'REV-DELETE-ONE',
  'DELETE of provider/{name} decodes the name once more (a gateway and an app each decoding the path): provider/%2541b removes Ab.',
  class extends RemoveVariant {
    protected override removeFrom(list: Map<string, Provider>, name: string) {
      list.delete(decodedAgain(name));
    }
  },
  async (p) => {
    const a = p.name();
    await p.post(valid(p, a));
    await p.send('DELETE', { name: NAME_DISTINCTIONS.find((d) => d.id === 'name-percent-literal')!.name!(a) });
    return (await p.has(a)) === 0;
  },
  '2020-03-10',
);
fault(
  'rev-remove-unauthenticated',
  'REV-DELETE-ONE-AUTH',
  'DELETE of provider/{name} needs no credentials.',
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
  async (p) => {
    const a = p.name();
    await p.post(valid(p, a));
    await p.send('DELETE', { name: a, auth: null });
    return (await p.has(a)) === 0;
  },
  '2020-03-10',
);

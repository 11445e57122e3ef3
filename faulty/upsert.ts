// Faulty servers: Upsert by name, and concurrent writes.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, Refusal, error } from '../reference/app.ts';
import { faultsIn, valid, type Fault } from './fault.ts';

export const UPSERT: Fault[] = [];
const fault = faultsIn(UPSERT);

fault(
  'upsert-appends',
  'UPSERT-NO-DUPLICATE',
  'Appends a reused name as a second entry.',
  class extends ReferenceApp {
    #n = 0;
    protected override async upsert(_b: string, list: Map<string, Provider>, provider: Provider) {
      list.set(`${provider.name}\u0000${this.#n++}`, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name));
    await p.post(valid(p, name));
    return (await p.has(name)) === 2;
  },
);
fault(
  'upsert-ignores',
  'UPSERT-REPLACES',
  'Keeps the first provider of a name and ignores later ones (answering 200).',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (!list.has(provider.name)) await super.upsert(b, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name, { bearer: 'one' }));
    await p.post(p.provider(name, { bearer: 'two' }));
    return (await p.providers())?.find((x) => x.name === name)?.config.bearer === 'one';
  },
);
fault(
  'upsert-merges',
  'UPSERT-NO-MERGE',
  'Merges the new config into the old one.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      const old = list.get(provider.name);
      await super.upsert(b, list, old ? { ...provider, config: { ...old.config, ...provider.config } } : provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(p.provider(name, { basic: { username: 'u', password: 'p' } }));
    await p.post(p.provider(name, { bearer: 't' }));
    const c = (await p.providers())?.find((x) => x.name === name)?.config;
    return Boolean(c && 'basic' in c && 'bearer' in c);
  },
);
fault(
  'upsert-409',
  'UPSERT-REPLACES',
  'Answers 409 Conflict to a reused name.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (list.has(provider.name)) throw new Refusal(error(409, 'Conflict', 'A provider of that name exists.'));
      await super.upsert(b, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name));
    return (await p.status(p.post(valid(p, name)))) === 409;
  },
  {
    explains: {
      'POST-VALID-200': 'the 409 it answers to a reused name is an answer other than 200 to a valid provider',
    },
  },
);
fault(
  'upsert-replaces-list',
  'UPSERT-OTHERS-UNTOUCHED',
  'Reusing a name replaces the whole list with that one provider.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (list.has(provider.name)) list.clear();
      await super.upsert(b, list, provider);
    }
  },
  async (p) => {
    const [a, b] = [p.name(), p.name()];
    await p.post(valid(p, a));
    await p.post(valid(p, b));
    await p.post(valid(p, b));
    return (await p.has(a)) === 0;
  },
  {
    explains: {
      'REPEAT-SAME-EFFECT':
        'a name reused by any check running beside it wipes every other entry, which a repetition check sees as its own write undone',
      'CONCURRENT-UPSERTS': 'a reused name among concurrent POSTs wipes the others',
    },
  },
);
fault(
  'names-any-case',
  'NAME-CASE-SENSITIVE',
  'Compares names case-insensitively, so `Alpha` replaces `alpha`.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      for (const key of list.keys()) if (key.toLowerCase() === provider.name.toLowerCase()) list.delete(key);
      await super.upsert(b, list, provider);
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, name));
    await p.post(valid(p, name.toUpperCase()));
    return (await p.has(name)) === 0;
  },
);
fault(
  'lost-update',
  'CONCURRENT-UPSERTS',
  'Writes by read-copy-write with a pause, so concurrent POSTs lose each other.',
  class extends ReferenceApp {
    protected override async upsert(_b: string, list: Map<string, Provider>, provider: Provider) {
      const copy = new Map(list);
      await sleep(15);
      copy.set(provider.name, provider);
      list.clear();
      for (const [k, v] of copy) list.set(k, v);
    }
  },
  async (p) => {
    const names = [p.name(), p.name(), p.name(), p.name()];
    await Promise.all(names.map((n) => p.post(valid(p, n))));
    const counts = await Promise.all(names.map((n) => p.has(n)));
    return counts.includes(0);
  },
  {
    explains: {
      'REPEAT-SAME-EFFECT':
        'its read-copy-write loses a write made while another is under way, by any check running beside it: a repetition check sees its repost undone',
    },
  },
);
fault(
  'trims-names',
  'NAME-EXACT',
  'Trims whitespace from both ends of a name before storing it: `x ` is listed as `x`, and replaces it.',
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      await super.upsert(b, list, { ...provider, name: provider.name.trim() });
    }
  },
  async (p) => {
    const name = p.name();
    await p.post(valid(p, `${name} `));
    return (await p.has(name)) === 1;
  },
);

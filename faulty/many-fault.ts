// Servers that break many rules at once, as naive servers on real stacks do: each is the reference with
// several faults of this folder on one class. A fault is one override of the reference (fault.ts); faults
// that change different steps of a request combine by putting each one's methods on one class, and
// each fault's probe, run against the combination, shows that it still happens there (bench/many-fault.ts).
import { FAULTS, type Fault } from './catalogue.ts';
import { Lenient } from './fault.ts';
import { ReferenceApp, type AppClass } from '../reference/app.ts';

export interface ManyFault {
  name: string;
  /** The stack it stands for, in one sentence. */
  sentence: string;
  faults: string[];
}

/**
 * Two naive servers, each of faults that change different steps (one per method of the reference), so
 * that every fault behaves on the combination as on its own server; each breaks at least eight MUST
 * rules (each fault's rule and the rules it explains). The first is a hand-written Express app, the
 * second a Go service on MySQL behind a gateway.
 */
export const MANY_FAULT: ManyFault[] = [
  {
    name: 'lax-express',
    sentence: 'validation before auth, a 500 without Content-Type, any token, text 400s, 409 on a reused name',
    faults: [
      'parses-before-auth',
      'any-token',
      '401-without-reason',
      '500-without-content-type',
      'coerces-name',
      'text-400',
      'upsert-409',
      'delete-one-entry',
      'bot-id-trimmed',
    ],
  },
  {
    name: 'go-mysql-gateway',
    sentence: "Go's decoders, a MySQL collation, a gateway that forwards unknown bots, text 401s",
    faults: [
      'gateway-forwards-unknown-bots',
      'bot-id-any-case',
      'schemeless-token',
      'chunked-first-chunk',
      'go-decoder-trailing-data',
      'go-json-case-insensitive',
      'mysql-accent-insensitive',
      'delete-all-bots',
      'empty-as-object',
      'text-401',
    ],
  },
];

export const faultById = (id: string): Fault => {
  const found = FAULTS.find((f) => f.id === id);
  if (!found) throw new Error(`no fault ${id} in faulty/catalogue.ts`);
  return found;
};

/**
 * The reference with every fault of `ids`: each fault's own methods copied onto one class. A copied
 * method's `super` is still the reference's (or Lenient's), so two faults may not change one method,
 * and only faults made directly on ReferenceApp or Lenient combine (their state, if any, must live in
 * the methods: the probes tell).
 */
export function withFaults(ids: readonly string[]): AppClass {
  const faults = ids.map(faultById);
  const lenient = faults.some((f) => Object.getPrototypeOf(f.App) === Lenient);
  const Base: typeof ReferenceApp = lenient ? Lenient : ReferenceApp;
  const Combined = class extends Base {};
  // Lenient's validate is what calls a lenient fault's loosen: no other fault may replace it.
  const owner = new Map<string, string>(lenient ? [['validate', 'Lenient']] : []);
  for (const f of faults) {
    const parent = Object.getPrototypeOf(f.App);
    if (parent !== ReferenceApp && parent !== Lenient)
      throw new Error(`${f.id} is not made on ReferenceApp or Lenient`);
    if (f.profile !== 'default') throw new Error(`${f.id} is a fault of the ${f.profile} profile`);
    for (const [method, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(f.App.prototype))) {
      if (method === 'constructor') continue;
      const other = owner.get(method);
      if (other) throw new Error(`${f.id} and ${other} both change ${method}()`);
      owner.set(method, f.id);
      Object.defineProperty(Combined.prototype, method, descriptor);
    }
  }
  return Combined;
}

/** The rules each fault is declared to break, its own and those it explains. */
export function declaredRules(ids: readonly string[]): string[] {
  const rules = ids.flatMap((id) => {
    const f = faultById(id);
    return [f.rule, ...Object.keys(f.explains ?? {})];
  });
  return [...new Set(rules)].sort();
}

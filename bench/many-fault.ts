// Servers that break many rules at once, as naive servers on real stacks do: each is the reference with
// several faults of faulty/ on one class. A fault is one override of the reference (faulty/fault.ts);
// faults that change different steps of a request combine by putting each one's methods on one class,
// and each fault's probe, run against the combination, shows that it still happens there.
import { FAULTS, type Fault } from '../faulty/catalogue.ts';
import { Lenient } from '../faulty/fault.ts';
import { Probe } from '../faulty/probe.ts';
import { ReferenceApp, type AppClass } from '../reference/app.ts';
import { startTarget } from '../selftest/support/servers.ts';
import { failingRun, generatedOf, median, passingRun, ratio, seconds, seedOf, timed } from './measure.ts';

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

const faultById = (id: string): Fault => {
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

/** The faults of `ids` whose probe does not see them on the combination (none, for a server as meant). */
export async function unseenFaults(ids: readonly string[]): Promise<string[]> {
  const unseen: string[] = [];
  for (const id of ids) {
    // A target of its own for each probe: what one probe stores must not hide another's fault.
    const target = await startTarget(withFaults(ids));
    const shows = await faultById(id)
      .probe(new Probe(target.main.url, target.bots, target.otherRegion.url))
      .catch(() => false);
    await target.close();
    if (!shows) unseen.push(id);
  }
  return unseen;
}

/** The rules each fault is declared to break, its own and those it explains. */
export function declaredRules(ids: readonly string[]): string[] {
  const rules = ids.flatMap((id) => {
    const f = faultById(id);
    return [f.rule, ...Object.keys(f.explains ?? {})];
  });
  return [...new Set(rules)].sort();
}

export interface Verdict {
  name: string;
  sentence: string;
  faults: string[];
  /** Median wall time of its verdict, and the ratio to the reference's (the same seeds, servers up alike). */
  seconds: number;
  toReference: number;
  /** The MUST rules its runs failed (the first run's), and the rules its faults declare. */
  failedMust: string[];
  declared: string[];
  /** The first run's `generated`, every key the report has. */
  generated: Record<string, number>;
}

/** One verdict: the wall time of a run against a fresh target of `App`, and what it failed and bought. */
async function verdictOf(App: AppClass, seed: string, fails: boolean) {
  const target = await startTarget(App);
  const env = { ...target.env, CONFORMANCE_SEED: seed };
  const { ms, value: run } = await timed(() => (fails ? failingRun({ env }) : passingRun({ env })));
  await target.close();
  const failedMust = (run.report?.rules ?? []).filter((r) => r.level === 'MUST' && r.status === 'failed');
  return { ms, failedMust: failedMust.map((r) => r.id), generated: generatedOf(run) };
}

/**
 * The reference and each many-fault server in turn, seed by seed (so that a slow spell of the machine
 * falls on both), after each server's probes have shown every fault of it.
 */
export async function manyFaultVerdicts(runs: number): Promise<{
  reference: { seconds: number; generated: Record<string, number> };
  servers: Verdict[];
}> {
  for (const s of MANY_FAULT) {
    const unseen = await unseenFaults(s.faults);
    if (unseen.length) throw new Error(`${s.name}: the probes do not see ${unseen.join(', ')} on the combination`);
  }
  const reference: Awaited<ReturnType<typeof verdictOf>>[] = [];
  const faulty = MANY_FAULT.map(() => [] as Awaited<ReturnType<typeof verdictOf>>[]);
  for (let i = 0; i < runs; i++) {
    reference.push(await verdictOf(ReferenceApp, seedOf(i), false));
    for (const [k, s] of MANY_FAULT.entries()) faulty[k].push(await verdictOf(withFaults(s.faults), seedOf(i), true));
  }
  const ms = (xs: { ms: number }[]) => median(xs.map((x) => x.ms));
  process.stderr.write(
    `bench: reference / many-fault verdicts: ${[reference, ...faulty].map((xs) => xs.map((x) => seconds(x.ms)).join(', ')).join(' / ')} s\n`,
  );
  return {
    reference: { seconds: seconds(ms(reference)), generated: reference[0].generated },
    servers: MANY_FAULT.map((s, k) => ({
      ...s,
      seconds: seconds(ms(faulty[k])),
      toReference: ratio(ms(faulty[k]), ms(reference)),
      failedMust: faulty[k][0].failedMust,
      declared: declaredRules(s.faults),
      generated: faulty[k][0].generated,
    })),
  };
}

// The verdicts of servers that break many rules at once (faulty/many-fault.ts) beside the reference's:
// each fault's probe is run against its combination first, to show that it still happens there.
import { declaredRules, faultById, MANY_FAULT, withFaults } from '../faulty/many-fault.ts';
import { Probe } from '../faulty/probe.ts';
import { ReferenceApp, type AppClass } from '../reference/app.ts';
import { startTarget } from '../selftest/support/servers.ts';
import { failingRun, generatedOf, median, passingRun, ratio, seconds, seedOf, timed } from './measure.ts';

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

/** One verdict: the wall time of a run against a fresh target of `App` (`latencyMs` added to every answer), and what it failed and bought. */
async function verdictOf(App: AppClass, seed: string, fails: boolean, latencyMs: number) {
  const target = await startTarget(App, { latencyMs });
  const env = { ...target.env, CONFORMANCE_SEED: seed };
  const { ms, value: run } = await timed(() => (fails ? failingRun({ env }) : passingRun({ env })));
  await target.close();
  const failedMust = (run.report?.rules ?? []).filter((r) => r.level === 'MUST' && r.status === 'failed');
  return { ms, failedMust: failedMust.map((r) => r.id), generated: generatedOf(run) };
}

/**
 * The reference and each many-fault server in turn, seed by seed (so that a slow spell of the machine
 * falls on both), after each server's probes have shown every fault of it; every server `latencyMs` away.
 */
export async function manyFaultVerdicts(
  runs: number,
  latencyMs: number,
): Promise<{
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
    reference.push(await verdictOf(ReferenceApp, seedOf(i), false, latencyMs));
    for (const [k, s] of MANY_FAULT.entries())
      faulty[k].push(await verdictOf(withFaults(s.faults), seedOf(i), true, latencyMs));
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

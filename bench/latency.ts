// The verdict at a distance (issue #36): full runs against the reference with 0, 50 and 150 ms added
// to every answer (its latencyMs option), the same seeds at each distance. The recording reference
// (bench/chains.ts) gives each run's longest chain of answers waited for one after another: with L ms
// added to each answer, that chain alone lasts L × its length, the run's floor at that distance.
// The floor of this design at a distance: the loopback run, plus what starts later (the probe's and
// the snapshot's round trips, more workers starting), plus the answers the checks of the whole list
// wait for one check at a time, nothing beside them; the checks on names of their own waiting for
// nothing at all. No run of this design at that distance can be faster.
import { startTarget } from '../selftest/support/servers.ts';
import { aloneChain, chainsByCheck, longestChain, phasesOf, recordingReference, type Served } from './chains.ts';
import { RUNS, benchRun, generatedOf, median, passingRun, ratio, seconds, seedOf, timed } from './measure.ts';

const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS) || 1;
export const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50,150').split(',').map(Number);

export interface Distance {
  latencyMs: number;
  /** Each run: its seed, wall time (spawn to exit), outcome, longest chain, requests served, the report's `generated`. */
  runs: {
    seed: string;
    seconds: number;
    outcome: string;
    chain: number;
    /** The sum of the chains of the checks of the whole list (bench/chains.ts aloneChain). */
    alone: number;
    /** Seconds from spawn to the first check's first request. */
    firstCheck: number;
    requests: number;
    generated: Record<string, number>;
  }[];
  seconds: number;
  /**
   * The median of the runs' longest chains. At 0 ms it counts answers served one after another, waited for or
   * not (an answer can be out before the next request of a batch is in): an upper bound, not a chain.
   */
  chain: number;
  /** chain × latency: what the longest chain alone lasts. */
  floorSeconds: number;
  /** The median of the runs' sums of the whole-list checks' chains, and that × latency. */
  alone: number;
  aloneSeconds: number;
  /** The median of the runs' first checks' starts. */
  firstCheck: number;
  /**
   * This design's floor: loopback's wall time + how much later the first check starts + aloneSeconds;
   * and that over loopback's wall time, the least ratio this design allows at this distance.
   */
  designFloor: { seconds: number; toLoopback: number };
  /** The same generated work as loopback at each seed both ran (false: the figures compare different searches). */
  sameGenerated: boolean;
  toLoopback: number;
  /** The checks of the longest chains (the first run's). */
  topChecks: { check: string; requests: number; chain: number }[];
}

/** Loopback is cheap: BENCH_RUNS runs; a distance costs minutes a run: BENCH_LATENCY_RUNS. */
const runsAt = (latencyMs: number) => (latencyMs === 0 ? Math.max(RUNS, LATENCY_RUNS) : LATENCY_RUNS);

async function distance(latencyMs: number): Promise<Omit<Distance, 'sameGenerated' | 'toLoopback' | 'designFloor'>> {
  const record: Served[] = [];
  const target = await startTarget(recordingReference(record), { latencyMs });
  const runs: Distance['runs'] = [];
  let topChecks: Distance['topChecks'] = [];
  for (let i = 0; i < runsAt(latencyMs); i++) {
    record.length = 0;
    const seed = seedOf(i);
    // Loopback must pass; at a distance a check that runs out of time is a figure too (its outcome says).
    const env = { ...target.env, CONFORMANCE_SEED: seed };
    const started = performance.now();
    const { ms, value: run } = await timed(() => (latencyMs ? benchRun({ env }) : passingRun({ env })));
    runs.push({
      seed,
      seconds: seconds(ms),
      outcome: run.report?.outcome ?? `exit ${run.code}`,
      chain: longestChain(record),
      alone: aloneChain(record).chain,
      firstCheck: phasesOf(record, started).firstCheck,
      requests: record.length,
      generated: generatedOf(run),
    });
    if (i === 0) topChecks = chainsByCheck(record).slice(0, 5);
  }
  await target.close();
  process.stderr.write(`bench: ${latencyMs} ms added: ${runs.map((r) => r.seconds).join(', ')} s\n`);
  const chain = median(runs.map((r) => r.chain));
  const alone = median(runs.map((r) => r.alone));
  return {
    latencyMs,
    runs,
    seconds: median(runs.map((r) => r.seconds)),
    chain,
    floorSeconds: seconds(chain * latencyMs),
    alone,
    aloneSeconds: seconds(alone * latencyMs),
    firstCheck: median(runs.map((r) => r.firstCheck)),
    topChecks,
  };
}

/** Every distance of LATENCIES (loopback first: the others' ratios are to it). */
export async function latencyTable(): Promise<Distance[]> {
  const measured = [];
  for (const ms of [...new Set([0, ...LATENCIES])].sort((a, b) => a - b)) measured.push(await distance(ms));
  const loopback = measured[0];
  const bySeed = new Map(loopback.runs.map((r) => [r.seed, JSON.stringify(r.generated)]));
  return measured.map((d) => {
    const floor = loopback.seconds + Math.max(0, d.firstCheck - loopback.firstCheck) + d.aloneSeconds;
    return {
      ...d,
      sameGenerated: d.runs.every((r) => bySeed.get(r.seed) === JSON.stringify(r.generated)),
      toLoopback: ratio(d.seconds, loopback.seconds),
      designFloor: { seconds: seconds(floor * 1000), toLoopback: ratio(floor, loopback.seconds) },
    };
  });
}

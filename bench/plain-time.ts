// Why the bench's figures differ from a plain `time` of the same commands: `time npx playwright test`
// measured here beside what the bench measures, and where a run's wall time goes (from the lines it
// prints and when they came).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SuiteRun } from '../selftest/support/run-suite.ts';
import { startTarget } from '../selftest/support/servers.ts';
import { RUNS, benchRun, median, passingRun, ratio, seconds, seedOf, timed } from './measure.ts';

/** npm's npx beside this Node: `npx …` is `node npx-cli.js …`. */
const NPX = join(dirname(process.execPath), '../lib/node_modules/npm/bin/npx-cli.js');
export const TRIVIAL_ONE_TEST = ['-c', 'bench/trivial/playwright.config.ts'];

/** Where a full run's wall time goes, in seconds, from spawn to exit. */
export interface Phases {
  /** Spawn to the first progress line: Node, Playwright and tsx, the config, the global setup (the embedded servers, locks, snapshots), the checks' files loaded. */
  startUp: number;
  /** First progress line to "rules decided": the workers' start and the checks. */
  testing: number;
  /** "rules decided" to exit: the reports written, the bots restored, the servers stopped. */
  end: number;
  /** What conformance.json's durationMs says (Playwright's own duration of the run). */
  reportDuration: number;
}

function phasesOf(run: SuiteRun, wallMs: number): Phases {
  const at = (pattern: RegExp) => run.timeline.find((t) => pattern.test(t.line))?.ms ?? Number.NaN;
  const begun = at(/^conformance: target /);
  const decided = at(/^conformance: \d+ of \d+ rules decided/);
  return {
    startUp: seconds(begun),
    testing: seconds(decided - begun),
    end: seconds(wallMs - decided),
    reportDuration: seconds(run.report?.durationMs ?? Number.NaN),
  };
}

async function trivialRun(command?: string[]): Promise<void> {
  const run = await benchRun(command ? { command: [...command, ...TRIVIAL_ONE_TEST] } : { args: TRIVIAL_ONE_TEST });
  if (run.code !== 0) throw new Error(`the trivial run failed (exit ${run.code}):\n${run.stdout.slice(-1000)}`);
}

export interface PlainTime {
  runs: number;
  seconds: {
    plainTrivial?: number;
    plainFull?: number;
    trivial: number;
    fullCold: number;
    fullWarm: number;
  };
  /** Every run's wall time, in seconds, in the order run. */
  all: Partial<Record<keyof PlainTime['seconds'], number[]>>;
  /** Each cold run's phases; `phases` is the median of each. */
  coldPhases: Phases[];
  phases: Phases;
  ratios: { plainFullToTrivial?: number; coldToTrivial: number; warmToTrivial: number };
}

/**
 * Side by side, seed by seed: `npx playwright test` as a user times it (when npx is there), the same
 * through Node as the bench runs it, and the full run with its servers started by the run (cold, the
 * embedded reference) and already up (warm, the reference in this process, as every other figure of
 * the bench has it); the trivial one-test run both ways.
 */
export async function plainTime(): Promise<PlainTime> {
  const npx = existsSync(NPX) ? [NPX, 'playwright', 'test'] : undefined;
  const warm = await startTarget();
  const times: Record<keyof PlainTime['seconds'], number[]> = {
    plainTrivial: [],
    plainFull: [],
    trivial: [],
    fullCold: [],
    fullWarm: [],
  };
  const coldPhases: Phases[] = [];
  for (let i = 0; i < RUNS; i++) {
    const env = { CONFORMANCE_SEED: seedOf(i) };
    if (npx) {
      times.plainTrivial.push((await timed(() => trivialRun(npx))).ms);
      times.plainFull.push((await timed(() => passingRun({ env, command: npx }))).ms);
    }
    times.trivial.push((await timed(() => trivialRun())).ms);
    const cold = await timed(() => passingRun({ env }));
    times.fullCold.push(cold.ms);
    coldPhases.push(phasesOf(cold.value, cold.ms));
    times.fullWarm.push((await timed(() => passingRun({ env: { ...warm.env, ...env } }))).ms);
  }
  await warm.close();
  const all = Object.fromEntries(
    Object.entries(times).flatMap(([k, v]) => (v.length ? [[k, v.map((t) => seconds(t))]] : [])),
  ) as PlainTime['all'];
  process.stderr.write(`bench: plain time and the bench's: ${JSON.stringify(all)}\n`);
  const s = Object.fromEntries(
    Object.entries(times).flatMap(([k, v]) => (v.length ? [[k, seconds(median(v))]] : [])),
  ) as PlainTime['seconds'];
  const phases = Object.fromEntries(
    (['startUp', 'testing', 'end', 'reportDuration'] as const).map((k) => [k, median(coldPhases.map((p) => p[k]))]),
  ) as unknown as Phases;
  return {
    runs: RUNS,
    seconds: s,
    all,
    coldPhases,
    phases,
    ratios: {
      ...(s.plainFull && s.plainTrivial ? { plainFullToTrivial: ratio(s.plainFull, s.plainTrivial) } : {}),
      coldToTrivial: ratio(s.fullCold, s.trivial),
      warmToTrivial: ratio(s.fullWarm, s.trivial),
    },
  };
}

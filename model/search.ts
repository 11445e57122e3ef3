// Runs a generated check against the target within the run's budget, and turns a failure into what
// a reader needs: the shortest sequence fast-check could shrink it to, as numbered, redacted,
// replayable curl lines, under the rule it breaks. The same seed and budget replay the same search.
import fc from 'fast-check';
import { ConformanceFailure } from '../suite/verdicts.ts';
import type { Budget } from '../suite/settings.ts';
import type { Exchange } from '../suite/http.ts';
import type { RecordedStep } from './machine.ts';

/** One run of a generated check: the steps it records (model/machine.ts's Target keeps them). */
export interface Run { steps: RecordedStep[] }

export interface Found {
  failure: ConformanceFailure;
  /** The steps of the shortest failing run. */
  steps: RecordedStep[];
  /** Runs before the failure, and successful shrinks after it. */
  runs: number;
  shrinks: number;
}

export interface Searched { runs: number; found?: Found }

/**
 * Shrinking tries at most this many smaller candidates (each a run against the target), then keeps the
 * shortest failure found: a count, not a time, so that the same seed still gives the same sequence.
 */
const SHRINK_TRIES = 60;
/** A run always ends: past this, a search stops where it is (a distant or hanging target). */
const SEARCH_LIMIT_MS = 240_000;

/** Runs a search in chunks of this many runs, each seeded from the search's seed and its index. */
const CHUNK = 10;

/**
 * Runs `body` on generated values until the budget is spent or it fails, then shrinks the failure.
 * The runs go in seeded chunks; a budget of time stops making runs when it is spent, but a failure
 * found by then is still shrunk in full. A budget of runs alone replays exactly.
 */
export async function search<Ts extends [unknown, ...unknown[]]>(
  options: { seed: number; budget: Budget },
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: (run: Run, ...values: Ts) => Promise<void>,
): Promise<Searched> {
  const { budget } = options;
  const deadline = performance.now() + (budget.seconds ?? Infinity) * 1000;
  const most = budget.runs ?? Infinity;
  let runs = 0;
  for (let chunk = 0; runs < most && performance.now() < deadline; chunk++) {
    const numRuns = Math.min(CHUNK, most - runs);
    const { ran, found } = await searchChunk((options.seed + chunk * 0x9e3779b1) | 0, numRuns, deadline, arbitraries, body);
    if (found) return { runs: runs + found.runs, found: { ...found, runs: runs + found.runs } };
    runs += ran;
  }
  return { runs };
}

async function searchChunk<Ts extends [unknown, ...unknown[]]>(
  seed: number,
  numRuns: number,
  /** Past it, the runs left in the chunk are not made (a failure already found is still shrunk). */
  deadline: number,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: (run: Run, ...values: Ts) => Promise<void>,
): Promise<{ ran: number; found?: Found }> {
  let first: string | undefined;
  let last: Omit<Found, 'runs' | 'shrinks'> | undefined;
  let hung = false;
  let tries = 0;
  let unmade = 0;
  const property = fc.asyncProperty(...arbitraries, async (...values: Ts) => {
    // A hang is not shrunk: every try would cost a request timeout.
    if (hung || (first !== undefined && ++tries > SHRINK_TRIES)) return;
    if (first === undefined && performance.now() > deadline) {
      unmade++;
      return;
    }
    const run: Run = { steps: [] };
    try {
      await body(run, ...values);
    } catch (e) {
      if (!(e instanceof ConformanceFailure)) throw e;
      // Another rule's failure met while shrinking counts as a pass: each fault is shrunk on its own rule.
      if (first !== undefined && e.ruleId !== first) return;
      first = e.ruleId;
      last = { failure: e, steps: run.steps };
      hung = e.ruleId === 'ROBUST-NO-HANG';
      throw e;
    }
  });
  const out = await fc.check(property, { seed, numRuns, interruptAfterTimeLimit: SEARCH_LIMIT_MS });
  if (!out.failed) return { ran: out.numRuns - unmade };
  if (!last) throw out.errorInstance;
  return { ran: out.numRuns, found: { ...last, runs: out.numRuns, shrinks: out.numShrinks } };
}

/** The failure as the reports show it: its reason, and the numbered sequence with a curl line per exchange. */
/** `replay`: what a rerun needs besides the seed and the rule (the budget), as `NAME=value`. */
export function reported(found: Found, curl: (x: Exchange) => string, replay: string): ConformanceFailure {
  const { failure, steps } = found;
  const lines = steps.flatMap((s, i) => [`${String(i + 1).padStart(2)}. ${s.what}`, ...s.exchanges.map((x) => `      ${curl(x)}`)]);
  const details = [
    `Shortest sequence found (${steps.length} steps; failed on run ${found.runs}, shrunk ${found.shrinks} times; secrets masked, the seed replays them):`,
    ...lines,
  ].join('\n');
  return new ConformanceFailure(failure.ruleId, `${failure.reason} (after ${steps.length} generated steps)`, { details, replay });
}

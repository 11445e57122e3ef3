// Runs a generated check against the target within the run's budget, and turns a failure into what
// a reader needs: the shortest sequence fast-check could shrink it to, as numbered, redacted,
// replayable curl lines, under the rule it breaks. The same seed and budget replay the same search.
import fc from 'fast-check';
import { ConformanceFailure } from '../verdicts/failure.ts';
import type { Budget } from '../settings/variables.ts';
import type { Stored } from '../state/found-cases.ts';
import { isAnswered, type Recorded } from '../client/http.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { Lanes, type LaneRun, type Plan } from './lanes.ts';
import type { RecordedStep } from './target.ts';

/** Which run: its chunk's seed and its place in the chunk, which with the chunk's seed generate its values. */
export interface RunKey {
  seed: number;
  index: number;
}

/**
 * One run of a generated check: the steps it records (driver/target.ts's Target keeps them), and the
 * rules the search already found broken (a run may read past them: a list of the wrong shape, say).
 */
export interface Run {
  key: RunKey;
  steps: RecordedStep[];
  setAside: ReadonlySet<RuleId>;
  /** Its lane, when it runs beside the chunk's other runs; none when it runs alone (a replay, a shrink). */
  lane?: LaneRun;
  /** It is work after a failure: a run replayed alone, or a smaller candidate tried while shrinking. */
  after: boolean;
}

export interface Found {
  failure: ConformanceFailure;
  /** The steps of the shortest failing run. */
  steps: RecordedStep[];
  /** Runs before the failure, and successful shrinks after it. */
  runs: number;
  shrinks: number;
  /** What finds it again: the chunk's seed, and how many of its runs lead up to the failing one. */
  seed: number;
  upTo: number;
  /** It came from the failures a run before this one stored (state/found-cases.ts). */
  replayed?: true;
  /** Not shrunk: the search's budget for the work after failures was spent. */
  unshrunk?: true;
}

/** What the work after failures cost: runs replayed alone and shrink candidates, and the time they took. */
export interface AfterFailures {
  runs: number;
  ms: number;
}

export interface Searched {
  runs: number;
  /** Every rule's failure the search met, each shrunk on its own rule, the first one first. */
  found: Found[];
  /**
   * Failures met beside the chunk's other runs that the run did not repeat alone: what a target does
   * to names of one run when another run writes (a match by prefix, say), seen and noted, never a verdict.
   */
  beside: ConformanceFailure[];
  after: AfterFailures;
}

/** What a search generates, runs and readies, given by its check. */
export interface Searching<Ts extends unknown[]> {
  /** A run's arbitraries and the stem its names hold (its own names: other runs' cannot hold it). */
  arbitraries(key: RunKey): { stem: string; arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> } };
  /** What a run will post and which of its steps may empty a list, read off its values before it starts. */
  plan(...values: Ts): Plan;
  body(run: Run, ...values: Ts): Promise<void>;
  /** The order in which a chunk's failures are replayed and shrunk, then by place in the chunk. */
  order?(key: RunKey): number;
  /** Readies the target for a chunk's runs (a check of the whole list empties it: what earlier chunks left). */
  between?(): Promise<void>;
}

/**
 * Shrinking one failure tries at most this many smaller candidates (each a run against the target),
 * then keeps the shortest failure found: a count, not a time, so that the same seed still gives the
 * same sequence.
 */
const SHRINK_TRIES = 40;
/**
 * The work after failures a search may do in all, in runs: a target that breaks many rules gets each
 * found, replayed alone and shrunk while this lasts, then named by the run that found it.
 */
const AFTER_FAILURES = 4 * SHRINK_TRIES;
/** A run always ends: past this, a search stops where it is (a hanging target). */
const SEARCH_LIMIT_MS = 240_000;

/**
 * Runs a search in chunks of this many runs, each seeded from the search's seed and its index; a
 * chunk's runs are under way together, so this bounds what a search asks of the target at once.
 */
const CHUNK = 32;

/**
 * Replays the stored failures, then runs generated values until the budget is spent: a chunk's runs
 * at once, in lanes (driver/lanes.ts), so that a distant target waits for the longest run's answers
 * and not for every run's. A run that fails is then replayed alone and shrunk on its rule, kept, and
 * the search goes on with that rule set aside, so that one fault does not hide another (a server
 * that answers 500 early is still searched for merged names). A budget of runs replays exactly; a
 * budget of time stops making runs when it is spent.
 */
export async function search<Ts extends [unknown, ...unknown[]]>(
  /** `setAside`: rules an earlier search of the same check already found broken, and shrank. */
  options: { seed: number; budget: Budget; stored?: Stored[]; setAside?: readonly RuleId[] },
  searching: Searching<Ts>,
): Promise<Searched> {
  const { budget } = options;
  const deadline = performance.now() + (budget.seconds ?? Number.POSITIVE_INFINITY) * 1000;
  const most = budget.runs ?? Number.POSITIVE_INFINITY;
  const found: Found[] = [];
  const setAside = new Set<RuleId>(options.setAside);
  const after = { runs: 0, ms: 0, left: AFTER_FAILURES };
  const beside: ConformanceFailure[] = [];
  for (const stored of options.stored ?? []) {
    if (setAside.has(stored.rule)) continue;
    const again = await alone({ seed: stored.seed, index: stored.upTo - 1 }, searching, setAside, after);
    if (again) {
      found.push({ ...again, replayed: true });
      setAside.add(again.failure.ruleId);
    }
  }
  let runs = 0;
  // A hang is not searched past: every later run could cost a timeout.
  for (let chunk = 0; runs < most && performance.now() < deadline && !setAside.has('ROBUST-NO-HANG'); chunk++) {
    const seed = (options.seed + chunk * 0x9e3779b1) | 0;
    const n = Math.min(CHUNK, most - runs);
    await searching.between?.();
    const failed = await chunkOf(seed, n, deadline, searching, setAside);
    const rank = (f: Failed) => searching.order?.(f.key) ?? 0;
    failed.failures.sort((a, b) => rank(a) - rank(b) || a.key.index - b.key.index);
    runs += failed.ran;
    for (const f of failed.failures) {
      if (setAside.has(f.failure.ruleId)) continue;
      const upTo = f.key.index + 1;
      // A hang is not run again: it would cost another timeout.
      if (f.failure.ruleId === 'ROBUST-NO-HANG' || after.left <= 0) {
        found.push({
          failure: f.failure,
          steps: f.steps,
          runs: runs - n + upTo,
          shrinks: 0,
          seed,
          upTo,
          unshrunk: true,
        });
        setAside.add(f.failure.ruleId);
        continue;
      }
      // Alone, the run fails as it did, or on another rule it met first, or not at all: only what it does alone is a verdict.
      const shrunk = await alone(f.key, searching, setAside, after);
      if (shrunk) {
        found.push({ ...shrunk, runs: runs - n + upTo });
        setAside.add(shrunk.failure.ruleId);
      } else beside.push(f.failure);
    }
  }
  return { runs, found, beside, after: { runs: after.runs, ms: Math.round(after.ms) } };
}

interface Failed {
  key: RunKey;
  failure: ConformanceFailure;
  steps: RecordedStep[];
}

/** A chunk's runs, in lanes: those that failed on a rule not set aside, in chunk order. */
async function chunkOf<Ts extends [unknown, ...unknown[]]>(
  seed: number,
  n: number,
  /** Past it, the chunk's runs are not made. */
  deadline: number,
  searching: Searching<Ts>,
  setAside: ReadonlySet<RuleId>,
): Promise<{ ran: number; failures: Failed[] }> {
  if (performance.now() > deadline) return { ran: 0, failures: [] };
  const runs = Array.from({ length: n }, (_, index) => {
    const key = { seed, index };
    const { stem, arbitraries } = searching.arbitraries(key);
    // The values fc.check would run at this place of the chunk (fast-check's path replays it).
    const property = fc.asyncProperty(...arbitraries, async () => {});
    const [values] = fc.sample(property, { seed, path: String(index), numRuns: 1 }) as unknown as [Ts];
    return { key, stem, values, plan: searching.plan(...values) };
  });
  const failures: Failed[] = [];
  let broken: unknown;
  await Lanes.run(
    runs.map((r) => r.plan),
    runs.map((r) => r.stem),
    async (lane, i) => {
      const { key, values } = runs[i];
      const run: Run = { key, steps: [], setAside, lane, after: false };
      try {
        await searching.body(run, ...values);
      } catch (e) {
        if (!(e instanceof ConformanceFailure)) broken ??= e;
        else if (!setAside.has(e.ruleId)) failures.push({ key, failure: e, steps: run.steps });
      }
    },
  );
  // An error of the check itself, not a rule's: nothing is shrunk or searched after it.
  if (broken !== undefined) throw broken;
  return { ran: n, failures: failures.sort((a, b) => a.key.index - b.key.index) };
}

/**
 * Runs one run alone (after the chunk it belongs to, or from a stored failure), and shrinks it if it
 * fails on a rule not set aside, within what is left of the budget after failures.
 */
async function alone<Ts extends [unknown, ...unknown[]]>(
  key: RunKey,
  searching: Searching<Ts>,
  setAside: ReadonlySet<RuleId>,
  after: AfterFailures & { left: number },
): Promise<Found | undefined> {
  const started = performance.now();
  let first: RuleId | undefined;
  let last: Pick<Found, 'failure' | 'steps'> | undefined;
  let hung = false;
  let broken: unknown;
  let tries = 0;
  const most = Math.min(SHRINK_TRIES, after.left - 1);
  const property = fc.asyncProperty(...searching.arbitraries(key).arbitraries, async (...values: Ts) => {
    // A hang is not shrunk: every try would cost a request timeout.
    if (hung || broken !== undefined || (first !== undefined && ++tries > most)) return;
    after.runs++;
    after.left--;
    const run: Run = { key, steps: [], setAside, after: true };
    try {
      await searching.body(run, ...values);
    } catch (e) {
      if (!(e instanceof ConformanceFailure)) {
        broken = e;
        return;
      }
      // A rule already found, or (while shrinking) another rule than the one being shrunk, counts as a pass.
      if (setAside.has(e.ruleId) || (first !== undefined && e.ruleId !== first)) return;
      first = e.ruleId;
      last = { failure: e, steps: run.steps };
      hung = e.ruleId === 'ROBUST-NO-HANG';
      throw e;
    }
  });
  const out = await fc.check(property, {
    seed: key.seed,
    path: String(key.index),
    numRuns: 1,
    interruptAfterTimeLimit: SEARCH_LIMIT_MS,
  });
  after.ms += performance.now() - started;
  if (broken !== undefined) throw broken;
  if (!out.failed) return undefined;
  if (!last) throw out.errorInstance;
  return {
    ...last,
    runs: key.index + 1,
    shrinks: out.numShrinks,
    seed: key.seed,
    upTo: key.index + 1,
  };
}

/**
 * The failure as the reports show it: its reason, and the numbered sequence with a curl line per
 * exchange (a request that got no answer marked so, after the line, as a shell comment).
 * `replay`: what a rerun needs besides the seed and the rule (the budget), as `NAME=value`.
 */
export function reported(found: Found, curl: (x: Recorded) => string, replay: string): ConformanceFailure {
  const { failure, steps } = found;
  const lines = steps.flatMap((s, i) => [
    `${String(i + 1).padStart(2)}. ${s.what}`,
    ...s.exchanges.map((x) => `      ${curl(x)}${isAnswered(x) ? '' : ` # ${x.unanswered}`}`),
  ]);
  const how = found.replayed
    ? 'replayed from the failures an earlier run stored'
    : found.unshrunk
      ? `failed on run ${found.runs}, not shrunk: the search's budget for work after failures was spent`
      : `failed on run ${found.runs}, shrunk ${found.shrinks} times`;
  const details = [
    `${found.unshrunk ? 'Sequence' : 'Shortest sequence'} found (${steps.length} steps; ${how}; secrets masked, the seed replays them):`,
    ...lines,
  ].join('\n');
  return new ConformanceFailure(failure.ruleId, `${failure.reason} (after ${steps.length} generated steps)`, {
    details,
    replay,
  });
}

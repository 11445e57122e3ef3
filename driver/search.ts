// Runs a generated check against the target within the run's budget, and turns a failure into what
// a reader needs: the shortest sequence fast-check could shrink it to, as numbered, redacted,
// replayable curl lines, under the rule it breaks. The same seed and budget replay the same search.
import fc from 'fast-check';
import { ConformanceFailure } from '../verdicts/failure.ts';
import type { Budget } from '../settings/variables.ts';
import type { Stored } from '../state/found-cases.ts';
import { isAnswered, type Recorded } from '../client/http.ts';
import type { RuleId } from '../rules/catalogue.ts';
import type { RecordedStep } from './target.ts';

/**
 * One run of a generated check: the steps it records (driver/target.ts's Target keeps them), and the
 * rules the search already found broken (a run may read past them: a list of the wrong shape, say).
 */
export interface Run {
  steps: RecordedStep[];
  setAside: ReadonlySet<RuleId>;
}

export interface Found {
  failure: ConformanceFailure;
  /** The steps of the shortest failing run. */
  steps: RecordedStep[];
  /** Runs before the failure, and successful shrinks after it. */
  runs: number;
  shrinks: number;
  /** What finds it again: the chunk's seed and how many of its runs lead up to the failing one. */
  seed: number;
  upTo: number;
  /** It came from the failures a run before this one stored (state/found-cases.ts). */
  replayed?: true;
}

export interface Searched {
  runs: number;
  /** Every rule's failure the search met, each shrunk on its own rule, the first one first. */
  found: Found[];
}

/**
 * Shrinking tries at most this many smaller candidates (each a run against the target), then keeps the
 * shortest failure found: a count, not a time, so that the same seed still gives the same sequence.
 */
const SHRINK_TRIES = 60;
/** A run always ends: past this, a search stops where it is (a hanging target). */
const SEARCH_LIMIT_MS = 240_000;

/** Runs a search in chunks of this many runs, each seeded from the search's seed and its index. */
const CHUNK = 10;

type Body<Ts extends unknown[]> = (run: Run, ...values: Ts) => Promise<void>;

/**
 * Replays the stored failures, then runs `body` on generated values until the budget is spent. A
 * failure is shrunk on its rule, kept, and the search goes on with that rule set aside, so that one
 * fault does not hide another (a server that answers 500 early is still searched for merged names).
 * A budget of runs replays exactly; a budget of time stops making runs when it is spent.
 */
export async function search<Ts extends [unknown, ...unknown[]]>(
  /** `setAside`: rules an earlier search of the same check already found broken, and shrank. */
  options: { seed: number; budget: Budget; stored?: Stored[]; setAside?: readonly RuleId[] },
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: Body<Ts>,
): Promise<Searched> {
  const { budget } = options;
  const deadline = performance.now() + (budget.seconds ?? Infinity) * 1000;
  const most = budget.runs ?? Infinity;
  const found: Found[] = [];
  const setAside = new Set<RuleId>(options.setAside);
  for (const stored of options.stored ?? []) {
    if (setAside.has(stored.rule)) continue;
    const { found: again } = await searchChunk(stored.seed, stored.upTo, Infinity, arbitraries, body, setAside);
    if (again) {
      found.push({ ...again, replayed: true });
      setAside.add(again.failure.ruleId);
    }
  }
  let runs = 0;
  // A hang is not searched past: every later run could cost a timeout.
  for (let chunk = 0; runs < most && performance.now() < deadline && !setAside.has('ROBUST-NO-HANG'); chunk++) {
    const seed = (options.seed + chunk * 0x9e3779b1) | 0;
    const { ran, found: next } = await searchChunk(
      seed,
      Math.min(CHUNK, most - runs),
      deadline,
      arbitraries,
      body,
      setAside,
    );
    runs += ran;
    if (!next) continue;
    found.push({ ...next, runs });
    setAside.add(next.failure.ruleId);
  }
  return { runs, found };
}

async function searchChunk<Ts extends [unknown, ...unknown[]]>(
  seed: number,
  numRuns: number,
  /** Past it, the runs left in the chunk are not made (a failure already found is still shrunk). */
  deadline: number,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  body: Body<Ts>,
  /** Rules already found broken: meeting them again counts as a pass. */
  setAside: ReadonlySet<RuleId>,
): Promise<{ ran: number; found?: Found }> {
  let first: RuleId | undefined;
  let last: Pick<Found, 'failure' | 'steps'> | undefined;
  let hung = false;
  /** An error of the check itself, not a rule's: nothing is shrunk or searched after it. */
  let broken: unknown;
  let tries = 0;
  let unmade = 0;
  const property = fc.asyncProperty(...arbitraries, async (...values: Ts) => {
    // A hang is not shrunk: every try would cost a request timeout.
    if (hung || broken !== undefined || (first !== undefined && ++tries > SHRINK_TRIES)) return;
    if (first === undefined && performance.now() > deadline) {
      unmade++;
      return;
    }
    const run: Run = { steps: [], setAside };
    try {
      await body(run, ...values);
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
  const out = await fc.check(property, { seed, numRuns, interruptAfterTimeLimit: SEARCH_LIMIT_MS });
  if (broken !== undefined) throw broken;
  if (!out.failed) return { ran: out.numRuns - unmade };
  if (!last) throw out.errorInstance;
  return { ran: out.numRuns, found: { ...last, runs: out.numRuns, shrinks: out.numShrinks, seed, upTo: out.numRuns } };
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
    : `failed on run ${found.runs}, shrunk ${found.shrinks} times`;
  const details = [
    `Shortest sequence found (${steps.length} steps; ${how}; secrets masked, the seed replays them):`,
    ...lines,
  ].join('\n');
  return new ConformanceFailure(failure.ruleId, `${failure.reason} (after ${steps.length} generated steps)`, {
    details,
    replay,
  });
}

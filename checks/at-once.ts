// How a check of many independent cases waits for the network a few times, not once a case: its cases
// go at once, a bounded number in flight. Writes made at once have two risks a check must not take:
// a server that loses writes made together (CONCURRENT-UPSERTS' fault, whose own checks judge it)
// would seem to break this check's rule, and a list that went wrong after many writes does not say
// which of them did it. So a run at once that finds anything is run again one case after another,
// and that run's findings are the verdict, as precise as they were before the cases went together.
import { ConformanceFailure, Findings, together } from '../verdicts/failure.ts';

/** The most requests of one check in flight at once: few enough not to flood a staging server. */
export const AT_ONCE = 16;

/** Runs `each` on every item, `atOnce` at a time (1: one after another), and returns what each gave, in order. */
export async function inWaves<T, R>(items: readonly T[], atOnce: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let at = 0; at < items.length; at += atOnce)
    out.push(...(await together(items.slice(at, at + atOnce).map(each))));
  return out;
}

/** Whether `findings` holds a failure (Findings keeps them to itself until it throws). */
function holdsAny(findings: Findings): boolean {
  try {
    findings.throwIfAny();
    return false;
  } catch {
    return true;
  }
}

/**
 * Runs `run` with its cases at once; when it finds anything (or ends on a failure, a dropped connection
 * say), `beforeAgain` puts the list back where the check may (a whole-list check empties it, so that
 * what the run at once left is not blamed on the cases run again) and `run` goes again one case after
 * another: the findings and result returned are that run's. Only for checks whose list may be emptied,
 * or whose cases leave nothing a later read could fail on.
 */
export async function atOnceElseOneByOne<R>(
  run: (findings: Findings, atOnce: number) => Promise<R>,
  beforeAgain: () => Promise<void> = async () => {},
): Promise<{ findings: Findings; result: R }> {
  const findings = new Findings();
  try {
    const result = await run(findings, AT_ONCE);
    if (!holdsAny(findings)) return { findings, result };
  } catch (e) {
    if (!(e instanceof ConformanceFailure)) throw e;
  }
  await beforeAgain();
  const again = new Findings();
  return { findings: again, result: await run(again, 1) };
}

// How a check of many independent cases waits for the network a few times, not once a case: its cases
// go at once, a bounded number in flight. Writes made at once have two risks a check must not take:
// a server that loses writes made together (CONCURRENT-UPSERTS' fault, whose own checks judge it)
// would seem to break this check's rule, and a list that went wrong after many writes does not say
// which of them did it. So a run at once that finds anything is run again one case after another,
// and that run's findings are the verdict, as precise as they were before the cases went together.
import { IN_FLIGHT } from '../client/http.ts';
import { ConformanceFailure, Findings } from '../verdicts/failure.ts';
import { unanswered } from '../verdicts/robustness.ts';

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
    const result = await run(findings, IN_FLIGHT);
    if (!findings.any) return { findings, result };
  } catch (e) {
    // After a drop or a hang the replay would wait as long again, and its verdict would hide the drop.
    if (!(e instanceof ConformanceFailure) || unanswered(e.ruleId)) throw e;
  }
  await beforeAgain();
  const again = new Findings();
  return { findings: again, result: await run(again, 1) };
}

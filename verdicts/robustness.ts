// The robustness rules (ROBUST-NO-5XX, ROBUST-NO-DROP, ROBUST-NO-HANG) every request can break,
// whatever its check was about.
import { isAnswered, NetworkError, type Exchange, type Recorded } from '../client/http.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { IMPLEMENTED_METHODS } from '../rules/answers.ts';
import { ConformanceFailure, fail } from './failure.ts';

/** A 5xx: the server's own failure, whatever the input. */
export const isServerError = (status: number) => status >= 500 && status <= 599;

/**
 * An answer ROBUST-NO-5XX forbids: any 5xx, but 501 Not Implemented to a method the server does not
 * implement (PUT, PATCH, OPTIONS), which is what RFC 9110 § 15.6.2 says to answer (Python's http.server
 * does). docs/rules.md: "Where the rules leave a choice".
 */
export const failsServer = (x: Exchange) =>
  isServerError(x.received.status) &&
  !(x.received.status === 501 && !IMPLEMENTED_METHODS.has(x.sent.method.toUpperCase()));

/** The robustness rule a request that got no answer breaks: an answer that never ends (cut off at the cap) is a hang too. */
export function robustnessRuleOf(e: NetworkError): RuleId {
  return e.kind === 'timeout' || e.kind === 'oversized' ? 'ROBUST-NO-HANG' : 'ROBUST-NO-DROP';
}

/** Whether a failure of `ruleId` says a request got no answer (so that trying more inputs costs a timeout each). */
export const unanswered = (ruleId: RuleId) => ruleId === 'ROBUST-NO-DROP' || ruleId === 'ROBUST-NO-HANG';

/** Whether a failure is the server's own whatever was asked (no answer, or a 5xx): no form or repetition of the request is to blame. */
export const robustnessOnly = (ruleId: RuleId) => unanswered(ruleId) || ruleId === 'ROBUST-NO-5XX';

/** Sends a request of a step: a 5xx, a dropped connection or a hang fails its robustness rule, whatever the step was about. */
export async function survived(step: string, send: () => Promise<Exchange>): Promise<Exchange> {
  let x: Exchange;
  try {
    x = await send();
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    fail(robustnessRuleOf(e), `${step}: ${e.message}`);
  }
  if (failsServer(x)) fail('ROBUST-NO-5XX', `${step}: answered ${x.received.status}`);
  return x;
}

/**
 * The robustness rules a check's exchanges and the error it ended with show broken, whatever it was
 * about: one observation fails every rule it breaks (a 500 to a null body fails ROBUST-NO-5XX too). A
 * request of the log that got no answer is the error's to tell: a check that caught one meant to.
 */
export function robustnessSeen(by: string, exchanges: readonly Recorded[], error?: unknown): ConformanceFailure[] {
  const found: ConformanceFailure[] = [];
  const failing = exchanges.filter(isAnswered).filter(failsServer);
  if (failing.length) {
    const [first] = failing;
    found.push(
      new ConformanceFailure(
        'ROBUST-NO-5XX',
        `${first.sent.method} ${new URL(first.sent.url).pathname} answered ${first.received.status}` +
          `${failing.length > 1 ? ` (and ${failing.length - 1} more request(s) a 5xx)` : ''}, seen by ${by}`,
      ),
    );
  }
  if (error instanceof NetworkError)
    found.push(new ConformanceFailure(robustnessRuleOf(error), `${error.message}, seen by ${by}`));
  return found;
}

// How a generated POST's answer must look, given what the rules say of its body (model/rules.ts's
// verdict): the state machine, the generated checks and the wire checks all judge a POST here.
import type { GeneratedPost } from '../generation/providers.ts';
import type { Exchange } from '../client/http.ts';
import { answeredAs, judgesBodyOf, named } from '../rules/answers.ts';
import { fail } from '../verdicts/failure.ts';
import { jsonObjectBody } from '../verdicts/assertions.ts';
import { CONTENT_TOO_LARGE, LONGEST_REQUIRED } from '../model/rules.ts';

/** How a POST's answer must look for the body's verdict; returns whether the target took it. */
export function judgeAnswer(post: GeneratedPost, x: Exchange, what: string): boolean {
  const status = x.received.status;
  const { verdict } = post;
  if (verdict.kind === 'valid' && !answeredAs('POST-VALID-200', status))
    fail('POST-VALID-200', `${what}: a valid provider got ${status}, not ${named('POST-VALID-200')}`);
  // A server may weigh a body before it reads it: a long one may get 413 instead.
  const weighed = post.text.length > LONGEST_REQUIRED && status === CONTENT_TOO_LARGE;
  if (verdict.kind === 'invalid' && verdict.rule && !answeredAs(verdict.rule, status) && !weighed)
    fail(verdict.rule, `${what}: a body that breaks ${verdict.location} got ${status}, not ${named(verdict.rule)}`);
  // Left open: taken as a valid provider is, or refused as a body of the wrong type is.
  if (
    verdict.kind === 'open' &&
    !answeredAs('POST-VALID-200', status) &&
    !answeredAs('POST-400-WRONG-TYPE', status) &&
    status !== CONTENT_TOO_LARGE
  ) {
    fail(
      'POST-VALID-200',
      `${what}: a provider the rules leave open (${verdict.why}) got ${status}; expected ${named('POST-VALID-200')} to take it, or ${named('POST-400-WRONG-TYPE')} to refuse it`,
    );
  }
  if (judgesBodyOf('ERROR-400-JSON', status)) jsonObjectBody('ERROR-400-JSON', x);
  return answeredAs('POST-VALID-200', status) && verdict.kind !== 'invalid';
}

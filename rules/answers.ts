// The statuses a rule names for its answers, looked up in the catalogue: a check, a model step or a
// faulty server's sentence asks here, never spells a status itself.
import { ruleById, type RuleId } from './catalogue.ts';

/** The statuses a rule names for its answers. */
export function answersOf(ruleId: RuleId): readonly number[] {
  const { answers } = ruleById(ruleId);
  if (!answers) throw new Error(`rule ${ruleId} names no status: say which the check expects`);
  return answers;
}

/** Whether `status` is one the rule names: a model step asks the catalogue, never spells a status. */
export function answeredAs(ruleId: RuleId, status: number): boolean {
  return answersOf(ruleId).includes(status);
}

/** The statuses a rule names, as a reason says them ("200", "400 or 413"). */
export const named = (ruleId: RuleId) => answersOf(ruleId).join(' or ');

/** Whether a rule on answers' bodies judges the body of an answer of `status`: a check asks the catalogue, never spells a status. */
export function judgesBodyOf(ruleId: RuleId, status: number): boolean {
  const { bodyOf } = ruleById(ruleId);
  if (!bodyOf) throw new Error(`rule ${ruleId} judges no answer's body: say whose in the catalogue`);
  return bodyOf.includes(status);
}

/**
 * The methods a server of this API implements: its operations' (GET, POST, DELETE) and HEAD, which
 * every general-purpose server must support (RFC 9110 § 9.1). A 501 to any other is RFC 9110
 * § 15.6.2's answer to a method a server does not implement, not a failure of ROBUST-NO-5XX.
 */
export const IMPLEMENTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'DELETE']);

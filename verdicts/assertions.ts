// The checks of one answer a test asserts with: its status, its body's kind and schema, its
// Content-Type. Each names the rule it decides and fails it with a short reason.
import type { Contract, SchemaName } from '../contract/openapi.ts';
import type { Exchange } from '../client/http.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { answersOf } from '../rules/answers.ts';
import { fail } from './failure.ts';

const answered = (x: Exchange) => `${x.sent.method} answered ${x.received.status}`;

/** The answer has one of the statuses the rule `as` names (rules/catalogue.ts), the rule itself unless told; `ruleId` fails when it has not. */
export function statusIs(ruleId: RuleId, x: Exchange, as: RuleId = ruleId): void {
  const expected = answersOf(as);
  if (!expected.includes(x.received.status)) {
    fail(
      ruleId,
      `expected ${expected.join(' or ')}, got ${x.received.status} to ${x.sent.method} ${new URL(x.sent.url).pathname}`,
      x,
    );
  }
}

export function jsonObjectBody(ruleId: RuleId, x: Exchange): Record<string, unknown> {
  const { json, notJson, text } = x.received;
  if (notJson !== undefined) fail(ruleId, `${answered(x)} with a body that is not JSON (${notJson})`, x);
  if (text.trim() === '') fail(ruleId, `${answered(x)} with an empty body, not a JSON object`, x);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    fail(
      ruleId,
      `${answered(x)} with JSON ${json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json}, not an object`,
      x,
    );
  }
  return json as Record<string, unknown>;
}

export function emptyBody(ruleId: RuleId, x: Exchange): void {
  if (x.received.text.length > 0)
    fail(ruleId, `${answered(x)} with a ${Buffer.byteLength(x.received.text)}-byte body; the body should be empty`, x);
}

export function matchesSchema(
  ruleId: RuleId,
  contract: Contract,
  schema: SchemaName,
  value: unknown,
  what: string,
): void {
  const violations = contract.violations(schema, value);
  if (violations.length) {
    const shown = violations
      .slice(0, 3)
      .map((v) => `${v.path} ${v.message}`)
      .join('; ');
    fail(
      ruleId,
      `${what} violates the OpenAPI schema ${schema} at ${shown}${violations.length > 3 ? ` (+${violations.length - 3} more)` : ''}`,
    );
  }
}

export function jsonContentType(ruleId: RuleId, x: Exchange): void {
  const type = String(x.received.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/json')
    fail(
      ruleId,
      `${answered(x)} with Content-Type '${x.received.headers['content-type'] ?? '(none)'}', not application/json`,
    );
}

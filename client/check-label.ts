// The `x-conformance-check` header's value (client/api.ts sends it): which check sent a request, so
// that a server's own log, and the bench's recording reference, can tell the checks apart.

/** A check's kind as its label starts: a check of the whole list, or one on names of its own. */
export type CheckKind = 'whole-list' | 'per-name';

/** The label of a check: its kind, its rule and its test id. */
export function checkLabel(wholeList: boolean, rule: string, testId: string): string {
  return `${wholeList ? 'whole-list' : 'per-name'}/${rule}/${testId}`;
}

/** The kind of check a label names; undefined for a request no check sent (the run's probe, its snapshot). */
export function kindOf(label: string): CheckKind | undefined {
  const kind = label.slice(0, label.indexOf('/'));
  return kind === 'whole-list' || kind === 'per-name' ? kind : undefined;
}

// The faulty servers, every family of them: each is the reference server with exactly one change,
// declared with the rule it breaks and one sentence; the level comes from the rule catalogue. A probe
// over raw HTTP shows that the fault really happens. The meta-test (selftest/detection.spec.ts) runs
// the real suite on each.
import type { RuleId } from '../rules/catalogue.ts';
import type { Fault } from './fault.ts';
import { AUTH } from './auth.ts';
import { DELETE } from './delete.ts';
import { GET } from './get.ts';
import { HTTP } from './http.ts';
import { POST } from './post.ts';
import { REVISION } from './revision.ts';
import { ROBUSTNESS } from './robustness.ts';
import { STACKS } from './stacks.ts';
import { TRANSCRIPTS } from './transcripts.ts';
import { UNLISTED } from './unlisted.ts';
import { UPSERT } from './upsert.ts';

export type { Fault };
export { EndlessAnswer } from './robustness.ts';

export const FAULTS: Fault[] = [
  ...POST,
  ...UPSERT,
  ...GET,
  ...DELETE,
  ...AUTH,
  ...TRANSCRIPTS,
  ...ROBUSTNESS,
  ...REVISION,
  ...UNLISTED,
  ...STACKS,
  ...HTTP,
];

/**
 * A faulty server of `rule`: the first fault of FAULTS that breaks it (and is `which`), for a self-test
 * or the bench that needs "a server that breaks rule X", not one fault by its id; `which` asks for a
 * kind of fault by what it declares (say, `(f) => f.wrongStatus === 403`).
 */
export function faultOf(rule: RuleId, which: (f: Fault) => boolean = () => true): Fault {
  const found = FAULTS.find((f) => f.rule === rule && which(f));
  if (found) return found;
  const ofRule = FAULTS.filter((f) => f.rule === rule).map((f) => f.id);
  throw new Error(
    ofRule.length
      ? `no faulty server of ${rule} is what was asked for (${which.toString()}); its faults: ${ofRule.join(', ')}`
      : `no faulty server in faulty/ breaks ${rule}`,
  );
}

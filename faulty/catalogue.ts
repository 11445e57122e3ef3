// The faulty servers, every family of them: each is the reference server with exactly one change,
// declared with the rule it breaks and one sentence; the level comes from the rule catalogue. A probe
// over raw HTTP shows that the fault really happens. The meta-test (selftest/detection.spec.ts) runs
// the real suite on each.
import type { Fault } from './fault.ts';
import { AUTH } from './auth.ts';
import { DELETE } from './delete.ts';
import { GET } from './get.ts';
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
];

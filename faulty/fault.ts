// What a faulty server is: the reference with exactly one change, the rule it breaks, and a probe
// over raw HTTP that shows the change really happens.
import type { Profile } from '../contract/openapi.ts';
import type { AppClass } from '../reference/app.ts';
import type { Probe } from './probe.ts';

export interface Fault {
  id: string;
  /** The rule the suite must fail (MUST) or flag (SHOULD) on. */
  rule: string;
  sentence: string;
  profile: Profile;
  App: AppClass;
  /** True when the fault shows over raw HTTP. */
  probe: (p: Probe) => Promise<boolean>;
  /** True for the faults of the kind nobody lists (faulty/unlisted.ts): generated data and sequences must find them. */
  unlisted?: boolean;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

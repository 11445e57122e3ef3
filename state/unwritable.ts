// Why a run may write nothing to a target, when it may not (it had no list to snapshot and put back):
// noted by the global setup, read by every check before it writes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Settings } from '../settings/targets.ts';
import { failedRulesPath, type StatePlace } from './paths.ts';

/** Why run `runId` may write nothing to this target, when it may not: a file beside its failed rules (and removed with them). */
const unwritablePath = (settings: StatePlace, runId: string) => `${failedRulesPath(settings, runId)}.unwritable`;

export function noteUnwritable(settings: StatePlace, runId: string, reason: string): void {
  writeFileSync(unwritablePath(settings, runId), reason, { mode: 0o600 });
}

/** Why this run's checks may write nothing to the target (it had no list to snapshot), or undefined. Read once a process. */
export function unwritable(settings: StatePlace & Pick<Settings, 'runId'>): string | undefined {
  if (!settings.runId) return undefined;
  const path = unwritablePath(settings, settings.runId);
  if (!unwritableSeen.has(path)) unwritableSeen.set(path, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  return unwritableSeen.get(path);
}
const unwritableSeen = new Map<string, string | undefined>();

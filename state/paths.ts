// Where a run keeps what its processes share and what outlives it, in the state folder (outside reports/,
// readable by the user only): per target and bot, its lock, snapshot, failed rules and found cases;
// per run, the secret ledger.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Settings } from '../settings/targets.ts';

/** What names a target's state files: the state folder, and the target and bot they are of. */
export type StatePlace = Pick<Settings, 'targetUrl' | 'bot' | 'stateDir'>;

const keyOf = (settings: StatePlace) =>
  createHash('sha256').update(`${settings.targetUrl}\n${settings.bot.id}`).digest('hex').slice(0, 12);

export function snapshotPath(settings: StatePlace): string {
  return join(settings.stateDir, `snapshot-${keyOf(settings)}.json`);
}

/** Where the generated check `check` keeps the failures it found against this target (state/found-cases.ts). */
export function foundCasesPath(settings: StatePlace, check: string): string {
  return join(
    settings.stateDir,
    `found-${keyOf(settings)}-${createHash('sha256').update(check).digest('hex').slice(0, 12)}.json`,
  );
}

/** How the names of run `runId`'s failed-rules files begin, every target's (state/failed-rules.ts). */
export const failedRulesPrefix = (runId: string) => `failed-${runId}-`;

/** The rules run `runId` has found broken on this target. */
export function failedRulesPath(settings: StatePlace, runId: string): string {
  return join(settings.stateDir, `${failedRulesPrefix(runId)}${keyOf(settings)}`);
}

export function lockPath(settings: StatePlace): string {
  return join(settings.stateDir, `lock-${keyOf(settings)}.json`);
}

/** The file through which the processes of run `runId` share the secrets they learn. */
export function ledgerPath(settings: Pick<Settings, 'stateDir'>, runId: string): string {
  return join(settings.stateDir, `secrets-${runId}.jsonl`);
}

// The rules a run has already found broken on each target, shared by its worker processes through a
// file in the state directory: a check whose own rule is already failed there is skipped, not run
// again: a server that breaks a rule many checks hold would otherwise pay for each of them, and the
// terminal would print its failure as many times.
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleId } from '../rules/catalogue.ts';
import type { Settings } from '../settings/targets.ts';
import { failedRulesPath, failedRulesPrefix } from './paths.ts';

type Place = Pick<Settings, 'stateDir' | 'runId' | 'targetUrl' | 'bot'>;

function ledgerOf(settings: Place): string | undefined {
  return settings.runId ? failedRulesPath(settings, settings.runId) : undefined;
}

/** The rules already failed on this target in this run. */
export function failedRules(settings: Place): Set<string> {
  const ledger = ledgerOf(settings);
  if (!ledger) return new Set();
  try {
    return new Set(readFileSync(ledger, 'utf8').split('\n').filter(Boolean));
  } catch (e) {
    // No rule has failed on this target yet.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw e;
  }
}

/** Whether a rule has not failed on this target yet, as the ledger stands now: what a check that covers several rules still judges. */
export function stillOpen(settings: Place): (rule: RuleId) => boolean {
  const failed = failedRules(settings);
  return (rule) => !failed.has(rule);
}

/** Notes that a rule failed on this target. */
export function noteFailed(settings: Place, rule: RuleId): void {
  const ledger = ledgerOf(settings);
  if (ledger) appendFileSync(ledger, `${rule}\n`, { mode: 0o600 });
}

/** Removes every target's record of a run (the reporter, once the run is over). */
export function forgetFailed(stateDir: string, runId: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(stateDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const name of names)
    if (name.startsWith(failedRulesPrefix(runId))) rmSync(join(stateDir, name), { force: true });
}

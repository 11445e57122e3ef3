// Before any test: the settings are read, and each target is locked, reached with the run's
// credentials, and its bots' lists snapshotted. Any problem stops the run here with one message.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { handToWorkers, readEnvironment } from '../settings/environment.ts';
import { readTargets, type Settings } from '../settings/targets.ts';
import { RUN_ID_VARIABLE, SettingsError } from '../settings/variables.ts';
import { STOPPED, WRONG_SETTING } from '../report/report-model.ts';
import { startEmbedded, type Embedded } from './embedded.ts';
import { ledgerPath } from '../state/paths.ts';
import {
  newRunId,
  PreflightError,
  releaseUnwritten,
  restoreCommand,
  restoreSnapshot,
  takeSnapshot,
  WrongSettingError,
} from './snapshot.ts';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const taken: Settings[] = [];
  let ledger: string | undefined;
  let embedded: Embedded | undefined;
  try {
    embedded = await startEmbedded(readEnvironment());
    if (embedded) handToWorkers(embedded.urls);
    // Read now, not with the configuration: the embedded reference's URLs are known only now.
    const targets = readTargets(readEnvironment());
    // What earlier runs wrote beside the reports (HAR files, replay bodies) would pass for this run's.
    for (const dir of ['har', 'replay']) rmSync(join(targets[0].reportDir, dir), { recursive: true, force: true });
    const runId = newRunId();
    mkdirSync(targets[0].stateDir, { recursive: true, mode: 0o700 });
    ledger = ledgerPath(targets[0], runId);
    writeFileSync(ledger, '', { mode: 0o600 });
    // Every target at once, each with its own lock and snapshot: a run of ten waits for the slowest, not the sum.
    const snapshots = await Promise.allSettled(targets.map((target) => takeSnapshot(target, runId)));
    snapshots.forEach((s, i) => {
      if (s.status === 'fulfilled') taken.push({ ...targets[i], runId });
    });
    const refused = snapshots.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (refused) throw refused.reason;
    handToWorkers({ [RUN_ID_VARIABLE]: runId });
  } catch (e) {
    for (const target of taken) releaseUnwritten(target);
    if (ledger) rmSync(ledger, { force: true });
    await embedded?.close();
    if (e instanceof SettingsError || e instanceof PreflightError) {
      const error = new Error(`${e instanceof WrongSettingError ? WRONG_SETTING : STOPPED}${e.message}`);
      error.stack = error.message; // one clear message, not a stack trace
      throw error;
    }
    throw e;
  }
  // Playwright calls this after the run, and after an interrupted one (Ctrl-C) too.
  return async () => {
    const outcomes = await Promise.all(taken.map((target) => restoreSnapshot(target)));
    for (const [i, target] of taken.entries()) {
      const outcome = outcomes[i];
      if (outcome && !outcome.verified) {
        process.stderr.write(
          `conformance: the restore of target '${target.name}' (${target.targetUrl}) could not be verified (${outcome.problem}).\n` +
            `Left: ${outcome.left}, at ${outcome.path}. When the target can take them back, run ${restoreCommand(target)}; if that bot's data does not matter, ${restoreCommand(target, true)} gives it up.\n`,
        );
      }
    }
    await embedded?.close();
  };
}

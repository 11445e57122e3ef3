// Before any test: the settings are read, the target is reached with the run's credentials, and the
// bots' lists are snapshotted. Any problem stops the run here with one message.
import type { FullConfig } from '@playwright/test';
import { readSettings, RUN_ID_VARIABLE, SettingsError } from './settings.ts';
import { PreflightError, restoreSnapshot, takeSnapshot } from './snapshot.ts';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  let settings;
  try {
    const read = readSettings();
    const runId = await takeSnapshot(read);
    // Workers start after this and inherit the environment: the run id names the run's secret ledger.
    process.env[RUN_ID_VARIABLE] = runId;
    settings = { ...read, runId };
  } catch (e) {
    if (e instanceof SettingsError || e instanceof PreflightError) {
      const error = new Error(`conformance run stopped: ${e.message}`);
      error.stack = error.message; // one clear message, not a stack trace
      throw error;
    }
    throw e;
  }
  const ready = settings;
  // Playwright calls this after the run, and after an interrupted one (Ctrl-C) too.
  return async () => {
    const outcome = await restoreSnapshot(ready);
    if (outcome && !outcome.verified) {
      process.stderr.write(`conformance: the restore of the bots' providers could not be verified (${outcome.problem}).\n` +
        `The snapshot is kept at ${outcome.path}; run \`npm run restore\` with the same environment to try again.\n`);
    }
  };
}

// npm run detection: the detection meta-test over many seeds, and at a distance, as one command:
// `npm run detection -- --seeds 10 --latency 50 --only id,id`. It runs the batches of
// selftest/detection.spec.ts with the settings below, then scores them as the self-tests' score
// project does; the details go to reports/detection.json (each fault's catches under `perFault`).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve('@playwright/test/cli');

const usage =
  'usage: npm run detection -- [--seeds N] [--latency MS] [--only id,id] (N seeds: 101, 202, …; MS: added to every answer)';
let values: { seeds?: string; latency?: string; only?: string };
try {
  ({ values } = parseArgs({
    options: { seeds: { type: 'string' }, latency: { type: 'string' }, only: { type: 'string' } },
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
const seeds = Number(values.seeds ?? 3);
const latency = Number(values.latency ?? 0);
if (!Number.isInteger(seeds) || seeds < 1 || seeds > 50) {
  console.error(`--seeds takes a whole number from 1 to 50; got '${values.seeds}'\n${usage}`);
  process.exit(2);
}
if (!Number.isInteger(latency) || latency < 0 || latency > 1000) {
  console.error(`--latency takes milliseconds from 0 to 1000; got '${values.latency}'\n${usage}`);
  process.exit(2);
}
// The settings reach the detection plan, in this process and in the self-tests', through the environment.
Object.assign(process.env, {
  DETECTION_SEEDS: Array.from({ length: seeds }, (_, i) => String(101 * (i + 1))).join(','),
  ...(latency ? { DETECTION_LATENCY_MS: String(latency) } : {}),
  ...(values.only ? { DETECTION_ONLY: values.only } : {}),
  DETECTION_RUN: `detection-${process.pid}-${Date.now()}`,
});
const run = spawnSync(
  process.execPath,
  [PLAYWRIGHT_CLI, 'test', '-c', 'selftest', 'detection.spec', '--reporter', 'line'],
  { cwd: ROOT, stdio: 'inherit' },
);
// Loaded after the environment is set: the plan reads it when its module loads.
const { plan, results, score } = await import('./support/detection.ts');
const batches = plan();
const { found, missing } = results(batches);
console.log(score(batches, found));
if (missing.length) console.log(`batches that wrote no result: ${missing.join(', ')}`);
process.exit(run.status ?? 1);

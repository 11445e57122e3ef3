// `npx playwright test` (or `npm run conformance`) runs the conformance suite. With no TARGET_URL,
// the global setup starts the reference server (two bots) and a second one as the "other region"
// (no bots), in the runner's process (run/embedded.ts).
import { defineConfig } from '@playwright/test';
import { decidingAnyOf } from './rules/catalogue.ts';
import { handToWorkers, readEnvironment } from './settings/environment.ts';
import { blobName, prepareRun, type RunPlan } from './settings/run-plan.ts';
import { SettingsError } from './settings/variables.ts';
import { configExtension, reporters } from './report/reporters.ts';
import { compileCache } from './run/compile-cache.ts';
import { roundTripMs, workersForDistance } from './run/round-trip.ts';
import { readTargets } from './settings/targets.ts';
import { DISTANCE_VARIABLE, EMBEDDED_VARIABLE } from './settings/variables.ts';

const ext = configExtension(import.meta.url);
const environment = readEnvironment();
let plan: RunPlan;
try {
  const prepared = prepareRun(environment);
  handToWorkers(prepared.handoff);
  plan = prepared.plan;
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  const error = new Error(`conformance run stopped: ${e.message}`);
  error.stack = error.message; // one clear message, not a stack trace
  throw error;
}

// Workers start from the compiled code the earlier ones left (run/compile-cache.ts).
if (!process.env.TEST_WORKER_INDEX) handToWorkers(compileCache(process.env));

// Workers follow the farthest target's round trip, measured once by the runner (the workers' count is its alone).
if (!process.env.TEST_WORKER_INDEX && !plan.workersGiven && process.env[EMBEDDED_VARIABLE] !== '1') {
  const distances = await Promise.all(readTargets(readEnvironment()).map(roundTripMs));
  const farthest = Math.max(0, ...distances.map((d) => d ?? 0));
  plan.workers = workersForDistance(farthest, plan.workers);
  // The workers, started after this, read it when they register the checks (fixtures/turns.ts).
  handToWorkers({ [DISTANCE_VARIABLE]: String(Math.round(farthest)) });
}

const { reportDir: reports, targets, shard } = plan;
// CONFORMANCE_RULES: a check that decides none of them is not collected at all (its rules' tags say).
const selected = plan.rules && decidingAnyOf(plan.rules);

export default defineConfig({
  testDir: 'tests',
  outputDir: `${reports}/test-results`,
  // A conforming server passes the first time; a retry would hide a flaky one.
  retries: 0,
  timeout: 60_000,
  // settings/run-plan.ts chooses: two for one target, one a core for several; CONFORMANCE_WORKERS.
  workers: plan.workers,
  forbidOnly: true,
  globalSetup: `./run/global-setup.${ext}`,
  reporter: reporters(reports, ext, shard && blobName(targets, shard)),
  // CONFORMANCE_SHARD (--shard): this run's share of the checks; its verdict covers the rules they decide.
  shard: shard ?? null,
  // A matrix of targets merged into one report: each run's tests carry its name as a tag.
  tag: plan.tag,
  // No trace, screenshot or video: traces hold the Authorization header and bodies in clear.
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  // Every check of every target in one project: any worker serves any target's checks (a worker costs
  // a process start and about a second of module loading, not to be paid again for each target or
  // kind of check), and a check of the whole list waits until it has its target's list to itself
  // (fixtures/turns.ts).
  projects: [{ name: 'conformance', metadata: { targets }, grep: selected, fullyParallel: true }],
});

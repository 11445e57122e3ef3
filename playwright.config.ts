// `npx playwright test` (or `npm run conformance`) runs the conformance suite. With no TARGET_URL,
// it starts the reference server (two bots) and a second instance as the "other region" (no bots).
import { availableParallelism } from 'node:os';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { decidingAnyOf } from './rules/catalogue.ts';
import { handToWorkers, readEnvironment } from './settings/environment.ts';
import { prepareRun, type RunPlan } from './settings/run-plan.ts';
import { SettingsError } from './settings/variables.ts';
import { configExtension, reporters } from './suite/reporters.ts';

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

let webServer: PlaywrightTestConfig['webServer'];
if (plan.embedded) {
  // The reference prints `listening on <url>`; Playwright stores the named group in the environment.
  const reference = (name: string, bots: string, group: string) => ({
    name,
    command:
      ext === 'js' ? 'node reference/cli.js --port 0 --quiet' : 'node --import tsx reference/cli.ts --port 0 --quiet',
    env: {
      ...(environment as Record<string, string>),
      REFERENCE_BOTS: bots,
      REFERENCE_PROFILE: plan.embedded!.profile,
    },
    wait: { stdout: new RegExp(`listening on (?<${group}>http://\\S+)`) },
    stdout: 'ignore' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 2000 },
    timeout: 20_000,
  });
  webServer = [
    reference('reference', plan.embedded.bots, 'target_url'),
    reference('other-region', '', 'other_region_url'),
  ];
}

const { reportDir: reports, targets } = plan;
// CONFORMANCE_RULES: a check that decides none of them is not collected at all (its rules' tags say).
const selected = plan.rules && decidingAnyOf(plan.rules);
const wholeList = selected ? new RegExp(`^(?=.*@whole-list)(?=.*(?:${selected.source}))`) : /@whole-list/;

export default defineConfig({
  testDir: 'tests',
  outputDir: `${reports}/test-results`,
  // A conforming server passes the first time; a retry would hide a flaky one.
  retries: 0,
  timeout: 60_000,
  // One worker a core: on loopback the run is CPU-bound (measured: 2 workers 4.7 s, 4 workers 6.0 s
  // on 2 cores). Against a distant target more workers hide latency: CONFORMANCE_WORKERS.
  workers: plan.workers ?? Math.max(2, availableParallelism()),
  forbidOnly: true,
  globalSetup: `./suite/global-setup.${ext}`,
  webServer,
  reporter: reporters(reports, ext),
  // A matrix of targets merged into one report: each run's tests carry its name as a tag.
  tag: plan.tag,
  // No trace, screenshot or video: traces hold the Authorization header and bodies in clear.
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  // Every target's checks on names of their own in parallel, then the checks tagged @whole-list: one at
  // a time for one target; for several, side by side, each target's one at a time (fixtures/turns.ts).
  // Every worker serves any target's checks (fixtures/conformance.ts): a worker costs a process start
  // and about a second of module loading, not to be paid again for each target.
  projects: [
    {
      name: 'per-name',
      metadata: { targets },
      grep: selected,
      grepInvert: /@whole-list/,
      fullyParallel: true,
      teardown: 'whole-list',
    },
    {
      name: 'whole-list',
      metadata: { targets },
      grep: wholeList,
      fullyParallel: targets.length > 1,
      ...(targets.length > 1 ? {} : { workers: 1 }),
    },
  ],
});

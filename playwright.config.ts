// `npx playwright test` (or `npm run conformance`) runs the conformance suite. With no TARGET_URL,
// it starts the reference server (two bots) and a second instance as the "other region" (no bots).
import { randomBytes, randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { loadDotEnv, readConfigFile, readFlags, RUN_ID_VARIABLE, targetNames } from './suite/settings.ts';
import { configExtension, reportDir, reporters } from './suite/reporters.ts';

loadDotEnv();
const ext = configExtension(import.meta.url);
const env = process.env;
// Chosen once, in the runner; workers inherit them through the environment.
env.CONFORMANCE_SEED ||= String(readConfigFile(env)?.config.seed ?? randomInt(1, 2 ** 31));
// The run id is the global setup's to give (workers load this file too, and keep theirs).
if (!env.TEST_WORKER_INDEX) delete env[RUN_ID_VARIABLE];

// The embedded reference is for a run with no target settings at all: a target setting without
// TARGET_URL (an empty CI variable, say) must never pass a gate against the wrong server.
const stray = ['BOT_ID', 'API_TOKEN', 'SECOND_BOT_ID', 'SECOND_API_TOKEN', 'OTHER_REGION_URL'].filter((v) => env[v]?.trim());
if (!env.TEST_WORKER_INDEX && env.CONFORMANCE_EMBEDDED !== '1' && !env.TARGET_URL?.trim() && !readConfigFile(env)?.config.targets && stray.length) {
  const error = new Error(`conformance run stopped: ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but TARGET_URL is not. ` +
    'Set TARGET_URL to the server to judge; unset every target setting to run against the embedded reference server.');
  error.stack = error.message;
  throw error;
}

let webServer: PlaywrightTestConfig['webServer'];
if (!env.TARGET_URL?.trim() && !readConfigFile(env)?.config.targets) {
  env.CONFORMANCE_EMBEDDED = '1';
  env.BOT_ID = 'bot-a';
  env.API_TOKEN = `ta-${randomBytes(12).toString('hex')}`;
  env.SECOND_BOT_ID = 'bot-b';
  env.SECOND_API_TOKEN = `tb-${randomBytes(12).toString('hex')}`;
  // The reference prints `listening on <url>`; Playwright stores the named group in the environment.
  const reference = (name: string, bots: string, group: string) => ({
    name,
    command: ext === 'js' ? 'node reference/cli.js --port 0 --quiet' : 'node --import tsx reference/cli.ts --port 0 --quiet',
    env: { ...env as Record<string, string>, REFERENCE_BOTS: bots, REFERENCE_PROFILE: readFlags(env).profile },
    wait: { stdout: new RegExp(`listening on (?<${group}>http://\\S+)`) },
    stdout: 'ignore' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 2000 },
    timeout: 20_000,
  });
  webServer = [
    reference('reference', `${env.BOT_ID}:${env.API_TOKEN},${env.SECOND_BOT_ID}:${env.SECOND_API_TOKEN}`, 'target_url'),
    reference('other-region', '', 'other_region_url'),
  ];
}

const reports = reportDir(env);
const targets = targetNames(env);

export default defineConfig({
  testDir: 'tests',
  outputDir: `${reports}/test-results`,
  // A conforming server passes the first time; a retry would hide a flaky one.
  retries: 0,
  timeout: 60_000,
  // One worker a core: on loopback the run is CPU-bound (measured: 2 workers 4.7 s, 4 workers 6.0 s
  // on 2 cores). Against a distant target more workers hide latency: CONFORMANCE_WORKERS.
  workers: Number(env.CONFORMANCE_WORKERS) || Math.max(2, availableParallelism()),
  forbidOnly: true,
  globalSetup: `./suite/global-setup.${ext}`,
  webServer,
  reporter: reporters(reports, ext),
  // A matrix of targets merged into one report: each run's tests carry its name as a tag.
  tag: env.CONFORMANCE_TARGET_NAME?.trim() ? `@${env.CONFORMANCE_TARGET_NAME.trim()}` : undefined,
  // No trace, screenshot or video: traces hold the Authorization header and bodies in clear.
  use: { trace: 'off', screenshot: 'off', video: 'off' },
  projects: targets.flatMap((target) => {
    // One target keeps the plain names; several are told apart by theirs (each a column of the report).
    const named = (phase: string) => (targets.length > 1 ? `${target} ${phase}` : phase);
    return [
      // Checks on names of their own, in parallel; then the checks tagged @whole-list, one at a time.
      // Several targets run side by side, a worker each: every worker a project takes costs a process start.
      { name: named('per-name'), metadata: { target }, grepInvert: /@whole-list/, fullyParallel: true, teardown: named('whole-list'), ...(targets.length > 1 ? { workers: 1 } : {}) },
      { name: named('whole-list'), metadata: { target }, grep: /@whole-list/, fullyParallel: false, workers: 1 },
    ];
  }),
});

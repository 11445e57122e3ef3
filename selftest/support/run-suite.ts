// Runs the conformance suite exactly as a user does, as a child process with its own report and state
// folders, and reads what it wrote: by default the build the npm package ships (its command runs it), or
// with `sources` the repository's TypeScript through Playwright's loader (`npx playwright test` in a
// clone). The two run the same code; the build starts each process about 2 s of CPU sooner, which the
// self-tests' hundred runs add up to on two cores.
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ConformanceReport } from '../../report/report-model.ts';
import { COMPILED_RUN_ENV } from '../../settings/variables.ts';
import { scratchDir, scratchRoot } from './scratch.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const PLAYWRIGHT_CLI = join(ROOT, 'node_modules/@playwright/test/cli.js');

export interface SuiteRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  reportDir: string;
  stateDir: string;
  report?: ConformanceReport;
  /** Each line of stdout with when it arrived (ms after the spawn): what a CI log shows, and when. */
  timeline: { ms: number; line: string }[];
}

/**
 * The machine's network settings. They would reroute the self-tests' loopback runs (and the suite reads
 * NODE_EXTRA_CA_CERTS as a setting of its own), but an install from the npm registry needs them: the
 * registry's Node builds trust no system store, so behind a proxy with its own CA they found no
 * registry without NODE_EXTRA_CA_CERTS (npm retried for minutes).
 */
const NETWORK = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
];

/** The variables a run reads; none leaks in from the environment the self-tests run in. */
const OWN_PREFIXES = [
  'TARGET_URL',
  'BOT_ID',
  'API_TOKEN',
  'SECOND_',
  'OTHER_REGION_URL',
  'CONFORMANCE_',
  'TEST_',
  'PW_',
  'PLAYWRIGHT_',
  'REFERENCE_',
  'GITHUB_STEP_SUMMARY',
  ...NETWORK,
];

export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OWN_PREFIXES.some((p) => k.startsWith(p))) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** `cleanEnv` with the machine's network settings, for a process that installs from the npm registry. */
export function registryEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const network = Object.fromEntries(NETWORK.map((k) => [k, process.env[k]]));
  return cleanEnv({ ...network, ...extra });
}

/** Where the self-tests' build of the suite is (selftest/support/compiled-suite.ts makes it). */
export const compiledSuiteDir = () => join(scratchRoot(), 'compiled-suite');

export interface RunOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  /** Sends this signal `afterMs` after the run has begun testing; to the whole process group with `detached`. */
  interrupt?: { signal: NodeJS.Signals; afterMs: number };
  stateDir?: string;
  /** Node arguments to run instead of `playwright test` (the restore command, say). */
  command?: string[];
  /** Called with the runner's pid once it is spawned (the benchmark samples its memory). */
  onSpawn?: (pid: number) => void;
  /** Its own process group, so that a test can kill the runner and its workers at once. */
  detached?: boolean;
  /** Where the suite's sources are: this repository, or a changed copy of it (run from its sources). */
  root?: string;
  /** The repository's sources through Playwright's TypeScript loader, not the package's build. */
  sources?: boolean;
  /** Called once the run has begun testing (its first line is out). */
  onTesting?: () => void;
}

const validateReport = new Ajv2020({ allErrors: true, validateFormats: false }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schemas/conformance-report.schema.json'), 'utf8')),
);

/**
 * A quick run, for self-tests about something other than the checks (networks, the Action, strict
 * mode): the hand-written checks of three rules that every operation's answer decides.
 */
export const QUICK = { rules: 'POST-VALID-200,GET-200-SHAPE,DELETE-200', budget: '0' };
/** Its variables, with one worker: a second one costs a quick run 1.2 s of CPU for its few checks. */
export const QUICK_ENV = { CONFORMANCE_RULES: QUICK.rules, CONFORMANCE_BUDGET: QUICK.budget, CONFORMANCE_WORKERS: '1' };

/** A state folder of its own, for runs that must share one. */
export function newStateDir(): string {
  return scratchDir('state');
}

export function runSuite(options: RunOptions = {}): Promise<SuiteRun> {
  const reportDir = scratchDir('reports');
  const stateDir = options.stateDir ?? newStateDir();
  const built = !options.sources && !options.root && !options.command;
  const env = cleanEnv({
    CONFORMANCE_REPORT_DIR: reportDir,
    CONFORMANCE_STATE_DIR: stateDir,
    ...(built ? COMPILED_RUN_ENV : {}),
    ...options.env,
  });
  const config = built ? ['-c', join(compiledSuiteDir(), 'playwright.config.js')] : [];
  if (built && !existsSync(config[1]))
    throw new Error(`no build of the suite at ${config[1]}: buildCompiledSuite() makes it, or run with sources`);
  const command = options.command ?? [PLAYWRIGHT_CLI, 'test', ...config, ...(options.args ?? [])];
  const child = spawn(process.execPath, command, {
    cwd: options.root ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  });
  let stdout = '';
  let stderr = '';
  const timeline: SuiteRun['timeline'] = [];
  const spawned = performance.now();
  let partial = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const line of lines) timeline.push({ ms: performance.now() - spawned, line });
  });
  child.stderr.on('data', (d) => (stderr += d));
  options.onSpawn?.(child.pid!);
  const { interrupt } = options;
  if (interrupt || options.onTesting) {
    const poll = setInterval(() => {
      if (!stdout.includes('conformance: target')) return;
      clearInterval(poll);
      options.onTesting?.();
      if (interrupt)
        setTimeout(
          () => (options.detached ? process.kill(-child.pid!, interrupt.signal) : child.kill(interrupt.signal)),
          interrupt.afterMs,
        );
    }, 50);
    child.on('close', () => clearInterval(poll));
  }
  return new Promise((resolvePromise, rejectPromise) => {
    child.on('close', (code, signal) => {
      const file = join(reportDir, 'conformance.json');
      const report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport) : undefined;
      // Every report a self-test reads is held to the schema published for it.
      if (report && !validateReport(report)) {
        rejectPromise(
          new Error(
            `${file} does not fit schemas/conformance-report.schema.json: ${JSON.stringify(validateReport.errors?.slice(0, 3))}`,
          ),
        );
        return;
      }
      resolvePromise({ code, signal, stdout, stderr, reportDir, stateDir, report, timeline });
    });
  });
}

export function ruleStatus(run: SuiteRun, id: string): string | undefined {
  return run.report?.rules.find((r) => r.id === id)?.status;
}

/** The rules that did not pass, as `ID=status`, for readable assertion messages. */
export function notPassed(run: SuiteRun): string[] {
  return (run.report?.rules ?? [])
    .filter((r) => r.status !== 'passed')
    .map((r) => `${r.id}=${r.status}: ${r.reason ?? ''}`);
}

/** The package's command in a clone (its sources through tsx), as a user types it: its exit code and all it printed. */
export function runCommand(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/conformance.js', ...args], { cwd: ROOT, env: cleanEnv(env) });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

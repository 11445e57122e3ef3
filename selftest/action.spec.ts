// The GitHub Action (action.yml) run as the runner runs it: its shell steps, in order, with its
// inputs put where `${{ inputs.* }}` stands, GITHUB_ACTION_PATH at the repository and the working
// directory elsewhere (the user's workspace), the package it installs packed from this repository;
// its outputs read from GITHUB_OUTPUT.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { faultOf } from '../faulty/catalogue.ts';
import { FLAGS } from '../cli/conformance.ts';
import { cleanEnv, QUICK, ROOT, registryEnv } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';
import { packageTarball } from './support/package-tarball.ts';
import { scratchDir } from './support/scratch.ts';

interface Step {
  uses?: string;
  run?: string;
  shell?: string;
  id?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

let tarball: string;
/** The runner's tool cache, kept between the runs of this file: the second install is the cache's. */
let toolCache: string;

test.beforeAll(() => {
  test.setTimeout(300_000);
  tarball = packageTarball();
  toolCache = scratchDir('tool-cache');
});

/**
 * Runs the action's shell steps with these inputs, as the runner does: `${{ inputs.* }}` and
 * `${{ steps.ID.outputs.* }}` put in place, each step's GITHUB_OUTPUT read after it; the `uses` steps
 * (the cache, the upload) are GitHub's own and not run here. What they printed, how the last one
 * ended, the action's outputs and the job summary.
 */
async function runAction(
  inputs: Record<string, string>,
): Promise<{ code: number | null; output: string; outputs: Record<string, string>; summary: string }> {
  const workspace = scratchDir('workspace');
  const summaryFile = join(workspace, '.github-step-summary');
  writeFileSync(summaryFile, '');
  const stepOutputs: Record<string, Record<string, string>> = {};
  const value = (text: string) =>
    text
      .replace(
        /\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g,
        (_all, name: string) => inputs[name] ?? action.inputs[name]?.default ?? '',
      )
      .replace(
        /\$\{\{\s*steps\.([a-z-]+)\.outputs\.([a-z-]+)\s*\}\}/g,
        (_all, id: string, name: string) => stepOutputs[id]?.[name] ?? '',
      );
  let output = '';
  let code: number | null = 0;
  for (const step of action.runs.steps.filter((s) => s.run)) {
    expect(step.shell).toBe('bash');
    const outputFile = join(workspace, `.github-output-${step.id ?? 'step'}`);
    writeFileSync(outputFile, '');
    // The install step reaches the npm registry, with the machine's network settings; the others run on loopback.
    const env = (step.run!.includes('npm install') ? registryEnv : cleanEnv)({
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TOOL_CACHE: toolCache,
      RUNNER_OS: 'Linux',
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, value(v)])),
    });
    const child = spawn('bash', ['-e', '-c', step.run!], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    code = await new Promise((resolve) => child.on('close', resolve));
    if (step.id)
      stepOutputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, o]) => [name, value(o.value)]));
  return { code, output, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

const targetInputs = (target: Target) => ({
  'target-url': target.env.TARGET_URL!,
  'bot-id': target.bots.botA,
  token: target.bots.tokenA,
  'second-bot-id': target.bots.botB,
  'second-token': target.bots.tokenB,
  'other-region-url': target.env.OTHER_REGION_URL!,
  ...QUICK,
});

test("action.yml is a composite action whose inputs are the command line's flags, whose outputs come from its run step, and whose actions are pinned by commit", () => {
  expect(action.runs.using).toBe('composite');
  const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!);
  expect(uses.map((u) => u.split('@')[0])).toEqual(['actions/cache', 'actions/upload-artifact']);
  for (const u of uses) expect(u, u).toMatch(/@[0-9a-f]{40}$/);
  // It never switches the caller's Node: no setup-node among its steps.
  expect(uses.some((u) => u.includes('setup-node'))).toBe(false);
  const run = action.runs.steps.find((s) => s.id === 'run')!;
  // Every input reaches a step; every flag it passes is one the command line knows.
  const given = action.runs.steps.map((s) => JSON.stringify(s)).join(' ');
  for (const name of Object.keys(action.inputs)) expect(given, name).toMatch(new RegExp(`inputs\\.${name}(?![\\w-])`));
  const flags = new Set(FLAGS.map((f) => f.name));
  for (const [, flag] of run.run!.matchAll(/add ([a-z-]+) "/g)) expect(flags.has(flag), flag).toBe(true);
  for (const [name, output] of Object.entries(action.outputs))
    expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
});

test('the action runs the packed package with its runtime dependencies only, cached: passes a conforming target, fails a faulty one, with outputs, a job summary and no token in its log', async () => {
  test.setTimeout(300_000);
  const good = await startTarget();
  const broken = await startTarget(faultOf('POST-VALID-200').App);
  try {
    const passed = await runAction({ ...targetInputs(good), package: tarball });
    expect(passed.code, passed.output.slice(-1500)).toBe(0);
    expect(passed.outputs).toMatchObject({ outcome: 'passed', 'exit-code': '0' });
    expect(Number(passed.outputs.seed)).toBeGreaterThan(0);
    for (const file of ['json', 'matrix', 'html-report', 'junit'])
      expect(existsSync(passed.outputs[file]), file).toBe(true);
    expect(passed.outputs['report-dir']).toMatch(/\/workspace-[^/]+\/conformance-reports$/);
    expect(passed.output).not.toContain(good.bots.tokenA);
    expect(passed.summary).toContain(': PASSED');
    // Installed from the tarball with no devDependency: no TypeScript, no tsx, no Prism.
    const [installed] = readdirSync(join(toolCache, 'whatsapp-media-provider-conformance'));
    const modules = join(toolCache, 'whatsapp-media-provider-conformance', installed, 'node_modules');
    for (const dev of ['typescript', 'tsx', '@stoplight/prism-cli', '@sparticuz/chromium'])
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    expect(existsSync(join(modules, '@playwright/test'))).toBe(true);

    const failed = await runAction({ ...targetInputs(broken), package: tarball });
    expect(failed.output).not.toContain('added '); // the second run installs nothing: the cache holds the package
    expect(failed.code).toBe(1);
    expect(failed.outputs).toMatchObject({ outcome: 'failed', 'exit-code': '1' });
    expect(readFileSync(failed.outputs.junit, 'utf8')).toContain('<failure message="POST-VALID-200 (MUST) failed');
    expect(failed.summary).toMatch(/^\| failed \| MUST \| `POST-VALID-200` \|/m);
    expect(failed.output).not.toContain(broken.bots.tokenA);

    // A bad input is the command line's bad flag: named, exit 2, no verdict.
    const bad = await runAction({ ...targetInputs(good), package: tarball, budget: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--budget');
    expect(bad.outputs).toMatchObject({ outcome: 'none', 'exit-code': '2' });

    // playwright-args: one argument a line, spaces kept (split on spaces, MUST would be a file filter that finds no test).
    const listed = await runAction({
      ...targetInputs(good),
      package: tarball,
      'playwright-args': '--grep\nPOST-VALID-200 MUST\n--list',
    });
    expect(listed.code, listed.output.slice(-1500)).toBe(0);
    expect(listed.output).toMatch(/; [1-9]\d* checks? of \d+ rules/);
    expect(listed.output).not.toContain('No tests found');
  } finally {
    await Promise.all([good.close(), broken.close()]);
  }
});

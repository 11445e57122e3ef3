// The GitHub Action (action.yml) run as the runner runs it: its shell steps, in order, with its
// inputs put where `${{ inputs.* }}` stands, GITHUB_ACTION_PATH at the repository and the working
// directory elsewhere (the user's workspace); its outputs read from GITHUB_OUTPUT.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { FAULTS } from '../faulty/catalogue.ts';
import { FLAGS } from '../cli/conformance.ts';
import { cleanEnv, QUICK, ROOT } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';

interface Step { uses?: string; run?: string; shell?: string; id?: string; env?: Record<string, string> }
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

/** Runs the action's shell steps with these inputs; what they printed, how the last one ended, and the outputs. */
async function runAction(inputs: Record<string, string>): Promise<{ code: number | null; output: string; outputs: Record<string, string> }> {
  const workspace = mkdtempSync(join(tmpdir(), 'conformance-workspace-'));
  const outputFile = join(workspace, '.github-output');
  writeFileSync(outputFile, '');
  const value = (text: string) => text.replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_all, name: string) => inputs[name] ?? action.inputs[name]?.default ?? '');
  let output = '';
  let code: number | null = 0;
  for (const step of action.runs.steps.filter((s) => s.run)) {
    expect(step.shell).toBe('bash');
    const env = cleanEnv({ GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: outputFile, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, value(v)])) });
    const child = spawn('bash', ['-e', '-c', step.run!], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    code = await new Promise((resolve) => child.on('close', resolve));
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(readFileSync(outputFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  return { code, output, outputs };
}

const targetInputs = (target: Target) => ({
  'target-url': target.env.TARGET_URL!, 'bot-id': target.bots.botA, token: target.bots.tokenA,
  'second-bot-id': target.bots.botB, 'second-token': target.bots.tokenB, 'other-region-url': target.env.OTHER_REGION_URL!,
  ...QUICK,
});

test('action.yml is a composite action whose inputs are the command line\'s flags, and whose outputs come from its run step', () => {
  expect(action.runs.using).toBe('composite');
  expect(action.runs.steps.filter((s) => s.uses).map((s) => s.uses)).toEqual(['actions/setup-node@v4']);
  const run = action.runs.steps.find((s) => s.id === 'run')!;
  // Every input reaches the run step; every flag it passes is one the command line knows.
  for (const name of Object.keys(action.inputs)) expect(Object.values(run.env ?? {}).join(' '), name).toContain(`inputs.${name} }}`);
  const flags = new Set(FLAGS.map((f) => f.name));
  for (const [, flag] of run.run!.matchAll(/add ([a-z-]+) "/g)) expect(flags.has(flag), flag).toBe(true);
  for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
});

test('the action passes a conforming target and fails a faulty one, with the outcome and the reports as outputs, and no token in its log', async () => {
  const good = await startTarget();
  const broken = await startTarget(FAULTS.find((f) => f.id === 'post-201')!.App);
  try {
    const passed = await runAction(targetInputs(good));
    expect(passed.code, passed.output.slice(-1500)).toBe(0);
    expect(passed.outputs.outcome).toBe('passed');
    for (const file of ['json', 'matrix', 'html-report', 'junit']) expect(existsSync(passed.outputs[file]), file).toBe(true);
    expect(passed.outputs['report-dir']).toMatch(/conformance-workspace-.*\/conformance-reports$/);
    expect(passed.output).not.toContain(good.bots.tokenA);

    const failed = await runAction(targetInputs(broken));
    expect(failed.code).toBe(1);
    expect(failed.outputs.outcome).toBe('failed');
    expect(readFileSync(failed.outputs.junit, 'utf8')).toContain('<failure message="POST-VALID-200 (MUST) failed');
    expect(failed.output).not.toContain(broken.bots.tokenA);

    // A bad input is the command line's bad flag: named, exit 2, no verdict.
    const bad = await runAction({ ...targetInputs(good), budget: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--budget');
    expect(bad.outputs.outcome).toBe('none');
  } finally {
    await Promise.all([good.close(), broken.close()]);
  }
});

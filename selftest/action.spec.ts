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
import { FLAGS } from '../settings/flags.ts';
import { cleanEnv, QUICK, ROOT, registryEnv } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';
import { packageTarball } from './support/package-tarball.ts';
import { cleanCheckout } from './support/repository.ts';
import { RULES } from '../rules/catalogue.ts';
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
  { actionPath = ROOT, env: extra = {} }: { actionPath?: string; env?: Record<string, string> } = {},
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
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_ACTION_REF: 'v0.0.0-selftest',
      ...extra,
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
    // Headers, one a line, a value from the step's environment kept secret.
    const gatewayKey = `gw-${good.bots.tokenA}`;
    const passed = await runAction(
      { ...targetInputs(good), package: tarball, headers: 'X-Tenant: selftest\nX-Api-Key: env:GATEWAY_KEY' },
      { env: { GATEWAY_KEY: gatewayKey } },
    );
    expect(passed.code, passed.output.slice(-1500)).toBe(0);
    expect(passed.output).not.toContain(gatewayKey);
    expect(readFileSync(passed.outputs.json, 'utf8')).not.toContain(gatewayKey);
    expect(passed.outputs).toMatchObject({ outcome: 'passed', 'exit-code': '0' });
    expect(Number(passed.outputs.seed)).toBeGreaterThan(0);
    for (const file of ['json', 'matrix', 'html-report', 'junit'])
      expect(existsSync(passed.outputs[file]), file).toBe(true);
    expect(passed.outputs['report-dir']).toMatch(/\/workspace-[^/]+\/conformance-reports$/);
    expect(passed.output).not.toContain(good.bots.tokenA);
    expect(passed.summary).toContain(': PASSED');
    // Installed from the tarball with no devDependency: no TypeScript, no tsx, no Prism.
    const installed = readdirSync(join(toolCache, 'whatsapp-media-provider-conformance')).find((d) =>
      d.startsWith('wmpc-package-'),
    )!;
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

/** npm offline: what it installs comes from its cache, so nothing (least of all this package) from a registry. */
const NO_REGISTRY = { npm_config_offline: 'true' };

/** The README's example of the action for a user with one bot, its inputs as written. */
function readmeExample(): Record<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.includes('uses: your-org/whatsapp-media-provider-conformance@'));
  const [step] = parse(block!) as { with: Record<string, unknown> }[];
  return Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, String(v)]));
}

test("from a clean checkout, with no package on any registry, the action builds its own checkout (runtime dependencies only, cached by lockfile and ref), and the README's one-bot example passes as written", async () => {
  test.setTimeout(300_000);
  const checkout = cleanCheckout();
  const good = await startTarget();
  const broken = await startTarget(faultOf('POST-VALID-200').App);
  try {
    const example = readmeExample();
    expect(example['single-bot']).toBe('true');
    expect(example['second-bot-id'] ?? example['other-region-url']).toBeUndefined();
    const oneBot = { 'target-url': good.main.url, 'bot-id': good.bots.botA, token: good.bots.tokenA };
    const passed = await runAction({ ...example, ...oneBot }, { actionPath: checkout, env: NO_REGISTRY });
    expect(passed.code, passed.output.slice(-2500)).toBe(0);
    expect(passed.outputs).toMatchObject({ outcome: 'passed', 'exit-code': '0' });
    // Exactly the rules that need a second bot or another region are left out, and named.
    const report = JSON.parse(readFileSync(passed.outputs.json, 'utf8')) as {
      rules: { id: string; excluded?: true; reason?: string }[];
    };
    const needing = RULES.filter((r) => r.needs).map((r) => r.id);
    expect(
      report.rules
        .filter((r) => r.excluded)
        .map((r) => r.id)
        .sort(),
    ).toEqual([...needing].sort());
    for (const id of needing)
      expect(passed.output).toMatch(new RegExp(`left out: [A-Z, -]*\\b${id}\\b[A-Z, -]* \\(it needs`));
    expect(passed.output).not.toContain(good.bots.tokenA);
    // Built in a copy: the action's checkout stays as GitHub put it; the copy keeps no dev dependency.
    expect(existsSync(join(checkout, 'node_modules')) || existsSync(join(checkout, 'dist'))).toBe(false);
    const cache = join(toolCache, 'whatsapp-media-provider-conformance');
    const built = join(cache, readdirSync(cache).find((d) => d.startsWith('wmpc-checkout-v0.0.0-selftest-'))!);
    expect(existsSync(join(built, 'dist/cli/run.js'))).toBe(true);
    expect(existsSync(join(built, 'node_modules/@playwright/test'))).toBe(true);
    for (const dev of ['typescript', 'tsx', '@stoplight/prism-cli', '@sparticuz/chromium'])
      expect(existsSync(join(built, 'node_modules', dev)), dev).toBe(false);

    // The second run is the cache's: nothing is installed or built again.
    const failed = await runAction(
      {
        'target-url': broken.main.url,
        'bot-id': broken.bots.botA,
        token: broken.bots.tokenA,
        'single-bot': 'true',
        ...QUICK,
      },
      { actionPath: checkout, env: NO_REGISTRY },
    );
    expect(failed.output).not.toContain('added ');
    expect(failed.code, failed.output.slice(-1500)).toBe(1);
    expect(failed.outputs).toMatchObject({ outcome: 'failed', 'exit-code': '1' });
  } finally {
    await Promise.all([good.close(), broken.close()]);
  }
});

test("the example's matrix: two shards, each the action's `shard`, then the action's `merge` of their blobs, with the unsharded verdict", async () => {
  test.setTimeout(300_000);
  const broken = await startTarget(faultOf('AUTH-MISSING').App);
  try {
    const inputs = { ...targetInputs(broken), package: tarball, rules: '', budget: '0', seed: '5', upload: 'false' };
    const shards = [
      await runAction({ ...inputs, shard: '1/2' }),
      await runAction({ ...inputs, 'playwright-args': '--shard\n2/2' }),
    ];
    for (const s of shards) expect([0, 1], s.output.slice(-1500)).toContain(s.code);
    const whole = await runAction(inputs);
    expect(whole.code).toBe(1);
    const merged = await runAction({
      merge: shards.map((s) => join(s.outputs['report-dir'], 'blob')).join('\n'),
      package: tarball,
    });
    expect(merged.code, merged.output.slice(-1500)).toBe(1);
    expect(merged.outputs).toMatchObject({ outcome: 'failed', 'exit-code': '1' });
    const report = (file: string) =>
      JSON.parse(readFileSync(file, 'utf8')) as { counts: object; rules: { id: string; status: string }[] };
    const [one, two] = [report(whole.outputs.json), report(merged.outputs.json)];
    expect(two.counts).toEqual(one.counts);
    expect(two.rules.map((r) => [r.id, r.status])).toEqual(one.rules.map((r) => [r.id, r.status]));
    expect(merged.summary).toMatch(/^\| failed \| MUST \| `AUTH-MISSING` \|/m);
  } finally {
    await broken.close();
  }
});

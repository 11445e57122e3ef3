// The README's rules table is generated from the catalogue; this keeps it current.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FLAGS } from '../settings/flags.ts';
import { VARIABLES } from '../settings/variables.ts';
import { NODE_LINES } from '../tools/node-lines.ts';
import { listChecks } from '../tools/checks.ts';
import { RULE_INDEX, ruleIndex } from '../tools/rule-index.ts';
import { README, RELATIONS_DOC, withCurrentRelations, withCurrentTable } from '../tools/rules-table.ts';
import { ROOT } from './support/run-suite.ts';

test('the README holds the rules table of the current catalogue (npm run rules-table -- --write)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(withCurrentTable(readme));
});

test('docs/relations.md holds the table of the current relations catalogue (npm run rules-table -- --write)', () => {
  const doc = readFileSync(RELATIONS_DOC, 'utf8');
  expect(doc).toBe(withCurrentRelations(doc));
});

test('docs/rule-index.md is the index of the current catalogue, checks and faulty servers (npm run rules-table -- --write)', () => {
  // The checks as Playwright lists them: a check moved, added or removed changes the index.
  expect(readFileSync(RULE_INDEX, 'utf8')).toBe(ruleIndex(listChecks()));
});

interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, string> }[] }>;
}
const workflow = (name: string) => parse(readFileSync(join(ROOT, '.github/workflows', name), 'utf8')) as Workflow;
const runs = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));

test('the CI workflows parse, and the project one runs the README test command', () => {
  expect(runs(workflow('test.yml'))).toContain('npm test');
  const gate = workflow('conformance-gate.example.yml');
  // The example runs the Action of this repository and merges with its own merge config; its gate lets only `passed` through.
  const action = Object.values(gate.jobs)
    .flatMap((j) => j.steps)
    .find((s) => s.uses?.endsWith('/whatsapp-media-provider-conformance@v0.1.0'));
  expect(
    Object.keys(action?.with ?? {}).every(
      (input) => input in (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs,
    ),
  ).toBe(true);
  // Its shards merge through the action itself: no checkout of the suite, no dev dependency.
  const merging = Object.values(gate.jobs)
    .flatMap((j) => j.steps)
    .filter((s) => s.uses?.endsWith('/whatsapp-media-provider-conformance@v0.1.0'));
  expect(merging.map((s) => Object.keys(s.with ?? {}).filter((k) => k === 'shard' || k === 'merge'))).toEqual([
    ['shard'],
    ['merge'],
  ]);
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('\nnpm test\n');
});

test('the release workflow publishes with provenance on a version tag, after the tests, and only when the tag names the package version', () => {
  const release = workflow('release.yml');
  expect(release.on).toEqual({ push: { tags: ['v*'] } });
  expect(release.permissions).toMatchObject({ 'id-token': 'write' });
  const steps = runs(release);
  const publish = steps.findIndex((r) => r.startsWith('npm publish --provenance'));
  expect(publish).toBeGreaterThan(steps.indexOf('npm test'));
  expect(steps.indexOf('npm test')).toBeGreaterThan(-1);
  // The tag check, run as the runner would: the package's own version passes, another does not.
  const check = steps.find((r) => r.includes('GITHUB_REF_NAME'))!;
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const exit = (tag: string) =>
    spawnSync('bash', ['-e', '-c', check], { cwd: ROOT, env: { ...process.env, GITHUB_REF_NAME: tag } }).status;
  expect(exit(`v${version}`)).toBe(0);
  expect(exit('v99.0.0')).toBe(1);
});

test("the README's first screen: exactly two set-up commands, the install path that works today, and where the reports are", () => {
  const firstScreen = readFileSync(README, 'utf8').split('\n').slice(0, 45).join('\n');
  const block = /```sh\n([\s\S]*?)```/.exec(firstScreen)?.[1] ?? '';
  const commands = block
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  expect(commands).toEqual(['npm ci && npm run conformance', 'npm test']);
  // What they run is what the package's scripts and CI run.
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  expect(scripts.conformance).toBe('node bin/conformance.js');
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('npm ci --no-audit --no-fund\nnpm test\n');
  for (const report of ['reports/conformance.html', 'reports/html/index.html']) expect(firstScreen).toContain(report);
  expect(firstScreen).toContain('not published on npm yet');
  expect(firstScreen).toMatch(/npm pack[\s\S]*npm install \.\/whatsapp-media-provider-conformance-[\d.]+\.tgz/);
});

test('every third-party action in the workflows, the example, the README and action.yml is pinned by commit', () => {
  const files = [
    ...readdirSync(join(ROOT, '.github/workflows')).map((f) => join(ROOT, '.github/workflows', f)),
    join(ROOT, 'action.yml'),
    join(ROOT, 'README.md'),
  ];
  const uses = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/uses: *['"]?([^\s'"#]+)/g)].map((m) => ({ file, action: m[1] })),
  );
  expect(uses.length).toBeGreaterThan(8);
  // The suite itself is the user's own copy (`your-org/…`): its placeholder names the release to pin.
  const thirdParty = uses.filter(({ action }) => !action.startsWith('your-org/') && !action.startsWith('<owner>'));
  for (const { file, action } of thirdParty) expect(action, file).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
});

/** A section of the README, from its heading to the next. */
function section(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}`);
  expect(start, title).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

test("the README's command line names every flag --help lists, and its variables table every variable (--help's table is the same FLAGS and VARIABLES)", () => {
  const readme = readFileSync(README, 'utf8');
  const synopsis = /```sh\n([\s\S]*?)```/.exec(section(readme, 'The command line'))?.[1] ?? '';
  const missingFlags = FLAGS.filter((f) => !new RegExp(`\\[?--${f.name}\\b`).test(synopsis)).map((f) => `--${f.name}`);
  expect(missingFlags, 'flags missing from the synopsis').toEqual([]);
  const table = section(readme, 'Pointing it at a real target')
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | ')[0])
    .join(' ');
  const missingVariables = Object.keys(VARIABLES).filter((v) => !new RegExp(`\`${v}(=1)?\``).test(table));
  expect(missingVariables, 'variables missing from the table').toEqual([]);
});

test('the README and engines name the Node lines that are proven, and CI runs them after npm test', () => {
  const readme = readFileSync(README, 'utf8');
  const lines = /\*\*Node lines\.\*\*[\s\S]*?\n\n/.exec(readme)?.[0] ?? '';
  const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
    .engines.node;
  // This run's own Node, and each pinned line.
  for (const version of [process.versions.node, ...NODE_LINES.map((l) => l.version)])
    expect(engines.split(' || ').map((range) => range.split('.')[0])).toContain(`^${version.split('.')[0]}`);
  for (const { version } of NODE_LINES) expect(lines).toContain(version);
  expect(lines).toContain(`runs on Node ${process.versions.node.split('.')[0]} `);
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('\nnpm test\nnpm run test:package\n');
  expect(runs(workflow('test.yml'))).toContain('npm run test:package');
});

// `npm run test:package [-- 20 24]`: the package's own self-tests (the `package` project of
// selftest/playwright.config.ts: the packed package installed and run, a clone's command, the GitHub
// Action's steps) on this machine's Node and on each pinned Node line (tools/node-lines.ts), one line
// after another (two cores). The line's binary is first on PATH, so Playwright's runner, its workers and
// every `node`, `npm` and `npx` the tests spawn (npm's scripts start through `#!/usr/bin/env node`) are
// that Node; the tests check it (NODE_LINE). A line per Node, and exit 1 if any failed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { NODE_LINES, type NodeLine, nodeBinary } from './node-lines.ts';

const ROOT = resolve(import.meta.dirname, '..');
// The Action's self-test (action.spec.ts) runs the same command from bash, and its own steps build
// with npm: on this machine's Node alone, for time. Every line runs the rest of the package project.
const REPORTS = join(ROOT, 'reports', 'package');

/** This machine's Node, the first line: its binary is the one running this script. */
const OWN: NodeLine = { version: process.versions.node, integrity: '' };

interface Result {
  line: NodeLine;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  code: number | null;
}

async function runLine(line: NodeLine): Promise<Result> {
  const own = line === OWN;
  const node = own ? process.execPath : nodeBinary(line);
  const out = join(REPORTS, line.version);
  rmSync(out, { recursive: true, force: true });
  const json = join(out, 'results.json');
  const started = performance.now();
  // Its own reports and results folder: npm test's, which CI runs just before, stay as they were.
  const child = spawn(
    node,
    [
      join(ROOT, 'node_modules/@playwright/test/cli.js'),
      'test',
      '-c',
      'selftest',
      '--project=package',
      '--reporter=list,json',
      '--output',
      join(out, 'test-results'),
      // Files of the package project, as filters: the Action's on this machine's Node only.
      ...(own ? [] : ['selftest/package.spec.ts', 'selftest/clone.spec.ts']),
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        PATH: [dirname(node), process.env.PATH].join(delimiter),
        NODE_LINE: line.version,
        PLAYWRIGHT_JSON_OUTPUT_NAME: json,
      },
    },
  );
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const seconds = (performance.now() - started) / 1000;
  const stats = existsSync(json)
    ? (JSON.parse(readFileSync(json, 'utf8')).stats as Record<string, number>)
    : { expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
  return {
    line,
    passed: stats.expected + stats.flaky,
    failed: stats.unexpected,
    skipped: stats.skipped,
    seconds,
    code,
  };
}

const wanted = process.argv.slice(2);
const lines = [OWN, ...NODE_LINES].filter(
  (l) => wanted.length === 0 || wanted.some((w) => l.version.split('.')[0] === w),
);
if (lines.length === 0) {
  console.error(`no pinned line matches ${wanted.join(' ')}; pinned: ${NODE_LINES.map((l) => l.version).join(', ')}`);
  process.exit(2);
}
const results: Result[] = [];
for (const line of lines) results.push(await runLine(line));
console.log('\nThe package’s self-tests, a line per Node:');
for (const r of results)
  console.log(
    `  Node ${r.line.version}: ${r.code === 0 ? 'PASSED' : 'FAILED'}, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${r.seconds.toFixed(0)} s`,
  );
process.exit(results.every((r) => r.code === 0) ? 0 : 1);

// `npm run test:node-lines [-- 24 26]`: the self-tests of the packed package run on each pinned Node
// line (tools/node-lines.ts), one line after another (two cores). The line's binary is first on PATH, so
// Playwright's runner, its workers and every `node`, `npm` and `npx` the tests spawn (npm's scripts
// start through `#!/usr/bin/env node`) are that Node; the tests check it (NODE_LINE). Node 20, the
// machine's own, is `npm test`'s and not run again here. A line per Node, and exit 1 if any failed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { NODE_LINES, type NodeLine, nodeBinary } from './node-lines.ts';

const ROOT = resolve(import.meta.dirname, '..');
/**
 * The self-tests that install the packed package and run its command. The Action's (action.spec.ts)
 * runs that same command from bash, and its own steps build with npm: on Node 20 alone, for time.
 */
const SPECS = ['selftest/package.spec.ts', 'selftest/clone.spec.ts'];
const REPORTS = join(ROOT, 'reports', 'node-lines');

interface Result {
  line: NodeLine;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  code: number | null;
}

async function runLine(line: NodeLine): Promise<Result> {
  const node = nodeBinary(line);
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
      '--project=selftest',
      '--reporter=list,json',
      '--output',
      join(out, 'test-results'),
      ...SPECS,
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
const lines = NODE_LINES.filter((l) => wanted.length === 0 || wanted.some((w) => l.version.split('.')[0] === w));
if (lines.length === 0) {
  console.error(`no pinned line matches ${wanted.join(' ')}; pinned: ${NODE_LINES.map((l) => l.version).join(', ')}`);
  process.exit(2);
}
const results: Result[] = [];
for (const line of lines) results.push(await runLine(line));
console.log('\nNode lines (the packed package’s self-tests):');
for (const r of results)
  console.log(
    `  Node ${r.line.version}: ${r.code === 0 ? 'PASSED' : 'FAILED'}, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped, ${r.seconds.toFixed(0)} s`,
  );
process.exit(results.every((r) => r.code === 0) ? 0 : 1);

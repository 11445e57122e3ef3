// CONFORMANCE_ variables the suite does not read are typos until proven otherwise: a misspelt
// CONFORMANCE_STRCT=1 would run a lenient run that looks strict. Both entries refuse them before
// anything starts, naming the nearest variable; the variables the suite sets for its own processes,
// and those a configuration file names, stay accepted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { QUICK_ENV, runCommand, runSuite } from './support/run-suite.ts';
import { scratchDir } from './support/scratch.ts';

test('a misspelt CONFORMANCE_ variable stops `playwright test` before any request, naming the nearest variable', async () => {
  const run = await runSuite({
    env: { TARGET_URL: 'http://127.0.0.1:9', BOT_ID: 'b', API_TOKEN: 'variables-token-1', CONFORMANCE_STRCT: '1' },
  });
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain(
    'CONFORMANCE_STRCT (did you mean CONFORMANCE_STRICT?) is not a variable the suite reads',
  );
  expect(run.report, 'no verdict is written').toBeUndefined();
});

test("a misspelt CONFORMANCE_ variable is the package command's usage error: one line, exit 2, no report", async () => {
  const reportDir = join(scratchDir('reports'), 'never');
  const { code, output } = await runCommand(['--report-dir', reportDir, '--rule', 'POST-VALID-200'], {
    CONFORMANCE_SKIP_RULE: 'AUTH-OTHER-REGION',
  });
  expect(code, output).toBe(2);
  expect(output.trim()).toBe(
    'error: CONFORMANCE_SKIP_RULE (did you mean CONFORMANCE_SKIP_RULES?) is not a variable the suite reads (the README lists them) (--help lists every command and flag)',
  );
  expect(existsSync(reportDir)).toBe(false);
});

test('the variables the suite sets for its own processes are accepted (an embedded run hands CONFORMANCE_EMBEDDED and CONFORMANCE_RUN_ID to its workers)', async () => {
  const run = await runSuite({ env: { ...QUICK_ENV, CONFORMANCE_DISTANCE_MS: '0', CONFORMANCE_LAUNCHED_BY: 'cli' } });
  expect(run.report?.outcome, (run.stdout + run.stderr).slice(-800)).toBe('passed');
});

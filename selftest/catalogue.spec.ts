// What a rule expects lives on the rule: in a copy of the project whose one change is a rule's
// `answers` in rules/catalogue.ts, the suite holds a server to the changed expectation.
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { faultOf } from '../faulty/catalogue.ts';
import { ruleById } from '../rules/catalogue.ts';
import { ROOT, runSuite } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';

const SOURCES = [
  'cli',
  'contract',
  'driver',
  'faulty',
  'fixtures',
  'generation',
  'model',
  'openapi',
  'reference',
  'rules',
  'schemas',
  'settings',
  'suite',
  'tests',
];
const FILES = ['package.json', 'tsconfig.json', 'playwright.config.ts'];

test("changing a rule's answers in the catalogue alone changes what every check of it accepts", async () => {
  test.setTimeout(120_000);
  const copy = mkdtempSync(join(tmpdir(), 'conformance-copy-'));
  for (const dir of SOURCES) cpSync(join(ROOT, dir), join(copy, dir), { recursive: true });
  for (const file of FILES) cpSync(join(ROOT, file), join(copy, file));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  // The one change: AUTH-WRONG-TOKEN takes 403 as well as 401.
  const catalogue = join(copy, 'rules/catalogue.ts');
  const text = readFileSync(catalogue, 'utf8');
  const changed = text.replace(/('AUTH-WRONG-TOKEN',[\s\S]*?answers: )UNAUTHORIZED/, '$1[401, 403]');
  expect(changed).not.toBe(text);
  writeFileSync(catalogue, changed);
  expect(ruleById('AUTH-WRONG-TOKEN').answers).toEqual([401]);

  // A server that answers 403 to a wrong token, which the original catalogue does not allow.
  const target = await startTarget(faultOf('AUTH-WRONG-TOKEN', (f) => f.wrongStatus === 403).App);
  const env = { ...target.env, CONFORMANCE_RULES: 'AUTH-WRONG-TOKEN', CONFORMANCE_BUDGET: '0' };
  const [original, relaxed] = [await runSuite({ env }), await runSuite({ env, root: copy })];
  await target.close();
  const status = (run: typeof original) => run.report?.rules.find((r) => r.id === 'AUTH-WRONG-TOKEN')?.status;
  expect(status(original), original.stdout.slice(-2000)).toBe('failed');
  expect(status(relaxed), JSON.stringify(relaxed.report?.rules.find((r) => r.id === 'AUTH-WRONG-TOKEN'))).toBe(
    'passed',
  );
});

// What a rule expects lives on the rule: in a copy of the project whose one change is a rule's
// `answers` in rules/catalogue.ts, the suite holds a server to the changed expectation.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { faultOf } from '../faulty/catalogue.ts';
import { ruleById } from '../rules/catalogue.ts';
import { copyOfRepository } from './support/repository.ts';
import { runSuite } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';

test("changing a rule's answers in the catalogue alone changes what every check of it accepts, and what its faulty servers answer", async () => {
  test.setTimeout(180_000);
  const copy = copyOfRepository();
  // A server that answers a wrong token with a status the catalogue does not allow for it.
  const fault = faultOf('AUTH-WRONG-TOKEN', (f) => f.wrongStatus !== undefined);
  const allowed = ruleById('AUTH-WRONG-TOKEN').answers ?? [];
  expect(allowed).not.toContain(fault.wrongStatus);
  // The one change: AUTH-WRONG-TOKEN takes that status as well.
  const relaxedAnswers = [...allowed, fault.wrongStatus];
  const catalogue = join(copy, 'rules/catalogue.ts');
  const text = readFileSync(catalogue, 'utf8');
  const changed = text.replace(
    /('AUTH-WRONG-TOKEN',[\s\S]*?answers: )(?:\[[^\]]*\]|\w+)/,
    `$1[${relaxedAnswers.join(', ')}]`,
  );
  expect(changed).not.toBe(text);
  writeFileSync(catalogue, changed);

  const env = (target: { env: Record<string, string | undefined> }) => ({
    ...target.env,
    CONFORMANCE_RULES: 'AUTH-WRONG-TOKEN',
    CONFORMANCE_BUDGET: '0',
  });
  const target = await startTarget(fault.App);
  const [original, relaxed] = [await runSuite({ env: env(target) }), await runSuite({ env: env(target), root: copy })];
  await target.close();
  const status = (run: typeof original) => run.report?.rules.find((r) => r.id === 'AUTH-WRONG-TOKEN')?.status;
  expect(status(original), original.stdout.slice(-2000)).toBe('failed');
  expect(status(relaxed), JSON.stringify(relaxed.report?.rules.find((r) => r.id === 'AUTH-WRONG-TOKEN'))).toBe(
    'passed',
  );

  // The copy's own fault of that id now answers a status the changed rule still refuses, and is still caught.
  const copied = (await import(join(copy, 'faulty/catalogue.ts'))) as typeof import('../faulty/catalogue.ts');
  const moved = copied.FAULTS.find((f) => f.id === fault.id)!;
  expect(relaxedAnswers).not.toContain(moved.wrongStatus);
  const still = await startTarget(moved.App);
  const caught = await runSuite({ env: env(still), root: copy });
  await still.close();
  expect(status(caught), caught.stdout.slice(-2000)).toBe('failed');
});

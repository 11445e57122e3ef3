// Many targets in one run, from a configuration file: each judged on its own (a column each), each
// restored; a file that does not fit its schema, or names a token variable that is not set, is
// refused before any request, naming the problem and never a secret.
import { readdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { faultOf } from '../faulty/catalogue.ts';
import { ruleById } from '../rules/catalogue.ts';
import { expectRestored, preload } from './support/bot-data.ts';
import { runSuite } from './support/run-suite.ts';
import { configFor, startTarget } from './support/servers.ts';

test('two targets of a configuration file are judged in one run, a column each, and both restored', async () => {
  const good = await startTarget();
  const fault = faultOf('AUTH-WRONG-TOKEN');
  const broken = await startTarget(fault.App);
  const saved = [await preload(good), await preload(broken)];
  const { env } = configFor([
    { name: 'good', target: good },
    { name: 'broken', target: broken },
  ]);
  const run = await runSuite({ env });
  expect(run.code).toBe(1);
  const byName = new Map(run.report?.targets.map((t) => [t.name, t]));
  expect([...byName.keys()].sort()).toEqual(['broken', 'good']);
  expect(byName.get('good')).toMatchObject({ target: good.main.url, outcome: 'passed' });
  expect(byName.get('broken')).toMatchObject({ target: broken.main.url, outcome: 'failed' });
  // The broken target fails its fault's rule, and no rule outside that rule's section of the spec.
  const failed = byName
    .get('broken')
    ?.rules.filter((r) => r.status === 'failed')
    .map((r) => r.id);
  expect(failed).toContain(fault.rule);
  expect(failed?.filter((id) => ruleById(id).doc !== ruleById(fault.rule).doc)).toEqual([]);
  expect(run.stdout).toMatch(/Conformance \(default profile\) of .*: PASSED[\s\S]*: FAILED|: FAILED[\s\S]*: PASSED/);
  await expectRestored(good, saved[0]);
  await expectRestored(broken, saved[1]);
  expect(readdirSync(run.stateDir).filter((f) => !f.startsWith('found-'))).toEqual([]);
  await Promise.all([good.close(), broken.close()]);
});

test('a configuration file that does not fit its schema is refused, naming the problem and not the token written into it', async () => {
  const target = await startTarget();
  const { env, file } = configFor([{ name: 'eu', target }]);
  const inline = 'inline-token-written-into-the-file';
  writeFileSync(
    file,
    JSON.stringify({ targets: [{ name: 'eu', url: target.main.url, bot: { id: 'bot-a', token: inline } }] }),
  );
  const run = await runSuite({ env });
  await target.close();
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(
    /conformance\.config\.json: targets\[0\]\.bot needs tokenEnv; targets\[0\]\.bot\.token is not a setting \(did you mean tokenEnv\?\)/,
  );
  expect(run.stdout + run.stderr).not.toContain(inline);
});

test('a token variable the configuration file names but the environment lacks is named', async () => {
  const target = await startTarget();
  const { env } = configFor([{ name: 'eu', target }]);
  const run = await runSuite({ env: { ...env, TARGET_TOKEN_0_A: undefined } });
  await target.close();
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain("TARGET_TOKEN_0_A is not set: target 'eu' of");
});

// Many targets in one run, from a configuration file: each judged on its own (a column each), each
// restored; a file that does not fit its schema, or names a token variable that is not set, is
// refused before any request, naming the problem and never a secret.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { expect, test } from '@playwright/test';
import { type Answer, ReferenceApp } from '../reference/app.ts';
import { faultOf } from '../faulty/catalogue.ts';
import { ruleById } from '../rules/catalogue.ts';
import { kindOf } from '../client/check-label.ts';
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
  // Its Reproduce line names the variables this run read the broken target's tokens from.
  expect(run.stdout).toMatch(
    /Reproduce: .*npx playwright test \(with CONFORMANCE_CONFIG=\S+, its tokens in TARGET_TOKEN_1_A, TARGET_TOKEN_1_B\)/,
  );
  // Each target's copy of a check is a JUnit test case of its own: no class and name twice.
  const cases = [
    ...readFileSync(join(run.reportDir, 'junit.xml'), 'utf8').matchAll(/<testcase name="([^"]*)" classname="([^"]*)"/g),
  ].map((m) => `${m[2]} :: ${m[1]}`);
  expect(cases.length).toBeGreaterThan(100);
  expect(cases.filter((c, i) => cases.indexOf(c) !== i)).toEqual([]);
  await expectRestored(good, saved[0]);
  await expectRestored(broken, saved[1]);
  expect(readdirSync(run.stateDir).filter((f) => !f.startsWith('found-'))).toEqual([]);
  await Promise.all([good.close(), broken.close()]);
});

/** The reference, noting when each check (by the label the suite sends with each request) sent its first request and got its last answer. */
class Spans extends ReferenceApp {
  readonly spans = new Map<string, [number, number]>();
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    const label = String(req.headers['x-conformance-check'] ?? '');
    this.spans.set(label, [this.spans.get(label)?.[0] ?? performance.now(), performance.now()]);
    const answer = await super.handle(req);
    this.spans.get(label)![1] = performance.now();
    return answer;
  }
}

test("with several targets the workers serve every target's checks, and a whole-list check has its target to itself", async () => {
  const targets = [await startTarget(Spans), await startTarget(Spans), await startTarget(Spans)];
  const run = await runSuite({ env: configFor(targets.map((target, i) => ({ name: `t${i}`, target }))).env });
  expect(run.report?.outcome, run.stdout.slice(-3000)).toBe('passed');
  expect(run.report?.targets.map((t) => t.outcome)).toEqual(['passed', 'passed', 'passed']);
  for (const target of targets) {
    const spans = [...(target.app as Spans).spans];
    const whole = spans.filter(([label]) => kindOf(label) === 'whole-list');
    expect(whole.length).toBeGreaterThan(5);
    expect(spans.length).toBeGreaterThan(whole.length + 5);
    // No other check of the target, of either kind, sent a request between a whole-list check's first request and its last answer.
    for (const [label, [start, end]] of whole) {
      const overlapping = spans.filter(([other, [s, e]]) => other !== label && s < end && e > start).map(([o]) => o);
      expect(overlapping, label).toEqual([]);
    }
  }
  // The checks are grouped by target in the reports people read.
  expect(run.stdout).toMatch(/\bt2\b/);
  await Promise.all(targets.map((t) => t.close()));
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

test("a target's rules outside the run's are refused, naming them", async () => {
  const target = await startTarget();
  const { env } = configFor([{ name: 'eu', target, rules: ['POST-VALID-200', 'AUTH-MISSING'] }]);
  const run = await runSuite({ env: { ...env, CONFORMANCE_RULES: 'POST-VALID-200' } });
  await target.close();
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(
    /the rules of target 'eu' of .*conformance\.config\.json must be among the run's \(POST-VALID-200\); AUTH-MISSING is not/,
  );
});

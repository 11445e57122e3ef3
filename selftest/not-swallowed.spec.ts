// What goes wrong around the checks is shown, never swallowed: a cleanup whose DELETE fails is an
// observation in every report, a corrupt store of failures stops its check with a message naming the
// file, and a body a server took in one run of a search is not blamed on the runs after it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { contractFor } from '../contract/openapi.ts';
import { errorOf, isDelete, isPost } from '../faulty/fault.ts';
import { FAULTS } from '../faulty/catalogue.ts';
import { checkAnnotation } from '../report/check-info.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { ProviderApi } from '../client/api.ts';
import { Secrets } from '../client/redaction.ts';
import { packageInfo } from '../client/package-info.ts';
import { outputsOf } from './support/outputs.ts';
import { newStateDir, notPassed, runSuite, ruleStatus } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';

/** The reference, but its first DELETE answers 503 and does nothing (a passing outage): later ones, the restore's among them, work. */
class FirstDeleteUnavailable extends ReferenceApp {
  #deletes = 0;
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    if (isDelete(req) && this.#deletes++ === 0) return errorOf(503);
    return super.handle(req);
  }
}

test('a cleanup whose DELETE answers 503 is an observation in conformance.json, the terminal, JUnit and the HTML report, and its check still passes', async () => {
  const target = await startTarget(FirstDeleteUnavailable);
  // The checks of NAME-EXACT, in the upsert spec: only the one of the whole list's name families DELETEs,
  // as it clears up after itself.
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_RULES: 'NAME-EXACT', CONFORMANCE_BUDGET: '0' },
    args: ['tests/upsert.spec'],
  });
  await target.close();
  const seen = `cleanup after NAME-EXACT: DELETE of bot '${target.bots.botA}''s list answered 503 (what that check wrote may remain)`;
  expect(run.report?.observations, run.stdout.slice(-3000)).toContain(seen);
  expect(ruleStatus(run, 'NAME-EXACT'), notPassed(run).join('\n')).toBe('passed');
  expect(run.stdout).toContain(`observed: ${seen}`);
  const junit = readFileSync(join(run.reportDir, 'junit.xml'), 'utf8').replace(/&apos;/g, "'");
  expect(junit).toContain(`observed: ${seen}`);
  expect([...outputsOf(join(run.reportDir, 'html')).values()].some((text) => text.includes(seen))).toBe(true);
});

test('a cleanup whose DELETE gets no answer is an observation too, redacted', async () => {
  const server = http.createServer((req) => req.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A bot id the redactor knows as a secret: the observation must not show it.
  const bot = { id: `bot-${randomBytes(12).toString('hex')}`, token: `t-${randomBytes(12).toString('hex')}` };
  const secrets = new Secrets();
  secrets.add(bot.id);
  const api = new ProviderApi(url, bot, contractFor('default'), secrets, 5_000, [], 'selftest');
  // A check of NAME-EXACT, as rule() registers it (report/check-info.ts).
  const check = checkAnnotation({
    rule: 'NAME-EXACT',
    covers: [],
    also: [],
    section: 'upsert',
    target: 'target',
    wholeList: true,
    generated: false,
  });
  const info = { annotations: [check] };
  try {
    await clearUp({ api, secrets }, info);
  } finally {
    api.close();
    server.close();
  }
  expect(info.annotations).toEqual([
    check,
    {
      type: 'observed',
      description: expect.stringMatching(
        /^cleanup after NAME-EXACT: DELETE of bot '«redacted»''s list got no answer \(network error \(\w+\) on DELETE http:\/\/127\.0\.0\.1:\d+\/.*\) \(what that check wrote may remain\)$/,
      ),
    },
  ]);
  expect(JSON.stringify(info.annotations)).not.toContain(bot.id);
});

// A server that takes a body without config (and stores it under its name) while refusing every other
// invalid body: the bodies without config that the search posts are taken, one run after another.
const TAKES_MISSING_CONFIG = FAULTS.find((f) => f.id === 'accepts-missing-config')!;
/** That server, keeping the status of every POST it answered, in order. */
class TakesMissingConfig extends TAKES_MISSING_CONFIG.App {
  readonly posts: number[] = [];
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    const answer = await super.handle(req);
    if (isPost(req)) this.posts.push(answer.status);
    return answer;
  }
}

test.describe('the generated check of refused bodies against a server that takes some of them', () => {
  test.describe.configure({ mode: 'serial' });
  // One target and state folder for both: the failures a check stores are kept per target URL.
  const stateDir = newStateDir();
  let target: Target;
  test.beforeAll(async () => {
    target = await startTarget(TakesMissingConfig);
  });
  test.afterAll(async () => {
    await target.close();
  });

  test('blames no run for what a body taken in an earlier run wrote', async () => {
    // A seed whose search posts a body without config among its 25 (the search's seed is the run's and the check's title).
    const run = await runSuite({
      stateDir,
      env: { ...target.env, CONFORMANCE_RULES: 'POST-400-NO-CHANGE', CONFORMANCE_SEED: '2', CONFORMANCE_BUDGET: '25' },
      // The generated check of POST-400-NO-CHANGE, in its section's file: alone, by its tag.
      args: ['tests/post.spec', '-g', '@generated'],
    });
    // What is on trial happened: bodies were refused after one was taken.
    const { posts } = target.app as TakesMissingConfig;
    expect(posts.indexOf(200), 'a body taken').toBeGreaterThanOrEqual(0);
    expect(posts.slice(posts.indexOf(200) + 1), 'refused bodies after it').toContain(400);
    // The fault is found, under its own rule (the check stops on it); no refused POST wrote anything.
    expect(ruleStatus(run, TAKES_MISSING_CONFIG.rule), run.stdout.slice(-3000)).toBe('failed');
    expect(ruleStatus(run, 'POST-400-NO-CHANGE'), notPassed(run).join('\n')).toBe('skipped');
    expect(run.stdout).not.toContain('which only a POST answered 400 carried');
  });

  test('its store of failures, corrupted, fails the check with a message that names the file and how to reset it', async () => {
    const [stored] = readdirSync(stateDir).filter((f) => f.startsWith('found-'));
    expect(stored, 'the failure the run before stored').toBeDefined();
    const file = join(stateDir, stored);
    writeFileSync(file, '[{"rule": "POST-400-MISSING-FIELD", "seed": 1,');
    const run = await runSuite({
      stateDir,
      env: { ...target.env, CONFORMANCE_RULES: 'POST-400-NO-CHANGE', CONFORMANCE_BUDGET: '1' },
      // The generated check of POST-400-NO-CHANGE, in its section's file: alone, by its tag.
      args: ['tests/post.spec', '-g', '@generated'],
    });
    const reason = run.report?.rules.find((r) => r.id === 'POST-400-NO-CHANGE')?.reason ?? '';
    expect(reason, run.stdout.slice(-3000)).toContain(
      `the check itself failed: the store of the failures this check found is corrupt: delete ${file} to forget them, or restore it (not JSON: `,
    );
    // One message, not a stack trace; and the file is left for the user to decide.
    expect(run.stdout).not.toMatch(/\n\s+at readFound /);
    expect(readFileSync(file, 'utf8')).toBe('[{"rule": "POST-400-MISSING-FIELD", "seed": 1,');
  });

  test("a store another version of the suite wrote is not replayed, said so, and replaced by this version's", async () => {
    const [stored] = readdirSync(stateDir).filter((f) => f.startsWith('found-'));
    const file = join(stateDir, stored);
    // Its rule is none of this version's: replayed, it would be a corrupt entry.
    const other = {
      format: 1,
      suite: `${packageInfo().name}@0.0.0-other`,
      cases: [{ rule: 'GONE', seed: 1, upTo: 1 }],
    };
    writeFileSync(file, JSON.stringify(other));
    const run = await runSuite({
      stateDir,
      // The seed of the first test of this file, whose search meets the fault: the store is this version's again.
      env: { ...target.env, CONFORMANCE_RULES: 'POST-400-NO-CHANGE', CONFORMANCE_SEED: '2', CONFORMANCE_BUDGET: '25' },
      args: ['tests/post.spec', '-g', '@generated'],
    });
    const seen = `the failures this check stored against this target, by ${other.suite}, were not replayed: that version's seeds make other runs in this one`;
    expect(run.report?.observations, run.stdout.slice(-3000)).toContain(seen);
    expect(ruleStatus(run, TAKES_MISSING_CONFIG.rule), run.stdout.slice(-3000)).toBe('failed');
    expect(run.report?.generated?.replayed ?? 0).toBe(0);
    const now = JSON.parse(readFileSync(file, 'utf8'));
    expect(now).toMatchObject({ format: 1, suite: `${packageInfo().name}@${packageInfo().version}` });
    expect(now.cases.map((c: { rule: string }) => c.rule)).toEqual([TAKES_MISSING_CONFIG.rule]);
  });
});

// No rule passes without its evidence (rules/catalogue.ts EVIDENCE), shown on servers that could give
// none: one that takes everything and stores nothing (200 `{}`), and URLs that are not the API (404
// to everything, a base URL one segment off) or whose backend is down (500 to everything), which the
// pre-flight stops before anything is written. A list answered 404 on a URL that is the API is a
// GET-EMPTY-200 failure decided without a single write.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { expect, test } from '@playwright/test';
import { answeringAll, BLANKET } from '../faulty/blanket.ts';
import { FAULTS } from '../faulty/catalogue.ts';
import type { Answer, AppClass } from '../reference/app.ts';
import { ReferenceApp } from '../reference/app.ts';
import { ruleById, type Evidence } from '../rules/catalogue.ts';
import { NOT_SEEN } from '../report/evidence.ts';
import { preload } from './support/bot-data.ts';
import { newStateDir, runSuite } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';

/**
 * A server class that notes every request that could change a list (not GET, not HEAD), and what it
 * keeps, secrets in clear (its GET may mask them).
 */
function watched(App: AppClass) {
  const writes: string[] = [];
  class Watched extends App {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      if (req.method !== 'GET' && req.method !== 'HEAD') writes.push(`${req.method} ${req.url}`);
      return super.handle(req);
    }
    get kept(): string {
      return JSON.stringify([...this.lists].map(([bot, list]) => [bot, [...list.values()]]));
    }
  }
  return { App: Watched, writes, kept: (app: ReferenceApp) => (app as Watched).kept };
}

test('a server that answers 200 {} to everything gets no MUST rule passed that needs a 400, a 401, a listed entry or a stored provider; the run says why in one line', async () => {
  const target = await startTarget(answeringAll(BLANKET['all-200-empty-object']));
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_BUDGET: '10' } });
  await target.close();
  expect(run.report?.outcome, run.stdout).toBe('failed');
  // What such a server can never show: it refuses nothing, and its lists never hold an entry.
  const never: Evidence[] = ['refused', 'unauthorized', 'entries', 'stored', 'emptied'];
  const rules = run.report!.rules;
  const shownWithout = rules.filter(
    (r) => r.status === 'passed' && r.level === 'MUST' && ruleById(r.id).evidence.some((e) => never.includes(e)),
  );
  expect(shownWithout.map((r) => r.id)).toEqual([]);
  // The two the issue saw pass on nothing: undecided, with what their checks never saw, or blocked
  // by the rule their checks now stand on (they read the list before judging it).
  for (const id of ['POST-400-NO-CHANGE', 'DELETE-EMPTIES']) {
    const r = rules.find((x) => x.id === id)!;
    expect(r.status, `${id}: ${r.reason}`).toBe('skipped');
    expect(r.reason).toMatch(
      new RegExp(`^(${NOT_SEEN}|blocked by GET-READ-AFTER-WRITE|GET-READ-AFTER-WRITE already failed)`),
    );
  }
  expect(rules.filter((r) => r.reason?.startsWith(NOT_SEEN)).length).toBeGreaterThan(0);
  // Its GETs answer {}, which reads as an empty list: the shape of an entry was never shown.
  const shape = rules.find((r) => r.id === 'GET-200-SHAPE')!;
  expect(shape.status, shape.reason).toBe('skipped');
  expect(shape.reason).toContain(`${NOT_SEEN}a 200 list holding an entry`);
  // What it did show stands: a 200 to a valid POST is POST-VALID-200's evidence.
  expect(rules.find((r) => r.id === 'POST-VALID-200')?.status).toBe('passed');
  expect(run.stdout).toMatch(/\d+ rules held only vacuously, so they stay undecided: no check saw .*a 400/);
  // JUnit too: a check that got through without its rule's evidence verified nothing, and is skipped there.
  expect(readFileSync(join(run.reportDir, 'junit.xml'), 'utf8')).toMatch(
    /<skipped message="[A-Z0-9-]+: undecided: no check of it saw [^"]+"/,
  );
});

test('a URL that is not the API (404 to everything, or one path segment off) stops before any write, as a wrong setting naming the URL', async () => {
  const blank = await startTarget(answeringAll(BLANKET['all-404']));
  const reference = await startTarget(ReferenceApp);
  for (const url of [blank.main.url, `${reference.main.url}/api`]) {
    const stateDir = newStateDir();
    const env = url === blank.main.url ? blank.env : { ...reference.env, TARGET_URL: url };
    const run = await runSuite({ env, stateDir });
    expect(run.report?.outcome, run.stdout).toBe('aborted');
    expect(run.report?.abortedBy).toBe('setting');
    expect(run.report?.abortReason).toContain(`${url} does not serve the media-provider API`);
    expect(run.report?.abortReason).toContain('answered 404 without credentials and 404 with');
    expect(run.report?.counts.passed).toBe(0);
    expect(readdirSync(stateDir)).toEqual([]);
  }
  await Promise.all([blank.close(), reference.close()]);
});

test('a target answering 500 to everything stops at the pre-flight with the status, nothing written, nothing passed', async () => {
  const target = await startTarget(answeringAll(BLANKET['all-500']));
  const stateDir = newStateDir();
  const run = await runSuite({ env: target.env, stateDir });
  await target.close();
  expect(run.report?.outcome).toBe('aborted');
  expect(run.report?.abortReason).toContain('GET answered 500');
  expect(run.report?.counts.passed).toBe(0);
  expect(readdirSync(stateDir)).toEqual([]);
});

test('a list answered 404 on a URL that is the API fails GET-EMPTY-200 with no write at all: every other rule is undecided, saying why', async () => {
  const fault = FAULTS.find((f) => f.id === 'empty-404')!;
  const { App: Watched, writes } = watched(fault.App);
  const target = await startTarget(Watched);
  const stateDir = newStateDir();
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_BUDGET: '10' }, stateDir });
  await target.close();
  expect(run.report?.outcome, run.stdout).toBe('failed');
  expect(writes).toEqual([]);
  const rules = run.report!.rules;
  expect(rules.find((r) => r.id === 'GET-EMPTY-200')?.status).toBe('failed');
  const others = rules.filter((r) => r.id !== 'GET-EMPTY-200' && !r.excluded);
  expect(others.filter((r) => r.status === 'passed' || r.status === 'failed').map((r) => r.id)).toEqual([]);
  expect(others.every((r) => r.reason?.includes('answered 404, so there was no list to snapshot'))).toBe(true);
  expect(readdirSync(stateDir)).toEqual([]);
});

test('a server that masks every secret it lists, on a bot that holds providers: nothing written (they could not be put back), GET-CONFIG-ROUNDTRIP failed, the data kept', async () => {
  const fault = FAULTS.find((f) => f.id === 'masks-secrets')!;
  const { App: Watched, writes, kept } = watched(fault.App);
  const target = await startTarget(Watched);
  await preload(target);
  const before = writes.length;
  const held = kept(target.app);
  const stateDir = newStateDir();
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_BUDGET: '10' }, stateDir });
  await target.close();
  expect(writes.slice(before)).toEqual([]);
  expect(kept(target.app)).toBe(held);
  expect(run.report?.outcome, run.stdout).toBe('failed');
  const roundtrip = run.report!.rules.find((r) => r.id === 'GET-CONFIG-ROUNDTRIP');
  expect(roundtrip?.status).toBe('failed');
  expect(roundtrip?.reason).toContain('is masked (****');
  const unsaid = run.report!.rules.filter(
    (r) => r.status === 'skipped' && !r.excluded && !r.reason?.includes('shows every secret masked'),
  );
  expect(unsaid.map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  expect(readdirSync(stateDir)).toEqual([]);
});

// The conformance suite run as a user runs it: against the embedded reference, against targets on
// loopback (a path prefix, an unreachable port, wrong credentials), in strict mode, with every
// secret of a run looked for in everything it wrote, and with the bots' data restored after a
// normal run, an interrupted one and a killed one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { serve } from '../reference/serve.ts';
import { faultOf } from '../faulty/catalogue.ts';
import { MANY_FAULT, withFaults } from '../faulty/many-fault.ts';
import { quotedForms, quotedInHeader } from '../faulty/fault.ts';
import { RULES, rulesFor } from '../rules/catalogue.ts';
import { NOT_SEEN } from '../report/evidence.ts';
import { expectRestored, preload } from './support/bot-data.ts';
import { leaksOf, secretsOfRun, seedSecrets } from './support/leaks.ts';
import { htmlReportTests } from './support/html-report.ts';
import { outputsOf } from './support/outputs.ts';
import { freePort } from '../tools/ports.ts';
import { RecordingApp } from './support/recording.ts';
import { ROOT, notPassed, runSuite, ruleStatus } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';

test('npm run conformance (no TARGET_URL) passes against the embedded reference, every rule passed, all reports written', async () => {
  const run = await runSuite({ sources: true });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const report = run.report!;
  expect(notPassed(run)).toEqual([]);
  expect(report.rules.map((r) => r.id)).toEqual(rulesFor('default').map((r) => r.id));
  expect(report).toMatchObject({
    schemaVersion: 1,
    profile: 'default',
    strict: false,
    outcome: 'passed',
    counts: { passed: rulesFor('default').length, failed: 0, warning: 0, skipped: 0 },
  });
  expect(report.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(report.seed).toBeGreaterThan(0);
  expect(run.stdout).toContain(`seed ${report.seed}`);
  for (const file of ['html/index.html', 'junit.xml', 'conformance.json'])
    expect(existsSync(join(run.reportDir, file)), file).toBe(true);
  expect(run.stdout).toMatch(/rules: \d+ passed, 0 failed, 0 warning, 0 skipped/);
});

test('without a terminal, the run prints a line for each rule as soon as it is decided, and each failure as it happens', async () => {
  // A reference whose POST answers another status than the rule's: one MUST rule fails, a few checks are blocked by it.
  const fault = faultOf('POST-VALID-200', (f) => f.wrongStatus !== undefined);
  const target = await startTarget(fault.App);
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_BUDGET: '0' } });
  await target.close();
  expect(run.report?.outcome).toBe('failed');
  const told = (id: string) =>
    run.timeline.find((t) => new RegExp(`^  \\[\\d+/\\d+\\]\\s+[A-Z]+\\s+${id}\\b`).test(t.line));
  // A line for every rule of the profile, each carrying the status the report gives it.
  for (const rule of run.report!.rules) expect(told(rule.id)?.line, rule.id).toContain(`${rule.status.toUpperCase()}`);
  // As it is decided, not at the end: the first rule's line arrives long before the last one's.
  const lines = run.timeline.filter((t) => /^ {2}\[\d+\/\d+\]/.test(t.line));
  expect(lines.at(-1)!.ms - lines[0].ms).toBeGreaterThan(500);
  // The failure is told in full, with its rule and how to reproduce it, before the verdict table.
  const failure = run.timeline.findIndex((t) => t.line.includes('✘ POST-VALID-200 MUST'));
  const table = run.timeline.findIndex((t) => t.line.startsWith('Conformance (default profile)'));
  expect(failure).toBeGreaterThan(-1);
  expect(failure).toBeLessThan(table);
  expect(run.stdout).toMatch(
    new RegExp(
      `Error: POST-VALID-200 \\(MUST\\) failed: expected [^,]+, got ${fault.wrongStatus}[\\s\\S]*Reproduce: CONFORMANCE_SEED=\\d+ CONFORMANCE_RULES=POST-VALID-200`,
    ),
  );
  expect(run.stdout).toMatch(/\[\d+\/\d+\]\s+SKIPPED\s+[A-Z0-9-]+: blocked by POST-VALID-200/);
});

test('once a rule has failed on a target, its other checks there are skipped with the reason and the generated checks set it aside; the first refusal check to fail checks the whole family: a family of failed rules costs a failed check or two, not one a rule', async () => {
  // Every refused body answered with another status: each refusal rule fails, and each is held by
  // several hand-written checks, and met again by the generated bodies and sequences.
  const fault = faultOf('POST-400-WRONG-TYPE', (f) => f.id === '422-quotes-input');
  const target = await startTarget(fault.App);
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_SEED: '1000' } });
  await target.close();
  const rules = run.report!.rules;
  const refusals = rules.filter((r) => RULES.find((c) => c.id === r.id)?.refuses && r.status !== 'skipped');
  expect(refusals.length).toBeGreaterThan(0);
  expect(refusals.map((r) => r.status)).not.toContain('passed');
  const skipped = refusals.flatMap((r) => r.tests).filter((t) => t.status === 'skipped');
  expect(skipped.length, JSON.stringify(refusals)).toBeGreaterThan(0);
  // Each skip says why, in every report (JUnit's <skipped message> here).
  expect(readFileSync(join(run.reportDir, 'junit.xml'), 'utf8')).toMatch(
    /<skipped message="[A-Z0-9-]+ already failed on this target/,
  );
  // A rule's checks never run at once on a target (its lock), a generated check does not fail again on
  // a rule already failed, and a failed refusal check runs the first check of every other refusal rule
  // (fixtures/rule.ts, family): a family of failed rules prints one failure or two, and the two workers may each
  // fail one before either has swept the family.
  const failed = rules.filter((r) => r.status === 'failed');
  const failedChecks = new Set(
    failed.flatMap((r) => r.tests.filter((t) => t.status === 'failed').map((t) => t.testId)),
  );
  expect(failed.length).toBeGreaterThanOrEqual(refusals.length);
  expect(failedChecks.size, run.stdout.slice(-4000)).toBeLessThanOrEqual(failed.length / 2);
  // A rule the sweep found broken is failed by a check of another rule, with its own case's reason.
  const swept = refusals.filter((r) => r.tests.some((t) => t.status === 'failed' && !t.title.startsWith(`${r.id} `)));
  expect(swept.length).toBeGreaterThan(0);
  for (const r of swept)
    expect(r.reason).toMatch(/^(expected 400, got \d{3} to POST |POST with .+ answered \d{3}, not 400)/);
  expect(run.stdout).toMatch(/Also found broken: POST-400-[A-Z-]+/);
  const generated = rules.flatMap((r) => r.tests).filter((t) => / MUST: generated /.test(t.title));
  expect(generated.length, 'the generated checks ran').toBeGreaterThan(0);
  expect(generated.map((t) => t.status)).not.toContain('skipped');
  expect(run.report!.outcome).toBe('failed');
});

test("a check that fails its rule leaves its worker to the next check, and every report shows it failed: a broken target's verdict pays no worker start a failure", async () => {
  // A naive server that fails a check of many rules (faulty/many-fault.ts), on two workers.
  const server = MANY_FAULT.find((m) => m.name === 'lax-express')!;
  const target = await startTarget(withFaults(server.faults));
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_SEED: '1', CONFORMANCE_WORKERS: '2' } });
  await target.close();
  expect(run.code).toBe(1);
  const tests = htmlReportTests(join(run.reportDir, 'html'));
  const ran = tests.filter((t) => t.outcome !== 'skipped');
  const failed = tests.filter((t) => t.results.some((r) => r.status === 'failed'));
  expect(failed.length, run.stdout.slice(-3000)).toBeGreaterThanOrEqual(5);
  // Playwright's report: failed, not an expected failure.
  for (const t of failed) {
    expect(t.outcome, t.title).toBe('unexpected');
    expect(t.ok).toBe(false);
  }
  // Playwright numbers each worker it starts: a worker replaced after each failure would take a new number.
  const workers = new Set(ran.flatMap((t) => t.results.map((r) => r.workerIndex)));
  expect([...workers].sort(), `${failed.length} failed checks`).toEqual([0, 1]);
  // Every other report too: JUnit, the terminal, the verdict.
  const junit = readFileSync(join(run.reportDir, 'junit.xml'), 'utf8');
  expect(junit.match(/<failure /g)?.length).toBe(failed.length);
  expect(run.stdout.match(/^ {2}✘ /gm)?.length).toBe(failed.length);
  expect(run.report!.outcome).toBe('failed');
});

test('with reporters a user chose (--reporter line), a check that fails its rule fails its Playwright test as before, and the run exits 1', async () => {
  const fault = faultOf('POST-400-WRONG-TYPE', (f) => f.id === '422-quotes-input');
  const target = await startTarget(fault.App);
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_SEED: '1', CONFORMANCE_RULES: 'POST-400-WRONG-TYPE' },
    args: ['--reporter', 'line'],
  });
  await target.close();
  expect(run.code, run.stdout.slice(-2000)).toBe(1);
  // Playwright's own summary: the failed checks under "failed", none passed as an expected failure.
  const summary = run.stdout.split('\n').filter((l) => / \d+ (failed|passed|flaky)\b/.test(l) && l.length < 80);
  expect(JSON.stringify(summary)).toMatch(/ \d+ failed/);
});

// A fault beneath many rules: GET served from a copy refreshed every 2 s (every check that counts
// entries finds one missing), and secrets masked in GET (every check that compares a config finds it
// changed). Each such check failed on its own rule before it stood on what it reads (fixtures/prerequisites.ts).
for (const { id, rule, above } of [
  {
    id: 'stale-read',
    rule: 'GET-READ-AFTER-WRITE',
    above: ['UPSERT-NO-DUPLICATE', 'UPSERT-OTHERS-UNTOUCHED', 'CONCURRENT-UPSERTS', 'NAME-EXACT', 'DELETE-EMPTIES'],
  },
  {
    id: 'masks-secrets',
    rule: 'GET-CONFIG-ROUNDTRIP',
    above: ['UPSERT-REPLACES', 'UPSERT-OTHERS-UNTOUCHED', 'CONCURRENT-UPSERTS', 'NAME-EXACT'],
  },
] as const) {
  test(`a server that breaks ${rule} (${id}) fails it; the checks that stand on it are blocked by it, not failed on their own rules`, async () => {
    const fault = faultOf(rule, (f) => f.id === id);
    const target = await startTarget(fault.App);
    const run = await runSuite({ env: { ...target.env, CONFORMANCE_SEED: '1000' } });
    await target.close();
    const rules = run.report!.rules;
    expect(rules.find((r) => r.id === rule)?.status).toBe('failed');
    for (const id of above) expect(rules.find((r) => r.id === id)?.status, id).not.toBe('failed');
    // The reason says what the blocked check had found: under its own rule, then the rule beneath it
    // (standsOn); or the rule beneath it found at once, by a check that reads its own writes before it
    // judges (DELETE-EMPTIES' lists what it posted, and may run before any check of the rule has failed).
    const blocked = rules.filter((r) => (above as readonly string[]).includes(r.id) && r.status === 'skipped');
    expect(blocked.length).toBeGreaterThan(0);
    // Or undecided, saying what no check of it saw: a list that lags never shows a check its own names.
    for (const r of blocked)
      expect(r.reason, r.id).toMatch(new RegExp(`^(blocked by ${rule}: |${rule} already failed|${NOT_SEEN})`));
    const failedChecks = new Set(
      rules.flatMap((r) => r.tests.filter((t) => t.status === 'failed').map((t) => t.testId)),
    );
    expect(failedChecks.size, run.stdout.slice(-4000)).toBeLessThanOrEqual(3);
    expect(run.report!.outcome).toBe('failed');
  });
}

test('the 2020-03-10 profile passes against the reference of that revision and is recorded', async () => {
  const run = await runSuite({ env: { CONFORMANCE_PROFILE: '2020-03-10' } });
  expect(run.code, notPassed(run).join('\n')).toBe(0);
  expect(run.report?.profile).toBe('2020-03-10');
  expect(run.report?.rules.length).toBe(RULES.length);
  expect(notPassed(run)).toEqual([]);
  // What the revision leaves open is recorded, not judged: the reference answers 200 to an unlisted name,
  // and 400 to a body that starts with a byte-order mark.
  expect(run.report?.observations).toEqual(
    expect.arrayContaining([
      'DELETE of an unlisted provider name answered 200',
      'POST with a UTF-8 byte-order mark before the JSON answered 400',
    ]),
  );
});

test('a TARGET_URL with a path prefix and a trailing slash works; a MUST rule left undecided keeps the run from passing until it is left out on purpose', async () => {
  const app = new ReferenceApp({ bots: new Map([['bot-a', 'prefix-token-123']]) });
  const listener = app.listener();
  const server = await serve(
    Object.assign(app, {
      listener: () => (req: http.IncomingMessage, res: http.ServerResponse) => {
        // The request-target in origin or absolute form (RFC 9112 § 3.2.2): its path is what the prefix is on.
        let pathname = '';
        let search = '';
        try {
          ({ pathname, search } = new URL(req.url ?? '/', 'http://prefix.invalid'));
        } catch {
          // a target that is no URL: on no path, so not found
        }
        if (!pathname.startsWith('/api/v2/'))
          return void res
            .writeHead(404, { 'content-type': 'application/json' })
            .end('{"message":"no","reason":"prefix"}');
        req.url = pathname.slice('/api/v2'.length) + search;
        listener(req, res);
      },
    }),
  );
  const target = { TARGET_URL: `${server.url}/api/v2/`, BOT_ID: 'bot-a', API_TOKEN: 'prefix-token-123' };
  const run = await runSuite({ env: target });
  // Without a second bot and another region, three MUST rules cannot be decided: an honest gate does not pass.
  const needing = RULES.filter((r) => r.needs).map((r) => r.id);
  expect(notPassed(run).filter((line) => !needing.some((id) => line.startsWith(`${id}=`)))).toEqual([]);
  expect(run.report?.rules.filter((r) => r.status === 'skipped').map((r) => r.reason)).toEqual(
    expect.arrayContaining(['needs SECOND_BOT_ID and SECOND_API_TOKEN', 'needs OTHER_REGION_URL']),
  );
  expect(run.report?.outcome).toBe('incomplete');
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    `3 MUST rules were not decided, so the run cannot pass: give what they need, or leave them out on purpose: CONFORMANCE_SKIP_RULES=${needing.join(',')}`,
  );
  // Left out on purpose, they no longer hold back the pass; the report says they were excluded.
  const waived = await runSuite({ env: { ...target, CONFORMANCE_SKIP_RULES: needing.join(',') } });
  await server.close();
  expect(waived.code, notPassed(waived).join('\n')).toBe(0);
  expect(waived.report?.outcome).toBe('passed');
  expect(waived.report?.rules.filter((r) => r.excluded).map((r) => [r.id, r.status, r.reason])).toEqual(
    needing.map((id) => [id, 'skipped', 'left out by CONFORMANCE_SKIP_RULES']),
  );
});

test('an unreachable target stops the run at once with one clear message, printed once', async () => {
  const run = await runSuite({
    env: { TARGET_URL: `http://127.0.0.1:${await freePort()}`, BOT_ID: 'b', API_TOKEN: 'unreachable-token' },
  });
  expect(run.code).not.toBe(0);
  expect((run.stdout + run.stderr).split('cannot reach the target').length - 1).toBe(1);
  // No row for each of the rules it never reached: the one reason says why.
  expect(run.stdout).not.toMatch(/^ {2}SKIPPED /m);
  expect(run.report?.outcome).toBe('aborted');
  expect(run.report?.counts.failed).toBe(0);
  expect(run.stdout + run.stderr).not.toMatch(/✘|failed: /);
});

test('credentials that get 401 on a plain GET stop the run with one message naming the variables', async () => {
  const target = await startTarget();
  const run = await runSuite({ env: { ...target.env, API_TOKEN: 'not-the-token' } });
  await target.close();
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain('BOT_ID and API_TOKEN');
  expect(run.report?.outcome).toBe('aborted');
  expect(run.stdout + run.stderr).not.toContain('not-the-token');
});

test('target settings without TARGET_URL stop the run: never a verdict on the embedded reference', async () => {
  const run = await runSuite({ env: { BOT_ID: 'my-bot', API_TOKEN: 'token-for-a-real-target' } });
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain('BOT_ID, API_TOKEN are set but TARGET_URL is not');
  expect(run.report?.outcome ?? 'none').not.toBe('passed');
  expect(run.stdout + run.stderr).not.toContain('token-for-a-real-target');
});

test('--list writes no verdict, and a run that decides no rule is incomplete with exit 1', async () => {
  const listed = await runSuite({ args: ['--list'] });
  expect(listed.code).toBe(0);
  expect(listed.report).toBeUndefined();
  // Every selected check is outside the stateless subset: all skipped, nothing decided.
  const skipped = await runSuite({ env: { CONFORMANCE_STATELESS: '1' }, args: ['-g', 'UPSERT-REPLACES'] });
  expect(skipped.code).toBe(1);
  expect(skipped.report?.outcome).toBe('incomplete');
  expect(skipped.stdout).toContain(': INCOMPLETE');
});

for (const [variable, value, message] of [
  ['CONFORMANCE_PROFILE', '1999', 'CONFORMANCE_PROFILE must be one of'],
  ['CONFORMANCE_WORKERS', 'abc', "CONFORMANCE_WORKERS must be a whole number from 1 to 64; got 'abc'"],
  [
    'CONFORMANCE_BUDGET',
    'lots',
    "CONFORMANCE_BUDGET must be a number of runs ('25'), seconds ('90s') or minutes ('5m'); got 'lots'",
  ],
]) {
  test(`a bad setting is named, and stops the run before any request: ${variable}`, async () => {
    const run = await runSuite({
      env: { TARGET_URL: 'http://127.0.0.1:9', BOT_ID: 'b', API_TOKEN: 't', [variable]: value },
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(message);
    expect(run.report, 'no verdict is written').toBeUndefined();
  });
}

class PostBody extends ReferenceApp {
  protected override ok(): Answer {
    return { status: 200, body: { ok: true } };
  }
}

test('a SHOULD violation warns and exits 0; in strict mode it fails the run', async () => {
  const target = await startTarget(PostBody);
  // Strict mode only needs the checks of the rule it turns from a warning into a failure.
  const [lenient, strict] = [
    await runSuite({ env: target.env }),
    await runSuite({
      env: { ...target.env, CONFORMANCE_STRICT: '1', CONFORMANCE_RULES: 'POST-EMPTY-BODY', CONFORMANCE_BUDGET: '0' },
    }),
  ];
  await target.close();
  expect(lenient.code, notPassed(lenient).join('\n')).toBe(0);
  expect(ruleStatus(lenient, 'POST-EMPTY-BODY')).toBe('warning');
  expect(lenient.report?.outcome).toBe('passed');
  expect(strict.code).toBe(1);
  expect(ruleStatus(strict, 'POST-EMPTY-BODY')).toBe('failed');
  expect(strict.report).toMatchObject({ strict: true, outcome: 'failed' });
});

/**
 * Quotes what it was sent in every encoding a server may use (faulty/fault.ts), in its bodies and
 * headers, and lists other secrets back, so that secrets in every form reach every report.
 */
class Leaky extends RecordingApp {
  protected override badRequest(reason: string): Answer {
    return {
      status: 400,
      body: { error: reason, echo: quotedForms(this.lastBody) },
      headers: { 'x-echo': quotedInHeader(this.lastBody.slice(0, 300)) },
    };
  }
  lastBody = '';
  protected override async readBody(req: http.IncomingMessage) {
    const read = await super.readBody(req);
    if ('raw' in read) this.lastBody = read.raw.toString('utf8').slice(0, 2000);
    return read;
  }
  protected override unauthorized(): Answer {
    return {
      status: 401,
      body: { message: '401', reason: 'Unauthorized bot', echo: quotedForms(this.lastHeader) },
      headers: { 'www-authenticate': `Bearer error_description="${quotedInHeader(this.lastHeader)}"` },
    };
  }
  lastHeader = '';
  protected override authorized(botId: string, header: string | undefined): boolean {
    this.lastHeader = header ?? '';
    return super.authorized(botId, header);
  }
  protected override render(providers: Provider[]) {
    // Lists each secret with a suffix: every round trip fails and shows both values' places.
    return super.render(
      providers.map((p) => ({
        ...p,
        config: p.config.basic
          ? { basic: { ...p.config.basic, password: `${p.config.basic.password}-changed` } }
          : { bearer: `${p.config.bearer}-changed` },
      })),
    );
  }
}

test('no secret of a run reaches any output, in any encoding: terminal (with DEBUG=pw:api), HTML report and its inline attachments, JUnit, conformance.json', async () => {
  const target = await startTarget(Leaky);
  const seeded = await seedSecrets(target);
  // Playwright's API debug log: the suite's requests go through node:http, so it has nothing of them to print.
  const run = await runSuite({ env: { ...target.env, DEBUG: 'pw:api' } });
  await target.close();
  expect(run.code).toBe(1); // the leaky server fails many rules: reports are full of exchanges
  const secrets = secretsOfRun(target, seeded);
  expect(secrets.length).toBeGreaterThan(50);
  expect(leaksOf(run, secrets)).toEqual([]);
  // The reports do show what went wrong, redacted.
  const html = [...outputsOf(run.reportDir).entries()]
    .filter(([f]) => f.includes('html'))
    .map(([, t]) => t)
    .join('\n');
  expect(html).toContain('«redacted»');
  expect(html).toContain('GET-CONFIG-ROUNDTRIP');
});

test.describe('snapshot and restore', () => {
  test('after a run, both bots hold exactly what they held before, and the snapshot is gone', async () => {
    const target = await startTarget();
    const saved = await preload(target);
    const run = await runSuite({ env: target.env });
    expect(run.code, notPassed(run).join('\n')).toBe(0);
    await expectRestored(target, saved);
    expect(readdirSync(run.stateDir)).toEqual([]);
    await target.close();
  });

  test('a run interrupted with Ctrl-C (SIGINT) still restores', async () => {
    const target = await startTarget(ReferenceApp, { latencyMs: 20 });
    const saved = await preload(target);
    const run = await runSuite({
      env: target.env,
      interrupt: { signal: 'SIGINT', afterMs: 1500 },
    });
    expect(run.report?.outcome ?? 'failed').not.toBe('passed');
    await expectRestored(target, saved);
    expect(readdirSync(run.stateDir)).toEqual([]);
    await target.close();
  });

  test('a killed run leaves a user-only snapshot outside reports/, blocks the next run, and npm run restore puts the data back', async () => {
    const target = await startTarget(ReferenceApp, { latencyMs: 20 });
    const saved = await preload(target);
    const run = await runSuite({
      env: target.env,
      detached: true,
      // The whole process group: the runner and its workers die without any teardown.
      interrupt: { signal: 'SIGKILL', afterMs: 1500 },
    });
    expect(run.signal).toBe('SIGKILL');
    const left = readdirSync(run.stateDir).sort();
    expect(left).toEqual([
      expect.stringMatching(/^lock-[0-9a-f]{12}\.json$/),
      expect.stringMatching(/^secrets-[0-9a-f]{16}\.jsonl$/),
      expect.stringMatching(/^snapshot-[0-9a-f]{12}\.json$/),
    ]);
    for (const file of left) expect(statSync(join(run.stateDir, file)).mode & 0o777, file).toBe(0o600);
    expect(run.stateDir.startsWith(run.reportDir)).toBe(false);
    const blocked = await runSuite({ env: target.env, stateDir: run.stateDir });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toMatch(/died before it verified its restore.*npm run restore/);
    const restore = await runSuite({
      env: target.env,
      stateDir: run.stateDir,
      command: [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'run/restore-cli.ts'],
    });
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    await expectRestored(target, saved);
    expect(readdirSync(run.stateDir)).toEqual([]);
    await target.close();
  });
});

// What a person acting on a failure reads, from real runs against faulty servers: JUnit whose counts
// add up, HAR files a network panel opens, the credential kind a server took, a step summary for CI,
// a narrowed run that shows only what it ran, a 5xx that fails the robustness rule wherever it was
// seen, and a long body that replays from its file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FAULTS } from '../faulty/catalogue.ts';
import { ReferenceApp } from '../reference/app.ts';
import { exchange } from '../client/http.ts';
import { named } from '../rules/answers.ts';
import { attachmentsOf } from './support/outputs.ts';
import { runSuite, type SuiteRun } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';
import { scratchDir } from './support/scratch.ts';

const faultNamed = (id: string) => FAULTS.find((f) => f.id === id)!.App;

/** Each <testsuite>'s counts beside the elements it holds, and the root's beside the sums. */
function junitCounts(xml: string) {
  const attrs = (tag: string) => Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
  const count = (text: string, element: string) => (text.match(new RegExp(`<${element}[ >/]`, 'g')) ?? []).length;
  const suites = [...xml.matchAll(/<testsuite (?<open>[^>]*)>(?<body>[\s\S]*?)<\/testsuite>/g)].map((m) => {
    const { body } = m.groups!;
    return {
      declared: attrs(m.groups!.open),
      held: {
        tests: count(body, 'testcase'),
        failures: count(body, 'failure'),
        errors: count(body, 'error'),
        skipped: count(body, 'skipped'),
      },
    };
  });
  const root = attrs(/<testsuites ([^>]*)>/.exec(xml)![1]);
  return { suites, root };
}

/** The HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/): what a network panel or an API client requires of a file. */
const HAR = {
  type: 'object',
  required: ['log'],
  properties: {
    log: {
      type: 'object',
      required: ['version', 'creator', 'entries'],
      properties: {
        version: { const: '1.2' },
        creator: {
          type: 'object',
          required: ['name', 'version'],
          properties: { name: { type: 'string' }, version: { type: 'string' } },
        },
        entries: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings'],
            properties: {
              startedDateTime: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT' },
              time: { type: 'number', minimum: 0 },
              request: {
                type: 'object',
                required: [
                  'method',
                  'url',
                  'httpVersion',
                  'cookies',
                  'headers',
                  'queryString',
                  'headersSize',
                  'bodySize',
                ],
                properties: {
                  headers: { type: 'array', items: { type: 'object', required: ['name', 'value'] } },
                  postData: { type: 'object', required: ['mimeType', 'text'] },
                },
              },
              response: {
                type: 'object',
                required: [
                  'status',
                  'statusText',
                  'httpVersion',
                  'cookies',
                  'headers',
                  'content',
                  'redirectURL',
                  'headersSize',
                  'bodySize',
                ],
                properties: { content: { type: 'object', required: ['size', 'mimeType'] } },
              },
              timings: { type: 'object', required: ['send', 'wait', 'receive'] },
            },
          },
        },
      },
    },
  },
};

// A server that answers wrong credentials with a status AUTH-WRONG-TOKEN does not allow (403 today),
// quoting the credential it was sent.
const quoting = FAULTS.find((f) => f.id === 'auth-403-quotes-credential')!;

test.describe('a server that answers wrong credentials with a status the rule does not allow', () => {
  test.describe.configure({ mode: 'serial' });
  let target: Target;
  let run: SuiteRun;
  let summary: string;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    target = await startTarget(quoting.App);
    summary = join(scratchDir('summary'), 'summary.md');
    run = await runSuite({
      env: { ...target.env, CONFORMANCE_TARGET_NAME: 'staging-eu', GITHUB_STEP_SUMMARY: summary },
    });
  });
  test.afterAll(async () => target?.close());

  test('JUnit: each suite and the root count exactly the test cases, failures, errors and skips they hold; a rule failure is a <failure> typed by its rule', () => {
    expect(run.code).toBe(1);
    const xml = readFileSync(join(run.reportDir, 'junit.xml'), 'utf8');
    const { suites, root } = junitCounts(xml);
    expect(suites.length).toBeGreaterThan(3);
    for (const s of suites)
      expect(Object.fromEntries(Object.keys(s.held).map((k) => [k, Number(s.declared[k])]))).toEqual(s.held);
    for (const key of ['tests', 'failures', 'errors', 'skipped'] as const)
      expect(Number(root[key])).toBe(suites.reduce((n, s) => n + s.held[key], 0));
    expect(Number(root.failures)).toBeGreaterThan(0);
    // Each <failure> is typed by the rule its message names; the fault's rule is one of them, or among
    // the rules the failed check found broken besides (the family its failure swept, fixtures/rule.ts).
    const failures = [
      ...xml.matchAll(/<failure message="([A-Z0-9-]+) \(MUST\) failed: [^"]+" type="([A-Z0-9-]+)">([^<]*)</g),
    ];
    expect(failures.length).toBe(Number(root.failures));
    for (const [, named, type] of failures) expect(type).toBe(named);
    expect(
      failures.some(
        ([, , type, text]) => type === 'AUTH-WRONG-TOKEN' || /Also found broken: [^\n]*AUTH-WRONG-TOKEN/.test(text),
      ),
    ).toBe(true);
    expect(Number(root.errors)).toBe(0);
  });

  test('each failing check leaves a HAR 1.2 file of its exchanges, reports/har/RULE.har, credentials by kind', () => {
    const files = readdirSync(join(run.reportDir, 'har'));
    expect(files).toContain('AUTH-WRONG-TOKEN.har');
    const validate = new Ajv2020({ allErrors: true }).compile(HAR);
    for (const file of files) {
      const har = JSON.parse(readFileSync(join(run.reportDir, 'har', file), 'utf8')) as {
        log: { entries: { request: { headers: { name: string; value: string }[] }; response: { status: number } }[] };
      };
      expect(validate(har), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const har = JSON.parse(readFileSync(join(run.reportDir, 'har', 'AUTH-WRONG-TOKEN.har'), 'utf8')) as {
      log: { entries: { request: { headers: { name: string; value: string }[] }; response: { status: number } }[] };
    };
    expect(har.log.entries.some((e) => e.response.status === quoting.wrongStatus)).toBe(true);
    const credentials = har.log.entries.flatMap((e) =>
      e.request.headers.filter((h) => h.name === 'authorization').map((h) => h.value),
    );
    expect(credentials).toContain('Bearer «$API_TOKEN with its last character changed»');
    expect(credentials.join('\n')).not.toContain(target.bots.tokenA.slice(0, 12));
  });

  test('a transcript names the kind of each derived credential, never its value', () => {
    const exchanges = attachmentsOf(run.reportDir).join('\n');
    expect(exchanges).toContain('authorization: Bearer «$API_TOKEN with its last character changed»');
    expect(exchanges).toContain('authorization: Bearer «$API_TOKEN with a no-break space before it»');
    expect(exchanges).toContain('authorization: Bearer $SECOND_API_TOKEN');
  });

  test('GITHUB_STEP_SUMMARY gets the verdict as Markdown: the outcome, the seed, a row for each failed rule with its reason', () => {
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain(`### Media-provider conformance of staging-eu (${target.main.url}): FAILED`);
    expect(markdown).toContain(`seed ${run.report!.seed}`);
    expect(markdown).toMatch(
      new RegExp(
        `^\\| failed \\| MUST \\| \`AUTH-WRONG-TOKEN\` \\| expected ${named('AUTH-WRONG-TOKEN')}, got ${quoting.wrongStatus} .+ \\|$`,
        'm',
      ),
    );
  });

  test('conformance.html names the target and links each rule to its section of the vendor page', () => {
    const html = readFileSync(join(run.reportDir, 'conformance.html'), 'utf8');
    expect(html).toContain(`<th>staging-eu <small>${target.main.url}</small>`);
    expect(html).toMatch(
      /<a href="https:\/\/developers\.sinch\.com\/docs\/whatsapp-legacy\/http-rest\/media-provider#:~:text=[^"]+">/,
    );
  });

  test('a run narrowed to one rule collects only the checks that decide it; the other rules appear once, as excluded, in the matrix only', async () => {
    const narrowed = await runSuite({
      env: { ...target.env, CONFORMANCE_RULES: 'AUTH-WRONG-TOKEN', CONFORMANCE_BUDGET: '0' },
    });
    expect(narrowed.code).toBe(1);
    const xml = readFileSync(join(narrowed.reportDir, 'junit.xml'), 'utf8');
    const { root } = junitCounts(xml);
    expect(Number(root.tests)).toBeLessThan(10);
    // What is skipped was collected for the rule: blocked by a failure on the way, its rule already failed
    // by another check, or a generated check of no budget.
    for (const [, message] of xml.matchAll(/<skipped message="([^"]*)"/g))
      expect(message).toMatch(
        /^(blocked by AUTH-|AUTH-[A-Z-]+ already failed on this target|a generated check, left out by CONFORMANCE_BUDGET=0)/,
      );
    expect(narrowed.stdout).not.toContain('CONFORMANCE_RULES (');
    const report = narrowed.report!;
    expect(report.selectedRules).toEqual(['AUTH-WRONG-TOKEN']);
    expect(report.rules.find((r) => r.id === 'AUTH-WRONG-TOKEN')?.status).toBe('failed');
    const undecided = report.rules.filter((r) => r.tests.length === 0);
    expect(undecided.length).toBeGreaterThanOrEqual(10);
    for (const r of undecided)
      expect(r, r.id).toMatchObject({
        status: 'skipped',
        excluded: true,
        reason: 'outside CONFORMANCE_RULES (AUTH-WRONG-TOKEN)',
      });
  });
});

/** Answers 500 to a body of JSON null, as a handler that reads `body.name` of null does. */
class NullBody500 extends ReferenceApp {
  protected override validate(body: unknown) {
    if (body === null) throw new Error('cannot read properties of null');
    return super.validate(body);
  }
}

test('a 5xx seen by any check also fails ROBUST-NO-5XX, naming the check that saw it', async () => {
  const target = await startTarget(NullBody500);
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_RULES: 'POST-400-NOT-OBJECT', CONFORMANCE_BUDGET: '0' },
  });
  await target.close();
  const rules = new Map(run.report!.rules.map((r) => [r.id, r]));
  expect(rules.get('POST-400-NOT-OBJECT')).toMatchObject({
    status: 'failed',
    reason: expect.stringContaining('answered 500'),
  });
  expect(rules.get('ROBUST-NO-5XX')).toMatchObject({
    status: 'failed',
    reason: expect.stringMatching(
      /^POST \/whatsapp\/v1\/bot-a\/provision\/provider answered 500.*seen by the check of POST-400-NOT-OBJECT/,
    ),
  });
});

test('a body too long for a curl line is written to reports/replay, the curl line reads it, and posting it reproduces the failure', async () => {
  const App = faultNamed('varchar-255');
  const target = await startTarget(App);
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_RULES: 'GET-CONFIG-ROUNDTRIP', CONFORMANCE_BUDGET: '0' },
  });
  await target.close();
  expect(run.code).toBe(1);
  const exchanges = attachmentsOf(run.reportDir).join('\n');
  const files = readdirSync(join(run.reportDir, 'replay'));
  expect(files.length).toBeGreaterThan(0);
  expect(exchanges).not.toContain('body, not shown');
  const long = files
    .map((f) => ({
      f,
      body: JSON.parse(readFileSync(join(run.reportDir, 'replay', f), 'utf8')) as {
        name: string;
        config: { bearer?: string };
      },
    }))
    .find(
      ({ body }) =>
        typeof body.config?.bearer === 'string' &&
        body.config.bearer.length > 255 &&
        body.config.bearer.length < 10_000,
    )!;
  expect(long, 'a replayed body with a bearer past 255 characters').toBeDefined();
  expect(exchanges).toMatch(new RegExp(`--data-binary @\\S*replay/${long.f}`));
  // Replayed by hand against a fresh server of the same fault: the bearer comes back cut.
  const fresh = await startTarget(App);
  const base = `${fresh.main.url}/whatsapp/v1/${fresh.bots.botA}/provision/provider`;
  const authorization = `Bearer ${fresh.bots.tokenA}`;
  const posted = await exchange(
    {
      method: 'POST',
      url: base,
      headers: { authorization, 'content-type': 'application/json' },
      body: readFileSync(join(run.reportDir, 'replay', long.f), 'utf8'),
    },
    5000,
  );
  const listed = await exchange({ method: 'GET', url: base, headers: { authorization } }, 5000);
  await fresh.close();
  expect(posted.received.status).toBe(200);
  const stored = (
    listed.received.json as {
      settings: { application: { media: { providers: { name: string; config: { bearer?: string } }[] } } };
    }
  ).settings.application.media.providers.find((p) => p.name === long.body.name);
  expect(stored?.config.bearer?.length).toBe(255);
  expect(long.body.config.bearer!.length).toBeGreaterThan(255);
});

// The Prism mock (@stoplight/prism-cli 5.14.2, see the README for why that version): the behaviours
// the suite's stateless subset relies on are pinned here, then that subset runs against it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { prismArgs } from '../mock/cli.ts';
import { rulesFor } from '../rules/catalogue.ts';
import { exchange } from '../client/http.ts';
import { freePort } from '../tools/ports.ts';
import { ROOT, cleanEnv, notPassed, runSuite, ruleStatus } from './support/run-suite.ts';

let url: string;
let stop: () => Promise<void>;

test.beforeAll(async () => {
  const port = await freePort();
  const prism = spawn(process.execPath, prismArgs('default', port), { cwd: ROOT, env: cleanEnv({}) });
  let output = '';
  prism.stdout.on('data', (d) => (output += d));
  prism.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => prism.on('exit', r));
  await expect.poll(() => output, { timeout: 20_000 }).toContain(`Prism is listening on http://127.0.0.1:${port}`);
  url = `http://127.0.0.1:${port}`;
  stop = async () => {
    prism.kill('SIGTERM');
    await exited;
  };
});
test.afterAll(async () => stop?.());

const PATH = '/whatsapp/v1/any-bot/provision/provider';
const valid = JSON.stringify({ name: 'p', type: 'www', config: { bearer: 'x' } });
const send = (method: string, headers: Record<string, string>, body?: string) =>
  exchange({ method, url: url + PATH, headers, body }, 5000);

test('Prism answers 401 with the spec example and an sl-violations header when credentials are missing or not Bearer', async () => {
  for (const headers of [{}, { authorization: 'Basic dTpw' }, { authorization: 'bearer x' }] as Record<
    string,
    string
  >[]) {
    const answer = await send('GET', headers);
    expect(answer.received.status, JSON.stringify(headers)).toBe(401);
    expect(answer.received.json).toEqual({ message: '401', reason: 'Unauthorized bot' });
    expect(answer.received.headers['sl-violations']).toBeTruthy();
  }
});

test('Prism accepts any Bearer token: it cannot judge wrong tokens (the stateless subset does not ask it to)', async () => {
  expect((await send('GET', { authorization: 'Bearer whatever' })).received.status).toBe(200);
});

test("Prism answers a schema violation with the spec's own 400 example, and malformed JSON with 400 in its own shape", async () => {
  const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };
  const invalid = await send('POST', headers, JSON.stringify({ name: 'p', type: 'WWW', config: {} }));
  expect(invalid.received.status).toBe(400);
  expect(invalid.received.json).toEqual({ message: 'Validation error', reason: 'Field [name] can not be empty.' });
  const malformed = await send('POST', headers, '{"name":');
  expect(malformed.received.status).toBe(400);
  expect(malformed.received.json).toMatchObject({ error: { code: 'invalid_json' } });
  const ok = await send('POST', headers, valid);
  expect(ok.received.status).toBe(200);
  expect(ok.received.text).toBe('');
});

test('the stateless subset of the suite passes against Prism, with the one warning its own 400 body earns', async () => {
  const run = await runSuite({
    env: { TARGET_URL: url, BOT_ID: 'any-bot', API_TOKEN: 'mock-token-123', CONFORMANCE_STATELESS: '1' },
  });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.report?.outcome).toBe('passed');
  // Prism's malformed-JSON body is {"error":{...}}: a JSON object (MUST holds) without message/reason (SHOULD warns).
  expect(ruleStatus(run, 'ERROR-400-FIELDS')).toBe('warning');
  for (const id of [
    'POST-VALID-200',
    // Every refusal of the original page: Prism validates the schema the rules' constraints come from.
    ...rulesFor('default')
      .filter((r) => r.refuses)
      .map((r) => r.id),
    'ERROR-400-JSON',
    'GET-200-SHAPE',
    'AUTH-MISSING',
    'AUTH-MALFORMED',
    'AUTH-401-JSON',
    'AUTH-401-FIELDS',
  ]) {
    expect(ruleStatus(run, id), `${id}\n${notPassed(run).join('\n')}`).toBe('passed');
  }
  // A mock keeps nothing: "a refused request changes nothing" would hold vacuously, so it is out of the subset.
  for (const id of ['POST-400-NO-CHANGE', 'AUTH-NO-CHANGE'])
    expect(run.report?.rules.find((r) => r.id === id)).toMatchObject({ status: 'skipped', excluded: true });
});

test('npm run mock serves the revision on request: its per-provider DELETE exists there, and only there', async () => {
  const port = await freePort();
  const prism = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'mock/cli.ts', '--port', String(port), '--profile', '2020-03-10'],
    { cwd: ROOT, env: cleanEnv({}) },
  );
  let output = '';
  prism.stdout.on('data', (d) => (output += d));
  const exited = new Promise((r) => prism.on('exit', r));
  await expect.poll(() => output, { timeout: 20_000 }).toContain(`Prism is listening on http://127.0.0.1:${port}`);
  const remove = (base: string) =>
    exchange({ method: 'DELETE', url: `${base}${PATH}/some-name`, headers: { authorization: 'Bearer t' } }, 5000);
  expect((await remove(`http://127.0.0.1:${port}`)).received.status).toBe(200);
  expect((await remove(url)).received.status).toBe(404);
  prism.kill('SIGTERM');
  await exited;
});

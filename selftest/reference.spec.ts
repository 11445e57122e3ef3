// The reference server over real HTTP on loopback: its fixed command line, its log, its shutdown,
// and hostile input. (That it passes every rule is proven by running the suite on it: suite.spec.ts.)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT, cleanEnv } from './support/run-suite.ts';
import { exchange, type Sent } from '../client/http.ts';

const CLI = ['--import', 'tsx', 'reference/cli.ts'];
/** The package's `serve`, as `npm run reference` runs it. */
const SERVE = ['bin/conformance.js', 'serve'];

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startCli(args: string[], env: Record<string, string> = {}, command = CLI): Promise<Started> {
  const child = spawn(process.execPath, [...command, ...args], { cwd: ROOT, env: cleanEnv(env) });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
      if (m) {
        clearInterval(poll);
        resolve(m[1]);
      }
    }, 10);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`exited ${code} before listening: ${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

const path = (bot: string) => `/whatsapp/v1/${encodeURIComponent(bot)}/provision/provider`;
const send = (url: string, s: Partial<Sent> & { path: string }) =>
  exchange({ method: s.method ?? 'GET', url: url + s.path, headers: s.headers ?? {}, body: s.body }, 5000);

test('the fixed command line: --port 0 --bots prints one listening line; per-bot tokens; SIGTERM exits 0', async () => {
  const server = await startCli(['--port', '0', '--bots', 'bot-a:token-aaaa,bot-b:token-bbbb']);
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
  const body = JSON.stringify({
    name: 'one',
    type: 'www',
    config: { basic: { username: 'u', password: 'pass-secret-1' } },
  });
  expect(
    (await send(server.url, { method: 'POST', path: path('bot-a'), headers: auth('token-aaaa'), body })).received
      .status,
  ).toBe(200);
  expect((await send(server.url, { path: path('bot-a'), headers: auth('token-bbbb') })).received.status).toBe(401);
  expect((await send(server.url, { path: path('bot-b'), headers: auth('token-bbbb') })).received.json).toEqual({
    settings: { application: { media: { providers: [] } } },
  });
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  const lines = server.output().trim().split('\n');
  expect(lines.filter((l) => l.startsWith('listening on'))).toHaveLength(1);
  expect(lines.filter((l) => /^(GET|POST) \/whatsapp/.test(l))).toHaveLength(3); // one line per request
  for (const secret of ['token-aaaa', 'token-bbbb', 'pass-secret-1']) expect(server.output()).not.toContain(secret);
});

test('serve without --bots: two bots with random tokens of 32 characters, written to a file only the user can read (removed on exit), never printed unless --show-tokens', async () => {
  const server = await startCli(['--port', '0', '--quiet'], {}, SERVE);
  const line =
    /^bots: bot-a, bot-b; tokens generated \(32 random characters each\), in (\S+) \(readable by you only; removed when the server stops\)$/m;
  await expect.poll(() => line.test(server.output())).toBe(true);
  const file = line.exec(server.output())![1];
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
  const written = Object.fromEntries(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(written).toMatchObject({ TARGET_URL: server.url, BOT_ID: 'bot-a', SECOND_BOT_ID: 'bot-b' });
  const tokens = [written.API_TOKEN, written.SECOND_API_TOKEN];
  for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(tokens[0]).not.toBe(tokens[1]);
  const answer = await send(server.url, { path: path('bot-a'), headers: { authorization: `Bearer ${tokens[0]}` } });
  expect(answer.received.status).toBe(200);
  for (const token of tokens) expect(server.output()).not.toContain(token);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(existsSync(file)).toBe(false);

  // A second server's tokens differ; --show-tokens prints them, as asked.
  const shown = await startCli(['--port', '0', '--quiet', '--show-tokens'], {}, SERVE);
  await expect.poll(() => /^token of bot-b: /m.test(shown.output())).toBe(true);
  const printed = /^token of bot-a: (\S+)$/m.exec(shown.output())![1];
  expect(printed).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(tokens).not.toContain(printed);
  shown.child.kill('SIGTERM');
  await shown.exited;
});

test('serve says where given tokens come from (--bots, REFERENCE_BOTS), never what they are', async () => {
  for (const [args, env, from] of [
    [['--bots', 'bot-x:token-given-on-flag'], {}, '--bots'],
    [[], { REFERENCE_BOTS: 'bot-x:token-given-in-env' }, 'REFERENCE_BOTS'],
  ] as const) {
    const server = await startCli(['--port', '0', ...args], env, SERVE);
    await expect.poll(() => server.output()).toContain(`bots: bot-x; tokens from ${from}`);
    expect(server.output()).not.toMatch(/token-given/);
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test("--bots '' starts a region where no bot resides: every request gets 401; SIGINT exits 0", async () => {
  const server = await startCli(['--port', '0', '--bots', ''], { REFERENCE_BOTS: 'bot-a:token-aaaa' });
  const answer = await send(server.url, { path: path('bot-a'), headers: { authorization: 'Bearer token-aaaa' } });
  expect(answer.received.status).toBe(401);
  expect(answer.received.json).toEqual({ message: '401', reason: 'Unauthorized bot' });
  server.child.kill('SIGINT');
  expect(await server.exited).toBe(0);
});

test('environment twins: REFERENCE_PORT and REFERENCE_BOTS', async () => {
  const server = await startCli([], { REFERENCE_PORT: '0', REFERENCE_BOTS: 'env-bot:env-token' });
  expect(
    (await send(server.url, { path: path('env-bot'), headers: { authorization: 'Bearer env-token' } })).received.status,
  ).toBe(200);
  server.child.kill('SIGTERM');
  await server.exited;
});

for (const [args, flag] of [
  [['--port', 'eighty'], '--port'],
  [['--bots', 'no-token-here'], '--bots'],
  [['--profile', '2099'], '--profile'],
  [['--colour'], '--colour'],
  [['--latency-ms', '-5'], '--latency-ms'],
] as const) {
  test(`a bad flag (${args.join(' ')}) gets a message naming ${flag} and exit code 2`, async () => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cleanEnv({}) });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain(flag);
  });
}

test('hostile input never gets a 5xx or a dropped connection, and errors are JSON', async () => {
  const server = await startCli(['--port', '0', '--bots', 'bot-a:token-aaaa', '--quiet']);
  const headers = { authorization: 'Bearer token-aaaa', 'content-type': 'application/json' };
  const bodies = [
    JSON.stringify({ name: '__proto__', type: 'www', config: { bearer: 'x' } }),
    JSON.stringify({ name: 'constructor', type: 'www', config: { bearer: 'x' } }),
    '{"__proto__":{"admin":true},"name":"p","type":"www","config":{"__proto__":{"x":1},"bearer":"x"}}',
    JSON.stringify({ name: '𝄞😀', type: 'www', config: { bearer: 'x' } }),
    JSON.stringify({ name: 'big', type: 'www', config: { bearer: 'b'.repeat(1024 * 1024) } }),
    '['.repeat(1024 * 1024),
    `{"name":"deep","type":"www","config":{"bearer":"x","extra":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`,
    JSON.stringify({ name: null, type: null, config: null }),
    'x'.repeat(5 * 1024 * 1024),
  ];
  for (const body of bodies) {
    const answer = await send(server.url, { method: 'POST', path: path('bot-a'), headers, body });
    expect(answer.received.status, body.slice(0, 40)).toBeLessThan(500);
    if (answer.received.status !== 200) expect(typeof answer.received.json, body.slice(0, 40)).toBe('object');
  }
  const noType = await send(server.url, {
    method: 'POST',
    path: path('bot-a'),
    headers: { authorization: headers.authorization },
    body: JSON.stringify({ name: 'n', type: 'www', config: { bearer: 'x' } }),
  });
  expect(noType.received.status).toBe(200);
  const list = await send(server.url, { path: path('bot-a'), headers });
  expect(list.received.status).toBe(200);
  const names = (
    list.received.json as { settings: { application: { media: { providers: { name: string }[] } } } }
  ).settings.application.media.providers.map((p) => p.name);
  expect(names).toEqual(expect.arrayContaining(['__proto__', 'constructor', '𝄞😀', 'big', 'n']));
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
  for (const [method, p] of [
    ['PUT', path('bot-a')],
    ['GET', '/nope'],
    ['GET', '/whatsapp/v1/%E0%A4%A/provision/provider'],
  ]) {
    const answer = await send(server.url, { method, path: p, headers });
    expect(answer.received.status, `${method} ${p}`).toBeGreaterThanOrEqual(400);
    expect(answer.received.status, `${method} ${p}`).toBeLessThan(500);
    expect(typeof answer.received.json).toBe('object');
  }
  server.child.kill('SIGTERM');
  await server.exited;
});

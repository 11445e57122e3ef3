// What a user trusts the suite with, shown over real runs on loopback: one run per bot at a time
// (the lock), bot ids that cannot move the run elsewhere, answers of bounded size, no credential sent
// to another origin, data put back after a failing run and after a target restarted mid-run, and a
// short token that neither leaks nor wrecks the transcripts.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type http from 'node:http';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { EndlessAnswer, FAULTS, faultOf } from '../faulty/catalogue.ts';
import { ReferenceApp } from '../reference/app.ts';
import { serve } from '../reference/serve.ts';
import { MAX_ANSWER_BYTES } from '../client/http.ts';
import { compileCache } from '../run/compile-cache.ts';
import { expectRestored, listOf, preload } from './support/bot-data.ts';
import { attachmentsOf } from './support/outputs.ts';
import { recording, type Recording } from './support/recording.ts';
import { ROOT, newStateDir, notPassed, runSuite, ruleStatus } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';

const RESTORE = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'run/restore-cli.ts'];

test('two runs started at the same moment on one bot: one runs, the other refuses, and no provider is lost', async () => {
  // Slow answers while both runs are under way; once one has ended (the refused one), full speed.
  const target = await startTarget(ReferenceApp, { latencyMs: 5 });
  const saved = await preload(target);
  const stateDir = newStateDir();
  const fullSpeed = () => {
    target.app.options.latencyMs = 0;
  };
  const [a, b] = await Promise.all([
    runSuite({ env: target.env, stateDir }).finally(fullSpeed),
    runSuite({ env: target.env, stateDir }).finally(fullSpeed),
  ]);
  const [ran, refused] = a.report?.outcome === 'aborted' ? [b, a] : [a, b];
  expect(ran.code, notPassed(ran).join('\n') + ran.stderr).toBe(0);
  expect(refused.code).not.toBe(0);
  expect(refused.report?.outcome).toBe('aborted');
  expect(refused.stdout + refused.stderr).toMatch(
    /another run \w+ \(pid \d+ on .+, started .+\) is testing bot 'bot-a'.* right now/,
  );
  expect(refused.stdout + refused.stderr).not.toContain('npm run restore');
  await expectRestored(target, saved);
  expect(readdirSync(stateDir)).toEqual([]);
  await target.close();
});

test('npm run restore refuses while the run that holds the bot is alive, and that run restores the bot itself', async () => {
  // Every answer is slow until the restore attempt is over, so that the attempt meets the run under
  // way; then the run goes on at full speed.
  const target = await startTarget(ReferenceApp, { latencyMs: 50 });
  const saved = await preload(target);
  let restore: Promise<Awaited<ReturnType<typeof runSuite>>> | undefined;
  const stateDir = newStateDir();
  const run = await runSuite({
    env: target.env,
    stateDir,
    onTesting: () => {
      restore = runSuite({ env: target.env, stateDir, command: RESTORE }).finally(() => {
        target.app.options.latencyMs = 0;
      });
    },
  });
  const during = await restore!;
  expect(during.code).toBe(1);
  expect(during.stderr).toMatch(/is still testing bot 'bot-a'; it restores the bot itself/);
  expect(run.code, notPassed(run).join('\n')).toBe(0);
  await expectRestored(target, saved);
  await target.close();
});

test("bot ids that are not one path segment ('.', '..') are refused before any request", async () => {
  const target = await startTarget(recording(ReferenceApp));
  for (const [variable, value] of [
    ['BOT_ID', '..'],
    ['BOT_ID', '.'],
    ['SECOND_BOT_ID', '..'],
  ]) {
    const run = await runSuite({ env: { ...target.env, [variable]: value } });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain(`${variable} must be a bot id, not '${value}'`);
    expect(readdirSync(run.stateDir)).toEqual([]);
  }
  expect((target.app as Recording).seen.size).toBe(0);
  await target.close();
});

test('an answer that never ends is cut off at the cap and reported as a hang, never buffered whole', async () => {
  EndlessAnswer.written = [];
  const target = await startTarget(EndlessAnswer);
  const run = await runSuite({ env: target.env });
  await target.close();
  expect(ruleStatus(run, 'ROBUST-NO-HANG'), notPassed(run).join('\n')).toBe('failed');
  const reason = run.report?.rules.find((r) => r.id === 'ROBUST-NO-HANG')?.reason ?? '';
  expect(reason).toContain(`passed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was cut off`);
  // The client stopped reading at the cap: what the server got out is the cap plus what the kernel's
  // socket buffers hold (they grow up to the machine's maxima while a loaded client is slow to let go),
  // not the timeout's worth, which on loopback is gigabytes.
  // (A generated name may hit the endless answer too, depending on the seed: each is cut the same way.)
  expect(EndlessAnswer.written.length).toBeGreaterThanOrEqual(1);
  for (const written of EndlessAnswer.written) {
    expect(written).toBeGreaterThan(MAX_ANSWER_BYTES);
    expect(written).toBeLessThan(MAX_ANSWER_BYTES + socketBuffersMax());
  }
  expect(notPassed(run).filter((r) => !r.startsWith('ROBUST-NO-HANG'))).toEqual([]);
});

test('a server whose DELETE keeps the list is left no megabyte: the 1 MiB bearer the robustness check posted is written over before its cleanup', async () => {
  const keeps = FAULTS.find((f) => f.id === 'delete-noop')!;
  let largest = 0;
  class Sized extends (keeps.App as typeof ReferenceApp) {
    protected override async handle(req: http.IncomingMessage) {
      largest = Math.max(largest, Number(req.headers['content-length'] ?? 0));
      return super.handle(req);
    }
  }
  const target = await startTarget(Sized);
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_BUDGET: '0' },
    args: ['tests/robustness.spec', '-g', 'bearer of 1 MiB'],
  });
  const left = await listOf(target, target.bots.botA, target.bots.tokenA);
  await target.close();
  // The megabyte went out and the server kept it (its DELETE, the cleanup's and the restore's, empties nothing).
  expect(largest, run.stdout).toBeGreaterThan(1024 * 1024);
  expect(left.length).toBeGreaterThan(0);
  expect(Math.max(...left.map((p) => JSON.stringify(p).length))).toBeLessThan(1024);
});

test('a redirect to another origin is not followed: the token never reaches it', async () => {
  const reached: string[] = [];
  const other = await serve(new ReferenceApp({ bots: new Map(), log: (line) => reached.push(line) }));
  let redirected = 0;
  class Redirecting extends ReferenceApp {
    override listener(): http.RequestListener {
      const inner = super.listener();
      return (req, res) => {
        // The robustness checks' odd bot id 'constructor' is sent elsewhere (a redirect is no 401, so not '__proto__', an auth check's).
        if (/\/v1\/constructor\//.test(req.url ?? '')) {
          redirected++;
          return void res.writeHead(307, { location: `${other.url}${req.url}`, 'content-length': 0 }).end();
        }
        inner(req, res);
      };
    }
  }
  const target = await startTarget(Redirecting);
  const run = await runSuite({ env: target.env });
  await Promise.all([target.close(), other.close()]);
  expect(run.code, notPassed(run).join('\n')).toBe(0);
  expect(redirected).toBeGreaterThan(0);
  expect(reached).toEqual([]);
});

test('after a failing run, the bots hold exactly what they held before', async () => {
  const fault = faultOf('AUTH-WRONG-TOKEN');
  const target = await startTarget(fault.App);
  const saved = await preload(target);
  const run = await runSuite({ env: target.env });
  expect(run.code).toBe(1);
  expect(ruleStatus(run, fault.rule)).toBe('failed');
  await expectRestored(target, saved);
  // What is left is the failing cases the generated checks found, to replay first next time (no secret: seeds and rules).
  expect(readdirSync(run.stateDir).filter((f) => !f.startsWith('found-'))).toEqual([]);
  await target.close();
});

test("a target restarted mid-run (its memory lost) gets the bots' data back from the snapshot", async () => {
  const target = await startTarget(ReferenceApp, { latencyMs: 10 });
  const saved = await preload(target);
  const port = Number(new URL(target.main.url).port);
  let restarted: Promise<void> | undefined;
  let afterRestart = 0;
  const run = await runSuite({
    env: target.env,
    onTesting: () => {
      restarted = (async () => {
        await new Promise((r) => setTimeout(r, 800));
        await target.main.close();
        // The run goes on at full speed: the slow answers before were only to keep it under way for the restart.
        const fresh = await serve(new ReferenceApp({ bots: target.app.options.bots, log: () => afterRestart++ }), port);
        target.main = fresh;
      })();
    },
  });
  await restarted;
  expect(afterRestart, 'the run went on against the restarted target').toBeGreaterThan(10);
  await expectRestored(target, saved);
  expect(readdirSync(run.stateDir)).toEqual([]);
  await target.close();
});

test('a 3-character token is masked in every header form without masking the word in bodies', async () => {
  // A server that answers a token sent without a scheme with a wrong status: the run records that exchange.
  const target = await startTarget(
    recording(faultOf('AUTH-MALFORMED', (f) => f.wrongStatus !== undefined).App),
    {},
    { botA: 'bot-a', tokenA: 'www', botB: 'bot-b', tokenB: 'zq7' },
  );
  const run = await runSuite({ env: target.env });
  await target.close();
  expect(ruleStatus(run, 'AUTH-MALFORMED')).toBe('failed');
  const exchanges = attachmentsOf(run.reportDir).join('\n');
  expect(exchanges.length).toBeGreaterThan(0);
  expect(
    exchanges.includes('> authorization: $API_TOKEN'),
    'the token sent without a scheme is named by its variable',
  ).toBe(true);
  expect(exchanges.includes('"type":"www"'), "the API's own word is left alone").toBe(true);
  expect(exchanges.match(/authorization: (Bearer )?(www|zq7)\b.*/i)?.[0]).toBeUndefined();
  expect(exchanges.match(/.{0,40}\bzq7\b.{0,40}/)?.[0]).toBeUndefined();
  expect(
    readFileSync(join(run.reportDir, 'junit.xml'), 'utf8').match(/authorization: (www|zq7)\b.*/i)?.[0],
  ).toBeUndefined();
});

/** The most a loopback connection's send and receive buffers can hold here (Linux), or 8 MiB where unknown. */
function socketBuffersMax(): number {
  const max = (name: string) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]);
  try {
    return max('tcp_rmem') + max('tcp_wmem');
  } catch {
    return 8 * 1024 * 1024;
  }
}

test("the workers' compile cache is a folder of the user's alone: one another user could write to is not used, and a user's own NODE_COMPILE_CACHE wins", () => {
  const root = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  expect(compileCache({ NODE_COMPILE_CACHE: '/elsewhere' }, root)).toEqual({});
  expect(compileCache({ NODE_DISABLE_COMPILE_CACHE: '1' }, root)).toEqual({});
  expect(readdirSync(root)).toEqual([]);
  const { NODE_COMPILE_CACHE: dir } = compileCache({}, root);
  expect(dir).toMatch(new RegExp(`^${root}/conformance-compile-cache-`));
  expect(existsSync(dir!)).toBe(true);
  expect(statSync(dir!).mode & 0o777).toBe(0o700);
  chmodSync(dir!, 0o777);
  expect(compileCache({}, root)).toEqual({});
});

// No bot is ever wedged: every state a killed or failed run can leave in the state folder (a lock
// without a snapshot, an empty snapshot, one that cannot be put back on a target that answers 404 to
// everything, one that cannot be read) is brought back by the restore command, or given up by its
// --discard, with no file deleted by hand; the next run then starts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { answeringAll, BLANKET } from '../faulty/blanket.ts';
import { faultOf } from '../faulty/catalogue.ts';
import { ReferenceApp } from '../reference/app.ts';
import { readTargets } from '../settings/targets.ts';
import { lockPath, snapshotPath } from '../state/paths.ts';
import type { Lock, Snapshot } from '../run/snapshot.ts';
import { expectRestored, preload } from './support/bot-data.ts';
import { leaksOf, secretsOfRun, seedSecrets } from './support/leaks.ts';
import { ROOT, cleanEnv, newStateDir, runSuite, QUICK_ENV } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';

const RESTORE = [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'run/restore-cli.ts'];

/** A pid no process has: that of one that has just ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

/** What a killed run leaves: its lock (its process gone) and, when given, a snapshot file holding `snapshot`. */
function leftBehind(target: Target, stateDir: string, snapshot?: string): { lock: string; snapshot: string } {
  const [settings] = readTargets(
    cleanEnv({ ...target.env, CONFORMANCE_STATE_DIR: stateDir }) as Record<string, string | undefined>,
  );
  mkdirSync(stateDir, { recursive: true });
  const lock: Lock = {
    runId: 'killed-run',
    pid: deadPid(),
    host: hostname(),
    startedAt: new Date().toISOString(),
    target: settings.targetUrl,
    bot: settings.bot.id,
  };
  writeFileSync(lockPath(settings), JSON.stringify(lock));
  if (snapshot !== undefined) writeFileSync(snapshotPath(settings), snapshot);
  return { lock: lockPath(settings), snapshot: snapshotPath(settings) };
}

const restore = (target: Target, stateDir: string, ...args: string[]) =>
  runSuite({ env: target.env, stateDir, command: [...RESTORE, ...args] });

test('a lock without a snapshot, or with an empty one, is released by the restore, and the next run starts', async () => {
  const target = await startTarget(ReferenceApp);
  for (const snapshot of [undefined, '']) {
    const stateDir = newStateDir();
    const files = leftBehind(target, stateDir, snapshot);
    const restored = await restore(target, stateDir);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(existsSync(files.lock)).toBe(false);
    expect(readdirSync(stateDir)).toEqual([]);
    const next = await runSuite({ env: { ...target.env, ...QUICK_ENV }, stateDir });
    expect(next.code, next.stdout + next.stderr).toBe(0);
  }
  await target.close();
});

test('a snapshot the target cannot take back (404 to everything) is kept, the restore says what is left and how to recover, and --discard gives it up', async () => {
  const broken = await startTarget(answeringAll(BLANKET['all-404']));
  const stateDir = newStateDir();
  const snapshot: Snapshot = {
    targetUrl: broken.main.url,
    profile: 'default',
    takenAt: new Date().toISOString(),
    bots: [
      { id: broken.bots.botA, providers: [{ name: 'kept', type: 'www', config: { bearer: 'kept-bearer-1234' } }] },
    ],
  };
  const files = leftBehind(broken, stateDir, JSON.stringify(snapshot));
  // The next run is refused with both ways out, in the form it was launched.
  const refused = await runSuite({ env: { ...broken.env, ...QUICK_ENV }, stateDir });
  expect(refused.report?.outcome).toBe('aborted');
  expect(refused.report?.abortReason).toContain('npm run restore');
  expect(refused.report?.abortReason).toContain('--discard');
  const failed = await restore(broken, stateDir);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain("Left: the snapshot (bot 'bot-a': 1 provider(s)) and the lock");
  expect(failed.stderr).toContain('`npm run restore -- --discard`');
  expect(failed.stdout + failed.stderr).not.toContain('kept-bearer-1234');
  expect(existsSync(files.snapshot)).toBe(true);
  const discarded = await restore(broken, stateDir, '--discard');
  expect(discarded.code, discarded.stderr).toBe(0);
  expect(readdirSync(stateDir)).toEqual([]);
  await broken.close();
});

test('a snapshot that cannot be read is an error naming its file and the way to reset it; a working target is then restored as before', async () => {
  const target = await startTarget(ReferenceApp);
  const saved = await preload(target);
  const stateDir = newStateDir();
  const files = leftBehind(target, stateDir, '{"targetUrl": "cut off');
  const failed = await restore(target, stateDir);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`the snapshot ${files.snapshot} cannot be read`);
  expect(failed.stderr).toContain('--discard');
  expect((await restore(target, stateDir, '--discard')).code).toBe(0);
  const next = await runSuite({ env: { ...target.env, ...QUICK_ENV }, stateDir });
  expect(next.code, next.stdout + next.stderr).toBe(0);
  await expectRestored(target, saved);
  expect(readdirSync(stateDir)).toEqual([]);
  await target.close();
});

test('a run whose restore a target takes but cannot verify (its DELETE empties nothing) says so in a few lines, and the next run is told it ended that way, not that it died', async () => {
  const target = await startTarget(faultOf('DELETE-EMPTIES', (f) => f.id === 'delete-one-entry').App);
  const stateDir = newStateDir();
  await preload(target);
  const seeded = await seedSecrets(target);
  // Twenty providers posted at once: a list the restore's DELETE does not empty.
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_RULES: 'CONCURRENT-UPSERTS', CONFORMANCE_BUDGET: '0' },
    stateDir,
  });
  const said = run.stdout + run.stderr;
  const line = said.split('\n').find((l) => l.includes('could not be verified')) ?? '';
  expect(line, said.slice(-3000)).toMatch(
    /differs from the snapshot: \$ has ('[^']+', ){5}\d+ more, which were not posted/,
  );
  expect(line.length).toBeLessThan(1200);
  const [settings] = readTargets(
    cleanEnv({ ...target.env, CONFORMANCE_STATE_DIR: stateDir }) as Record<string, string | undefined>,
  );
  expect((JSON.parse(readFileSync(lockPath(settings), 'utf8')) as Lock).unverified).toMatch(
    /differs from the snapshot/,
  );
  const refused = await runSuite({ env: { ...target.env, ...QUICK_ENV }, stateDir });
  expect(refused.report?.outcome).toBe('aborted');
  expect(refused.report?.abortReason).toMatch(
    /ended, but its restore could not be verified \(bot 'bot-a''s list after the restore differs/,
  );
  expect(refused.report?.abortReason).not.toContain('died');
  // The lock's reason too: a list the restore could not verify holds the bot's own secrets.
  for (const r of [run, refused]) expect(leaksOf(r, secretsOfRun(target, seeded))).toEqual([]);
  const discarded = await restore(target, stateDir, '--discard');
  expect(discarded.code, discarded.stderr).toBe(0);
  expect(readdirSync(stateDir)).toEqual([]);
  await target.close();
});

// The self-tests' own folders (selftest/support/scratch.ts): a run's folder goes once its run has
// ended, never while it runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { OWNER, PREFIX, removeStaleScratch, scratchRoot } from './support/scratch.ts';

test("an earlier run's folder is removed once its process has ended; a running one's, and this run's, are kept", () => {
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const folder = (owner: string) => {
    const root = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(root, OWNER), owner);
    return root;
  };
  const gone = folder(ended.stdout);
  const running = folder(String(process.pid));
  removeStaleScratch();
  expect(existsSync(gone)).toBe(false);
  expect(existsSync(running)).toBe(true);
  expect(existsSync(scratchRoot())).toBe(true);
  rmSync(running, { recursive: true });
});

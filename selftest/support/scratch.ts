// Every folder the self-tests make (reports, state folders, configuration files, packed packages,
// copies of the repository) lives under one folder for the run. Made one by one in the system's
// temporary folder, one run of npm test left 215 of them, 298 MB, and nothing ever removed them. A run
// now removes what earlier runs left once their process is gone, and keeps its own until the next
// run: what a failed self-test left is what one looks at.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VARIABLE = 'SELFTEST_SCRATCH';
/** How a run's folder is named in the system's temporary folder, and the file naming its owner's pid. */
export const PREFIX = 'conformance-selftest-';
export const OWNER = 'owner.pid';

/** The run's folder: made by the first process that needs it, inherited by the processes it starts. */
export function scratchRoot(): string {
  if (!process.env[VARIABLE]) {
    const root = mkdtempSync(join(tmpdir(), PREFIX));
    writeFileSync(join(root, OWNER), String(process.pid));
    process.env[VARIABLE] = root;
  }
  return process.env[VARIABLE];
}

/** A new folder of the run's, its name starting with `prefix`. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), `${prefix}-`));
}

/** Removes the run's folder and all it holds (a benchmark, once it has read its runs). */
export function removeScratch(): void {
  rmSync(scratchRoot(), { recursive: true, force: true });
}

/** Removes the folders of earlier runs whose process has ended. */
export function removeStaleScratch(): void {
  for (const name of readdirSync(tmpdir())) {
    const root = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || root === process.env[VARIABLE]) continue;
    let owner: number;
    try {
      owner = Number(readFileSync(join(root, OWNER), 'utf8'));
    } catch {
      continue; // not one of ours, or not written yet
    }
    if (!alive(owner)) rmSync(root, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

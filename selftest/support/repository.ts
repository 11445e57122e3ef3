// A copy of the repository as a fresh clone has it (no dist/, nothing built), its dependencies
// linked: for self-tests that change a source (the catalogue) or must run without a build.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { ROOT } from './run-suite.ts';
import { scratchDir } from './scratch.ts';

/** The folders and files the suite, its command line and its servers run from. */
const SOURCES = [
  'bin',
  'cli',
  'client',
  'contract',
  'checks',
  'driver',
  'faulty',
  'fixtures',
  'generation',
  'model',
  'openapi',
  'reference',
  'relations',
  'report',
  'rules',
  'run',
  'schemas',
  'settings',
  'state',
  'tests',
  'verdicts',
  'package.json',
  'tsconfig.json',
  'playwright.config.ts',
];

/** A new copy of the repository's sources in the run's scratch folder; returns its path. */
export function copyOfRepository(): string {
  const copy = scratchDir('copy');
  for (const source of SOURCES) cpSync(join(ROOT, source), join(copy, source), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/**
 * A clean checkout: every file git tracks or would (not ignored), as the work tree has it, and nothing else (no
 * node_modules, no dist/, no reports): what `actions/checkout` or GitHub's download of an action gives.
 */
export function cleanCheckout(): string {
  const copy = scratchDir('checkout');
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file));
  }
  return copy;
}

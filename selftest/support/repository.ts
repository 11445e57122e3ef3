// A copy of the repository as a fresh clone has it (no dist/, nothing built), its dependencies
// linked: for self-tests that change a source (the catalogue) or must run without a build.
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-suite.ts';
import { scratchDir } from './scratch.ts';

/** The folders and files the suite, its command line and its servers run from. */
const SOURCES = [
  'bin',
  'cli',
  'contract',
  'driver',
  'faulty',
  'fixtures',
  'generation',
  'model',
  'openapi',
  'reference',
  'relations',
  'rules',
  'schemas',
  'settings',
  'suite',
  'tests',
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

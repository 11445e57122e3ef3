// Compiles the suite to JavaScript with what it reads beside its code (`npm run build`: dist/, which
// the npm package ships, since Playwright does not compile TypeScript inside node_modules). The
// self-tests' detection batches and the bench run a compiled copy (selftest/support/compiled-suite.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
/** The folders the compiled suite reads at run time: the OpenAPI documents and the config file's schema. */
const DATA = ['openapi', 'schemas'];

/** Where `npm run build` (and so `npm pack`) puts the compiled suite. */
export const DIST = join(ROOT, 'dist');

export function build(outDir = DIST): void {
  // From an empty folder: tsc leaves the output of a module since removed, and the package would ship it.
  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit',
  });
  for (const dir of DATA) cpSync(join(ROOT, dir), join(outDir, dir), { recursive: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) build();

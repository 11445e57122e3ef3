// The npm package as `npm pack` makes it, packed once a self-test run by the process that first loads
// the self-tests' configuration. Packed by each self-test that installs it, two packs at once rebuilt
// dist/ under each other, and a tarball taken mid-build failed the action's run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../../tools/build.ts';
import { ROOT, cleanEnv } from './run-suite.ts';
import { scratchRoot } from './scratch.ts';

const dir = () => join(scratchRoot(), 'package');

/** Packs the package; returns the folder its prepack script has just compiled the suite into (dist/). */
export function packPackage(): string {
  mkdirSync(dir());
  execFileSync('npm', ['pack', '--pack-destination', dir()], { cwd: ROOT, env: cleanEnv({}), stdio: 'ignore' });
  return DIST;
}

/** The path of the run's tarball. */
export function packageTarball(): string {
  return join(dir(), readdirSync(dir()).find((f) => f.endsWith('.tgz'))!);
}

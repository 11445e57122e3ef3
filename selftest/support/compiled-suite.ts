// The suite compiled to JavaScript, as the npm package ships it, which the self-tests' suite runs run
// (selftest/support/run-suite.ts). Playwright loads TypeScript through a loader thread it starts in
// every worker (Node 20 has no in-thread module hooks): compiled and loaded without that thread, each
// start is cheaper. Made once a self-test run, in the run's folder, by the process that first loads
// the self-tests' configuration: a copy of the build that packing the package has just made (one
// compilation, not two), or a build of its own (the benchmark).
import { copyFileSync, cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../tools/build.ts';
import { ROOT, compiledSuiteDir as dir } from './run-suite.ts';

/** `built`: a build of these sources made in this run, copied instead of compiling them again. */
export function buildCompiledSuite(built?: string): void {
  if (built) cpSync(built, dir(), { recursive: true });
  else build(dir());
  // Its module type, name and version; and the repository's dependencies, so that the runner and
  // the compiled configuration load one and the same Playwright.
  copyFileSync(join(ROOT, 'package.json'), join(dir(), 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir(), 'node_modules'), 'dir');
}

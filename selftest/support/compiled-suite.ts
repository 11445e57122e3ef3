// The suite compiled to JavaScript, as the npm package ships it, which the detection batches run.
// Playwright loads TypeScript through a loader thread it starts in every worker (Node 20 has no
// in-thread module hooks), and the detection batches start many workers: compiled and loaded without
// that thread, each start is cheaper. Made once a self-test run, in the run's folder, by the process
// that first loads the self-tests' configuration: a copy of the build that packing the package has
// just made (one compilation, not two), or a build of its own (the benchmark).
import { copyFileSync, cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../tools/build.ts';
import { COMPILED_RUN_ENV } from '../../settings/variables.ts';
import { ROOT, type RunOptions } from './run-suite.ts';
import { scratchRoot } from './scratch.ts';

const dir = () => join(scratchRoot(), 'compiled-suite');

/** `built`: a build of these sources made in this run, copied instead of compiling them again. */
export function buildCompiledSuite(built?: string): void {
  if (built) cpSync(built, dir(), { recursive: true });
  else build(dir());
  // Its module type, name and version; and the repository's dependencies, so that the runner and
  // the compiled configuration load one and the same Playwright.
  copyFileSync(join(ROOT, 'package.json'), join(dir(), 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir(), 'node_modules'), 'dir');
}

/** A suite run's options, made to run the compiled suite as the npm package's command does. */
export function asCompiled(options: RunOptions): RunOptions {
  return {
    ...options,
    env: { ...options.env, ...COMPILED_RUN_ENV },
    args: ['-c', join(dir(), 'playwright.config.js'), ...(options.args ?? [])],
  };
}

// The project's own tests (`npm test`): the contract, the reference server, the Prism mock, and the
// conformance suite itself, run as a user runs it against servers on loopback.
import { defineConfig } from '@playwright/test';
import { buildCompiledSuite } from './support/compiled-suite.ts';
import { packPackage } from './support/package-tarball.ts';
import { removeStaleScratch, scratchRoot } from './support/scratch.ts';

// One value a run, which the workers inherit: the detection score counts only this run's batches.
process.env.DETECTION_RUN ??= `${process.pid}-${Date.now()}`;
// The folder of everything the self-tests make, made here so that the workers inherit it; earlier
// runs' folders go once their runs have ended. The packed package, and the compiled suite the detection
// batches run (a copy of the package's build), go in it.
if (!process.env.TEST_WORKER_INDEX) {
  removeStaleScratch();
  scratchRoot();
  buildCompiledSuite(packPackage());
}

/** The self-tests of the package itself: packed and installed, a clone's command, the GitHub Action. */
const PACKAGE = /(package|clone|action)\.spec\.ts/;

export default defineConfig({
  testDir: '.',
  outputDir: '../reports/selftest/test-results',
  timeout: 120_000,
  workers: 2,
  fullyParallel: true,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { outputFolder: '../reports/selftest/html', open: 'never' }]],
  projects: [
    { name: 'selftest', testIgnore: [/detection-score\.spec\.ts/, PACKAGE] },
    // The package as users install and run it: `npm run test:package`, on every Node line CI proves.
    { name: 'package', testMatch: PACKAGE },
    // The score of the detection batches, after every self-test has run.
    { name: 'detection score', testMatch: /detection-score\.spec\.ts/, dependencies: ['selftest'] },
  ],
});

// `npx playwright merge-reports -c merge.config.ts <blob folder>`: shards and targets run with
// `--reporter blob` merge into the same reports a single run writes, one matrix column per target.
import { defineConfig } from '@playwright/test';
import { configExtension, reporters } from './report/reporters.ts';
import { readEnvironment } from './settings/environment.ts';
import { reportDir } from './settings/run-flags.ts';

export default defineConfig({
  testDir: 'tests',
  reporter: reporters(reportDir(readEnvironment()), configExtension(import.meta.url)),
});

// `npx playwright merge-reports -c merge.config.ts <blob folder>`: shards and targets run with
// `--reporter blob` merge into the same reports a single run writes, one matrix column per target.
import { defineConfig } from '@playwright/test';
import { configExtension, reporters } from './suite/reporters.ts';
import { reportDir } from './suite/settings.ts';

export default defineConfig({ testDir: 'tests', reporter: reporters(reportDir(), configExtension(import.meta.url)) });

import { defineConfig } from '@playwright/test';

// The one-test run; two-workers/ holds the two-worker one, with a config of its own.
export default defineConfig({
  testDir: '.',
  testMatch: 'trivial.spec.ts',
  reporter: 'dot',
  outputDir: '../../reports/bench/trivial-results',
});

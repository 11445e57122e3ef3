// Playwright's own floor with the suite's two workers: two test files that do nothing, in JavaScript
// (no TypeScript to load), each in a worker of its own at the same time.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  workers: 2,
  reporter: 'dot',
  outputDir: '../../../reports/bench/trivial-two-workers-results',
});

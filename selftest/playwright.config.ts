// The project's own tests (`npm test`): the contract, the reference server, the Prism mock, and the
// conformance suite itself, run as a user runs it against servers on loopback.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  outputDir: '../reports/selftest/test-results',
  timeout: 120_000,
  workers: 2,
  fullyParallel: true,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { outputFolder: '../reports/selftest/html', open: 'never' }]],
});

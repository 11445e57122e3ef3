import { defineConfig } from '@playwright/test';

export default defineConfig({ testDir: '.', reporter: 'dot', outputDir: '../../reports/bench/trivial-results' });

// The reports every run writes, for the suite's config and for merge-reports alike (merge.config.ts):
// Playwright's HTML report and JUnit, and the rule matrix (conformance.json and conformance.html).
import { resolve } from 'node:path';
import type { ReporterDescription } from '@playwright/test';

/** Relative to where the user runs it (Playwright would take paths relative to the config file). */
export function reportDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CONFORMANCE_REPORT_DIR?.trim() || 'reports');
}

/** `ext`: the config is TypeScript in the repository and compiled JavaScript in the npm package. */
export function reporters(dir: string, ext: 'ts' | 'js'): ReporterDescription[] {
  return [
    [process.stdout.isTTY ? 'line' : 'dot'],
    ['html', { outputFolder: `${dir}/html`, open: 'never' }],
    ['junit', { outputFile: `${dir}/junit.xml` }],
    [`./suite/reporter.${ext}`, { outputFile: `${dir}/conformance.json`, htmlReport: `${dir}/html` }],
  ];
}

/** Which of the two the running config is. */
export function configExtension(configUrl: string): 'ts' | 'js' {
  return configUrl.endsWith('.js') ? 'js' : 'ts';
}

// The reports every run writes, for the suite's config and for merge-reports alike (merge.config.ts):
// the terminal's progress by rule, Playwright's HTML report, and the rule matrix (conformance.json,
// conformance.html and junit.xml, all written from what the reporter decided).
import type { ReporterDescription } from '@playwright/test';

/** `ext`: the config is TypeScript in the repository and compiled JavaScript in the npm package. */
export function reporters(dir: string, ext: 'ts' | 'js'): ReporterDescription[] {
  return [
    [`./suite/progress.${ext}`],
    ['html', { outputFolder: `${dir}/html`, open: 'never' }],
    [
      `./suite/reporter.${ext}`,
      { outputFile: `${dir}/conformance.json`, htmlReport: `${dir}/html`, junit: `${dir}/junit.xml` },
    ],
  ];
}

/** Which of the two the running config is. */
export function configExtension(configUrl: string): 'ts' | 'js' {
  return configUrl.endsWith('.js') ? 'js' : 'ts';
}

// The reports every run writes, for the suite's config and for merge-reports alike (merge.config.ts):
// the terminal's progress by rule, Playwright's HTML report, and the rule matrix (conformance.json,
// conformance.html and junit.xml, all written from what the reporter decided).
import type { ReporterDescription } from '@playwright/test';

/**
 * `ext`: the config is TypeScript in the repository and compiled JavaScript in the npm package.
 * `blob`: a shard's blob report for the merge, besides (never instead of) the suite's own reports. Each
 * in a folder of its own under `dir/blob/`, since Playwright's blob reporter empties its folder first:
 * shards written one after the other into one report folder keep each other's blobs.
 */
export function reporters(dir: string, ext: 'ts' | 'js', blob?: string): ReporterDescription[] {
  return [
    // First: the others see a check that failed its rule as failed (report/failed-checks.ts).
    [`./report/failed-checks.${ext}`],
    ...(blob ? [['blob', { outputDir: `${dir}/blob/${blob}`, fileName: `${blob}.zip` }] as ReporterDescription] : []),
    [`./report/progress.${ext}`],
    ['html', { outputFolder: `${dir}/html`, open: 'never' }],
    [
      `./report/reporter.${ext}`,
      { outputFile: `${dir}/conformance.json`, htmlReport: `${dir}/html`, junit: `${dir}/junit.xml` },
    ],
  ];
}

/** Which of the two the running config is. */
export function configExtension(configUrl: string): 'ts' | 'js' {
  return configUrl.endsWith('.js') ? 'js' : 'ts';
}

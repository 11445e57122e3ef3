// A check that fails its rule tells Playwright's worker it expected to (fixtures/rule.ts): the worker
// then goes on to its next check instead of being replaced, which costs a process start and about a
// second of module loading after every failed check, most of a broken target's extra time. This
// reporter, first in the list, gives such a test back its failed status before any other reporter,
// the blob included, sees it: every report shows it failed, as it did. It tells the workers it is there
// (they start after onBegin): a run whose reporters a user replaced with --reporter fails its tests.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { RULE_FAILED } from './report-model.ts';
import { handToWorkers } from '../settings/environment.ts';
import { FAILED_CHECKS_VARIABLE } from '../settings/variables.ts';

export default class FailedChecks implements Reporter {
  onBegin(): void {
    handToWorkers({ [FAILED_CHECKS_VARIABLE]: '1' });
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const ruleFailed = result.annotations.some((a) => a.type === RULE_FAILED);
    if (test.expectedStatus === 'failed' && result.status === 'failed' && ruleFailed) test.expectedStatus = 'passed';
  }

  printsToStdio(): boolean {
    return false;
  }
}

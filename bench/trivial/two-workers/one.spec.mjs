// One of the two trivial tests: nothing but Playwright's worker and its test.
import { expect, test } from '@playwright/test';

test('nothing', () => {
  expect(1).toBe(1);
});

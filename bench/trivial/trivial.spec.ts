// The runner's own floor: one test that does nothing, under a config as light as the suite's.
import { expect, test } from '@playwright/test';

test('nothing', () => {
  expect(1).toBe(1);
});

// Reports people look at, as they see them: two targets, each run in two shards with the blob
// reporter, merged by `playwright merge-reports` into one HTML report and one rule matrix, then
// rendered in headless Chromium (the build inside the @sparticuz/chromium npm package, so `npm ci`
// brings it on any machine; driven by playwright-core).
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { FAULTS } from '../faulty/catalogue.ts';
import { PLAYWRIGHT_CLI, ROOT, cleanEnv, runSuite, type SuiteRun } from './support/run-suite.ts';
import { launchChromium } from './support/browser.ts';
import { startTarget, type Target } from './support/servers.ts';
import { scratchDir } from './support/scratch.ts';

test.describe.configure({ mode: 'serial' });

let browser: Browser;
let merged: SuiteRun;
let targets: Target[];

/** One target's run in two shards, one after the other (they share the bot), each leaving a blob. */
async function shardedRun(target: Target, name: string, blobs: string): Promise<void> {
  for (const shard of ['1/2', '2/2']) {
    const out = scratchDir('blob');
    await runSuite({
      env: { ...target.env, CONFORMANCE_TARGET_NAME: name, CONFORMANCE_SEED: '7', PLAYWRIGHT_BLOB_OUTPUT_DIR: out },
      args: ['--shard', shard, '--reporter', 'blob'],
    });
    for (const zip of readdirSync(out))
      copyFileSync(join(out, zip), join(blobs, `${name}-${shard.replace('/', 'of')}-${zip}`));
  }
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const masks = FAULTS.find((f) => f.id === 'masks-secrets')!;
  targets = [await startTarget(), await startTarget(masks.App)];
  const blobs = scratchDir('blobs');
  await Promise.all([shardedRun(targets[0], 'good', blobs), shardedRun(targets[1], 'masking', blobs)]);
  expect(readdirSync(blobs)).toHaveLength(4);
  merged = await runSuite({ command: [PLAYWRIGHT_CLI, 'merge-reports', '-c', 'merge.config.ts', blobs] });
  browser = await launchChromium();
});

test.afterAll(async () => {
  await browser?.close();
  await Promise.all((targets ?? []).map((t) => t.close()));
});

const secretsOf = () => targets.flatMap((t) => [t.bots.tokenA, t.bots.tokenB]);

test('two targets in two shards each merge into one matrix with a column per target', () => {
  const report = merged.report!;
  expect(report.targets.map((t) => t.target).sort()).toEqual(targets.map((t) => t.main.url).sort());
  const good = report.targets.find((t) => t.target === targets[0].main.url)!;
  const masking = report.targets.find((t) => t.target === targets[1].main.url)!;
  expect(good).toMatchObject({ outcome: 'passed', seed: 7, counts: { failed: 0, skipped: 0 } });
  expect(masking.outcome).toBe('failed');
  expect(masking.rules.find((r) => r.id === 'GET-CONFIG-ROUNDTRIP')?.status).toBe('failed');
  expect(report.outcome).toBe('failed');
  expect(existsSync(join(merged.reportDir, 'html/index.html'))).toBe(true);
  expect(existsSync(join(merged.reportDir, 'junit.xml'))).toBe(true);
});

test('JUnit records a rule failure as a <failure> typed by the rule it breaks, never as an <error>', () => {
  const xml = readFileSync(join(merged.reportDir, 'junit.xml'), 'utf8');
  expect(xml).toMatch(/<failure message="GET-CONFIG-ROUNDTRIP \(MUST\) failed: [^"]+" type="GET-CONFIG-ROUNDTRIP">/);
  expect(xml).not.toContain('<error ');
});

test('conformance.html shows the counts per target, a failed rule with its reason, links into the HTML report, and no secret', async () => {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(join(merged.reportDir, 'conformance.html')).href);
  const report = merged.report!;
  for (const t of report.targets) {
    const summary = page.locator('li.summary', { hasText: t.target });
    await expect(summary).toContainText(`${t.counts.passed} passed`);
    await expect(summary).toContainText(`${t.counts.failed} failed`);
  }
  const row = page.locator('tr', { hasText: 'GET-CONFIG-ROUNDTRIP' });
  await expect(row.locator('td.failed')).toContainText('differs from what was posted');
  await expect(row.locator('td.failed')).toHaveCSS('background-color', 'rgb(255, 214, 214)');
  const href = await row.locator('td.failed a').getAttribute('href');
  expect(href).toMatch(/^html\/index\.html#\?testId=/);
  // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees on the page, as rendered
  const text = await page.locator('body').innerText();
  for (const secret of secretsOf()) expect(text).not.toContain(secret);
  expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  // The link opens the failing test in Playwright's report.
  await page.goto(new URL(href!, page.url()).href);
  await expect(page.getByText('GET-CONFIG-ROUNDTRIP MUST').first()).toBeVisible();
  await page.close();
});

test("Playwright's HTML report opens with rule ids, doc sections and target tags in the titles, and no secret", async () => {
  const page = await browser.newPage();
  // The report's own search, as a person would type a rule id into it.
  await page.goto(`${pathToFileURL(join(merged.reportDir, 'html/index.html')).href}#?q=POST-VALID-200`);
  const title = page.getByText(
    'POST-VALID-200 MUST: a provider with basic credentials gets 200 (§ Updating the Providers List › Response)',
  );
  await expect(title).toHaveCount(2); // once per target
  for (const tag of ['good', 'masking']) await expect(page.getByText(tag, { exact: true }).first()).toBeVisible();
  // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees on the page, as rendered
  const text = await page.locator('body').innerText();
  for (const secret of secretsOf()) expect(text).not.toContain(secret);
  await page.close();
});

test('npm run docs renders the OpenAPI documents as a browsable reference, offline', async () => {
  execFileSync('npm', ['run', '-s', 'docs'], { cwd: ROOT, env: cleanEnv({}), stdio: 'ignore' });
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  // Offline: the page must not need the network (Redocly's CDN icons are refused and not missed).
  await page.route(/^https?:/, (route) => route.abort());
  await page.goto(pathToFileURL(join(ROOT, 'reports/docs/media-provider.html')).href);
  await expect(page.getByRole('heading', { name: /WhatsApp media-provider provisioning API/ }).first()).toBeVisible();
  // The three operations, listed under their path.
  for (const method of ['post', 'get', 'delete'])
    await expect(page.getByText(new RegExp(`^${method}$`, 'i')).first()).toBeVisible();
  await expect(page.getByText('/whatsapp/v1/{bot-id}/provision/provider', { exact: true })).toHaveCount(3);
  await page.goto(pathToFileURL(join(ROOT, 'reports/docs/media-provider-2020-03-10.html')).href);
  await expect(page.getByText('/whatsapp/v1/{bot-id}/provision/provider/{provider-name}').first()).toBeVisible();
  await page.close();
});

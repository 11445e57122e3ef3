// Turns Playwright's test results into the rule matrix: reports/conformance.json (a fixed interface:
// tools outside the repo read it) and the table the terminal ends with.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult, TestError } from '@playwright/test/reporter';
import { rulesFor, type Level } from '../rules/catalogue.ts';
import { Secrets } from './redaction.ts';
import { readFlags, type RunFlags } from './settings.ts';
import type { Profile } from '../contract/openapi.ts';

export type RuleStatus = 'passed' | 'failed' | 'warning' | 'skipped';

export interface RuleResult {
  id: string;
  level: Level;
  title: string;
  doc: string;
  status: RuleStatus;
  reason?: string;
  /** Titles and ids of the tests that decided the rule (the ids link into the HTML report). */
  tests: { title: string; testId: string; status: string }[];
}

export interface ConformanceReport {
  schemaVersion: 1;
  target: string;
  otherRegionUrl: string | null;
  profile: Profile;
  strict: boolean;
  seed: number;
  startedAt: string;
  durationMs: number;
  /** passed: no MUST failed (in strict mode, no SHOULD either); aborted: the run stopped before its verdict. */
  outcome: 'passed' | 'failed' | 'aborted';
  abortReason?: string;
  counts: Record<RuleStatus, number>;
  rules: RuleResult[];
}

interface Seen { test: TestCase; result: TestResult }

export default class ConformanceReporter implements Reporter {
  readonly #seen = new Map<string, Seen>();
  readonly #errors: string[] = [];
  readonly #file: string;
  #started = new Date();

  constructor(options: { outputFile?: string } = {}) {
    this.#file = options.outputFile ?? 'reports/conformance.json';
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, _suite: Suite): void {
    this.#started = new Date();
    const env = process.env;
    const { profile, strict } = flagsForReport();
    console.log(`conformance: target ${env.TARGET_URL ?? '(embedded reference)'}, profile ${profile}, seed ${env.CONFORMANCE_SEED}${strict ? ', strict' : ''}`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.#seen.set(test.id, { test, result }); // a retry replaces the earlier attempt
  }

  onError(error: TestError): void {
    this.#errors.push(firstLine(error.message ?? String(error.value ?? 'unknown error')));
  }

  onEnd(result: FullResult): void {
    const secrets = new Secrets();
    secrets.add(process.env.API_TOKEN, process.env.SECOND_API_TOKEN);
    const { profile, strict } = flagsForReport();
    const rules = rulesFor(profile).map((rule) => {
      const decided = this.#decide(rule.id);
      return { id: rule.id, level: rule.level, title: rule.title, doc: rule.doc, ...decided, reason: decided.reason && secrets.redact(decided.reason) };
    });
    const counts = { passed: 0, failed: 0, warning: 0, skipped: 0 };
    for (const r of rules) counts[r.status]++;
    const aborted = this.#seen.size === 0 && (this.#errors.length > 0 || result.status !== 'passed');
    const report: ConformanceReport = {
      schemaVersion: 1,
      target: process.env.TARGET_URL ?? '',
      otherRegionUrl: process.env.OTHER_REGION_URL || null,
      profile,
      strict,
      seed: Number(process.env.CONFORMANCE_SEED),
      startedAt: this.#started.toISOString(),
      durationMs: Math.round(result.duration),
      outcome: aborted ? 'aborted' : result.status === 'passed' && counts.failed === 0 ? 'passed' : 'failed',
      ...(aborted ? { abortReason: secrets.redact(this.#errors[0] ?? `run ended: ${result.status}`) } : {}),
      counts,
      rules,
    };
    mkdirSync(dirname(this.#file), { recursive: true });
    writeFileSync(this.#file, JSON.stringify(report, null, 2) + '\n');
    console.log(renderTable(report, relative(process.cwd(), this.#file) || this.#file));
  }

  /** A rule failed if any test attributed a failure to it; warned likewise; passed if a test that covers it got through. */
  #decide(id: string): Omit<RuleResult, 'id' | 'level' | 'title' | 'doc'> {
    const tests: RuleResult['tests'] = [];
    let failed: string | undefined;
    let warned: string | undefined;
    let passed = false;
    let skipReason: string | undefined;
    for (const { test, result } of this.#seen.values()) {
      const annotations = result.annotations ?? test.annotations;
      if (!annotations.some((a) => a.type === 'rule' && a.description === id)) continue;
      tests.push({ title: test.title, testId: test.id, status: result.status });
      const mine = (type: string) => annotations.filter((a) => a.type === type && a.description?.startsWith(`${id}: `)).map((a) => a.description!.slice(id.length + 2));
      const failures = mine('failed');
      const warnings = mine('warning');
      if (failures.length) failed ??= failures[0];
      else if (result.status === 'failed' || result.status === 'timedOut' || result.status === 'interrupted') {
        // A failure attributed elsewhere (or a timeout) leaves this rule undecided by this test;
        // a test whose first rule is this one and that failed unattributed fails it.
        const first = annotations.find((a) => a.type === 'rule')?.description;
        if (first === id && !annotations.some((a) => a.type === 'failed')) failed ??= firstLine(result.error?.message ?? result.status);
      } else if (result.status === 'skipped') {
        skipReason ??= annotations.find((a) => a.type === 'skip')?.description ?? 'skipped';
      } else {
        if (warnings.length) warned ??= warnings[0];
        passed = true;
      }
    }
    if (failed !== undefined) return { status: 'failed', reason: failed, tests };
    if (warned !== undefined) return { status: 'warning', reason: warned, tests };
    if (passed) return { status: 'passed', tests };
    return { status: 'skipped', reason: skipReason ?? (tests.length ? 'not decided: every test of it stopped on another rule' : 'no test of this rule ran'), tests };
  }
}

/** A bad flag has already stopped the run with its own message; the report then says the default. */
function flagsForReport(): RunFlags {
  try {
    return readFlags();
  } catch {
    return { profile: 'default', strict: false, stateless: false };
  }
}

function firstLine(text: string): string {
  // Playwright colours some messages; the report is plain text.
  return text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0].slice(0, 500);
}

export function renderTable(report: ConformanceReport, file: string): string {
  const order: RuleStatus[] = ['failed', 'warning', 'skipped', 'passed'];
  const rows = report.rules
    .filter((r) => r.status !== 'passed')
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
    .map((r) => `  ${r.status.toUpperCase().padEnd(8)} ${r.level.padEnd(6)} ${r.id.padEnd(32)} ${r.reason ?? ''}`.slice(0, 220));
  const c = report.counts;
  return [
    '',
    `Conformance (${report.profile} profile${report.strict ? ', strict' : ''}) of ${report.target || '(no target)'}: ${report.outcome.toUpperCase()}`,
    ...(report.abortReason ? [`  ${report.abortReason}`] : []),
    ...rows,
    `  rules: ${c.passed} passed, ${c.failed} failed, ${c.warning} warning, ${c.skipped} skipped · seed ${report.seed} · ${file}`,
    '',
  ].join('\n');
}

// Turns Playwright's test results into the rule matrix: reports/conformance.json (a fixed interface:
// tools outside the repo read it), reports/conformance.html (the same matrix, for people) and the
// table the terminal ends with. Runs merged from several targets (merge-reports) get a column each.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult, TestError } from '@playwright/test/reporter';
import { loadDocument } from '../contract/openapi.ts';
import { rulesFor } from '../rules/catalogue.ts';
import { junitOf } from './junit.ts';
import { renderMatrix } from './matrix-html.ts';
import { stepSummary } from './step-summary.ts';
import {
  decisionsOf,
  INSECURE,
  type ConformanceReport,
  type RuleResult,
  type RuleStatus,
  type RunInfo,
  type Searched,
  type TargetReport,
} from './report-model.ts';
import { secretsOf } from './credentials.ts';
import { Secrets } from './redaction.ts';
import { ledgerPath } from './snapshot.ts';
import { describeRun, environmentTokens, readTargets } from './settings.ts';

export interface Seen {
  test: TestCase;
  result: TestResult;
}

export default class ConformanceReporter implements Reporter {
  readonly #seen = new Map<string, Seen>();
  readonly #errors: string[] = [];
  readonly #file: string;
  readonly #htmlReport: string;
  readonly #junit: string | undefined;
  #started = new Date();
  #root = process.cwd();

  constructor(options: { outputFile?: string; htmlReport?: string; junit?: string } = {}) {
    this.#junit = options.junit;
    this.#file = options.outputFile ?? 'reports/conformance.json';
    this.#htmlReport = options.htmlReport ?? join(dirname(this.#file), 'html');
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig): void {
    this.#started = new Date();
    this.#root = config.rootDir;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.#seen.set(test.id, { test, result }); // a retry replaces the earlier attempt
  }

  onError(error: TestError): void {
    this.#errors.push(firstLine(error.message ?? String(error.value ?? 'unknown error')).replace(/^Error: /, ''));
  }

  /** Writes the reports; the run's exit code follows the verdict (a rule can fail through tests it blocked). */
  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    // `playwright test --list` runs the reporters too: a listing is no run, and gets no verdict.
    if (process.argv.includes('--list')) return undefined;
    const secrets = runSecrets();
    // Shards of one target (same URL, profile and mode) make one column; the first shard's seed names it.
    const groups = new Map<string, { run: RunInfo; seen: Seen[] }>();
    const add = (run: RunInfo, seen?: Seen) => {
      const key = JSON.stringify({ ...run, seed: undefined });
      const group = groups.get(key) ?? { run, seen: [] };
      if (seen) group.seen.push(seen);
      groups.set(key, group);
    };
    // Tests skipped when collected (another profile, the stateless subset) never ran: they belong to every run.
    const unrun: Seen[] = [];
    for (const seen of this.#seen.values()) {
      const recorded = decisionsOf(seen.result.annotations ?? []).run;
      if (recorded) add(recorded, seen);
      else unrun.push(seen);
    }
    if (groups.size === 0) add(describeRun());
    for (const group of groups.values()) group.seen.push(...unrun);
    const targets = [...groups.values()].map(({ run, seen }) => this.#targetReport(run, seen, result, secrets));
    const report: ConformanceReport = {
      schemaVersion: 1,
      ...(targets.length === 1 ? targets[0] : combine(targets)),
      startedAt: this.#started.toISOString(),
      durationMs: Math.round(result.duration),
      targets,
    };
    mkdirSync(dirname(this.#file), { recursive: true });
    writeFileSync(this.#file, `${JSON.stringify(report, null, 2)}\n`);
    const page = join(dirname(this.#file), 'conformance.html');
    writeFileSync(
      page,
      renderMatrix(report, relative(dirname(page), this.#htmlReport), loadDocument(report.profile).externalDocs?.url),
    );
    // An aborted run's error is its abort reason, in its table; any other is told here, once.
    if (report.outcome !== 'aborted')
      for (const e of new Set(this.#errors)) console.log(`conformance: error: ${clip(secrets.redact(e))}`);
    if (this.#junit) {
      const several = groups.size > 1;
      writeFileSync(
        this.#junit,
        junitOf(
          [...groups.values()].map(({ run, seen }) => ({
            target: several ? (run.name ?? run.target) : undefined,
            seen,
          })),
          secrets,
          this.#root,
        ),
      );
    }
    for (const t of targets) console.log(renderTable(t, relative(process.cwd(), this.#file) || this.#file));
    // A CI job's summary page shows the verdict without opening an artifact (the reasons are redacted already).
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${stepSummary(targets)}\n`);
    return report.outcome !== 'passed' && result.status === 'passed' ? { status: 'failed' } : undefined;
  }

  /** After every reporter is done: the run's secret ledger goes (the snapshot went with the verified restore). */
  async onExit(): Promise<void> {
    const ledger = runLedger();
    if (ledger) rmSync(ledger, { force: true });
  }

  #targetReport(run: RunInfo, seen: Seen[], result: FullResult, secrets: Secrets): TargetReport {
    const rules = rulesFor(run.profile).map((rule) => {
      const decided = decide(rule.id, seen, run.selectedRules);
      return {
        id: rule.id,
        level: rule.level,
        title: rule.title,
        doc: rule.doc,
        ...decided,
        reason: decided.reason && clip(secrets.redact(decided.reason)),
      };
    });
    const counts = countOf(rules);
    const aborted = seen.length === 0 && (this.#errors.length > 0 || result.status !== 'passed');
    const failedRun = seen.some(
      (s) => s.result.status === 'failed' || s.result.status === 'timedOut' || s.result.status === 'interrupted',
    );
    return {
      ...run,
      outcome: aborted
        ? 'aborted'
        : failedRun || counts.failed > 0 || result.status === 'interrupted'
          ? 'failed'
          : counts.passed + counts.warning === 0 || undecided(rules, run.strict).length > 0
            ? 'incomplete'
            : 'passed',
      ...(aborted ? { abortReason: clip(secrets.redact(this.#errors[0] ?? `run ended: ${result.status}`)) } : {}),
      counts,
      rules,
      observations: [...new Set(seen.flatMap((s) => decisionsOf(s.result.annotations ?? []).observed))],
      ...generatedOf(seen.flatMap((s) => decisionsOf(s.result.annotations ?? []).searched)),
    };
  }
}

/** The run's redactor; a merge of other runs' reports has no run of its own, only the tokens it was given. */
function runSecrets(): Secrets {
  try {
    return secretsOf(readTargets());
  } catch {
    const secrets = new Secrets();
    secrets.know(...environmentTokens());
    return secrets;
  }
}

function runLedger(): string | undefined {
  try {
    const [settings] = readTargets();
    return settings.runId ? ledgerPath(settings, settings.runId) : undefined;
  } catch {
    return undefined;
  }
}

/** Merged targets at the top level: each rule at its worst status across them. */
function combine(targets: TargetReport[]): TargetReport {
  const worst: RuleStatus[] = ['failed', 'warning', 'passed', 'skipped'];
  const byId = new Map<string, RuleResult>();
  for (const t of targets) {
    for (const r of t.rules) {
      const seen = byId.get(r.id);
      if (!seen || worst.indexOf(r.status) < worst.indexOf(seen.status))
        byId.set(r.id, {
          ...r,
          reason: r.reason && `${t.target}: ${r.reason}`,
          tests: [...(seen?.tests ?? []), ...r.tests],
        });
      else seen.tests.push(...r.tests);
    }
  }
  const rules = [...byId.values()];
  return {
    target: targets.map((t) => t.target).join(', '),
    otherRegionUrl: null,
    profile: targets[0].profile,
    strict: targets.some((t) => t.strict),
    ...(targets.some((t) => t.insecure) ? { insecure: true as const } : {}),
    seed: targets[0].seed,
    outcome: targets.some((t) => t.outcome === 'aborted')
      ? 'aborted'
      : targets.every((t) => t.outcome === 'passed')
        ? 'passed'
        : targets.some((t) => t.outcome === 'failed')
          ? 'failed'
          : 'incomplete',
    counts: countOf(rules),
    rules,
    observations: targets.flatMap((t) => t.observations.map((o) => `${t.target}: ${o}`)),
    ...generatedOf(targets.flatMap((t) => (t.generated ? [t.generated] : []))),
  };
}

/** What the generated checks' searches bought, summed (nothing when none ran). */
function generatedOf(searches: (Searched & { checks?: number })[]): Pick<TargetReport, 'generated'> {
  if (!searches.length) return {};
  const sum = (key: keyof Searched) => searches.reduce((n, s) => n + s[key], 0);
  return {
    generated: {
      checks: searches.reduce((n, s) => n + (s.checks ?? 1), 0),
      runs: sum('runs'),
      requests: sum('requests'),
      inputs: sum('inputs'),
      replayed: sum('replayed'),
    },
  };
}

/** The rules that hold back a pass: kept in the run's scope, yet not decided (MUST; in strict mode SHOULD too). */
export function undecided(rules: RuleResult[], strict: boolean): RuleResult[] {
  return rules.filter((r) => r.status === 'skipped' && !r.excluded && (r.level === 'MUST' || strict));
}

function countOf(rules: RuleResult[]): Record<RuleStatus, number> {
  const counts = { passed: 0, failed: 0, warning: 0, skipped: 0 };
  for (const r of rules) counts[r.status]++;
  return counts;
}

/** A rule failed if any test attributed a failure to it; warned likewise; passed if a test that covers it got through. */
export function decide(
  id: string,
  seen: Seen[],
  selected?: string[],
): Omit<RuleResult, 'id' | 'level' | 'title' | 'doc'> {
  const tests: RuleResult['tests'] = [];
  let failed: string | undefined;
  let warned: string | undefined;
  let passed = false;
  let skipReason: string | undefined;
  let excluded: string | undefined;
  let kept = false;
  for (const { test, result } of seen) {
    const said = decisionsOf(result.annotations ?? test.annotations);
    if (!said.rules.includes(id)) continue;
    tests.push({ title: test.title, testId: test.id, status: result.status });
    if (said.excluded) excluded ??= said.excluded;
    else kept = true;
    const failures = said.failed.get(id) ?? [];
    const warnings = said.warnings.get(id) ?? [];
    if (failures.length) failed ??= failures[0];
    // A SHOULD seen broken is decided, whatever became of the test that saw it on the way.
    else if (warnings.length) warned ??= warnings[0];
    else if (result.status === 'failed' || result.status === 'timedOut' || result.status === 'interrupted') {
      // A failure attributed elsewhere (or a timeout) leaves this rule undecided by this test;
      // a test whose first rule is this one and that failed unattributed fails it.
      if (said.rules[0] === id && said.failed.size === 0) failed ??= firstLine(result.error?.message ?? result.status);
    } else if (result.status === 'skipped') {
      skipReason ??= said.skip ?? 'skipped';
    } else {
      passed = true;
    }
  }
  if (failed !== undefined) return { status: 'failed', reason: failed, tests };
  if (warned !== undefined) return { status: 'warning', reason: warned, tests };
  if (passed) return { status: 'passed', tests };
  if (excluded && !kept) return { status: 'skipped', reason: excluded, excluded: true, tests };
  // A narrowed run never collected the checks of the other rules.
  if (!tests.length && selected && !selected.includes(id))
    return { status: 'skipped', reason: `outside CONFORMANCE_RULES (${selected.join(', ')})`, excluded: true, tests };
  return {
    status: 'skipped',
    reason:
      skipReason ??
      (tests.length ? 'not decided: every test of it stopped on another rule' : 'no test of this rule ran'),
    tests,
  };
}

function firstLine(text: string): string {
  // Playwright colours some messages; the report is plain text.
  return text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0];
}

/** Cut after redaction, so that no cut can leave part of a secret unrecognised. */
function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

export function renderTable(report: TargetReport, file: string): string {
  const order: RuleStatus[] = ['failed', 'warning', 'skipped', 'passed'];
  // An aborted run decided nothing: its one reason says why, not a row for every rule.
  const rows =
    report.outcome === 'aborted'
      ? []
      : report.rules
          .filter((r) => r.status !== 'passed' && !r.excluded)
          .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
          .map((r) =>
            `  ${r.status.toUpperCase().padEnd(8)} ${r.level.padEnd(6)} ${r.id.padEnd(32)} ${r.reason ?? ''}`.slice(
              0,
              220,
            ),
          );
  const c = report.counts;
  const excluded = report.rules.filter((r) => r.excluded).length;
  const holding = report.outcome === 'incomplete' ? undecided(report.rules, report.strict) : [];
  return [
    '',
    `Conformance (${report.profile} profile${report.strict ? ', strict' : ''}) of ${report.name && report.name !== 'target' ? `${report.name} (${report.target})` : report.target || '(no target)'}: ${report.outcome.toUpperCase()}`,
    ...(report.abortReason ? [`  ${report.abortReason}`] : []),
    ...(report.insecure ? [`  ${INSECURE}`] : []),
    ...rows,
    ...(holding.length
      ? [
          `  ${holding.length} ${report.strict ? '' : 'MUST '}rule${holding.length > 1 ? 's were' : ' was'} not decided, so the run cannot pass: give what ${holding.length > 1 ? 'they need' : 'it needs'}, or leave ${holding.length > 1 ? 'them' : 'it'} out on purpose: CONFORMANCE_SKIP_RULES=${holding.map((r) => r.id).join(',')} (--skip-rule)`,
        ]
      : []),
    ...(report.generated
      ? [
          `  generated: ${report.generated.runs} runs of ${report.generated.checks} searches, ${report.generated.requests} requests, ${report.generated.inputs} distinct` +
            `${report.generated.replayed ? `, ${report.generated.replayed} stored failure(s) replayed first` : ''}`,
        ]
      : []),
    `  rules: ${c.passed} passed, ${c.failed} failed, ${c.warning} warning, ${c.skipped} skipped${excluded ? ` (${excluded} left out by the run's settings)` : ''} · seed ${report.seed} · ${file}`,
    '',
  ].join('\n');
}

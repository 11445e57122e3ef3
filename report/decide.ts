// What is passed, failed, undecided or excluded, decided in one place: from the checks a run saw to
// each rule's status, each target's outcome and the run's verdict. The reporter (conformance.json,
// the terminal table), the JUnit writer, the matrix page and the step summary all take it from here;
// nothing here writes a file or prints a line.
import type { FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import { rulesFor } from '../rules/catalogue.ts';
import type { Secrets } from '../client/redaction.ts';
import { checkInfoOf } from './check-info.ts';
import {
  type Decisions,
  decisionsOf,
  type RuleResult,
  type RuleStatus,
  type RunInfo,
  type Searched,
  type TargetReport,
  WRONG_SETTING,
} from './report-model.ts';

/** A check as the run saw it: the test and its last attempt (a retry replaces the earlier one). */
export interface Seen {
  test: TestCase;
  result: TestResult;
}

/** One run's checks: a target (its shards merged), with the checks no run ran. */
export interface RunSeen {
  run: RunInfo;
  seen: Seen[];
}

/** How the run ended, besides its checks: what decides a target's outcome and abort reason. */
export interface RunEnd {
  /** Playwright's status of the whole run. */
  status: FullResult['status'];
  /** The run's own errors (global setup, a worker), each its first line. */
  errors: readonly string[];
  /** Every reason is redacted by it before it is cut. */
  secrets: Pick<Secrets, 'redact'>;
  /** 'I/N' when the run was one shard of several: the rules no check of its share decides are another shard's. */
  shard?: string;
}

/** What one check did, read from its annotations and its status: the view the rules and JUnit share. */
export interface Check {
  said: Decisions;
  ended: 'passed' | 'skipped' | 'broken';
  /**
   * The rule failure the check stands for, when it recorded one: the failure it ended on when it
   * broke (`rule()` records the thrown rule's failure after what it found on the way), else the first.
   */
  failure?: { rule: string; reason: string };
}

const BROKEN = new Set<string>(['failed', 'timedOut', 'interrupted']);
/** A result is final once reported, and every rule of its target asks what it did: read once. */
const checks = new WeakMap<TestResult, Check>();

export function checkOf({ test, result }: Seen): Check {
  const known = checks.get(result);
  if (known) return known;
  const said = decisionsOf(result.annotations ?? test.annotations);
  const ended = result.status === 'skipped' ? 'skipped' : BROKEN.has(result.status) ? 'broken' : 'passed';
  const failures = [...said.failed].map(([rule, reasons]) => ({ rule, reason: reasons[0] }));
  const failure = ended === 'broken' ? failures.at(-1) : failures[0];
  const check = { said, ended, ...(failure ? { failure } : {}) } as const;
  checks.set(result, check);
  return check;
}

/** A rule failed if any test attributed a failure to it; warned likewise; passed if a test that covers it got through. */
export function decide(
  id: string,
  seen: Seen[],
  selected?: string[],
  shard?: string,
): Omit<RuleResult, 'id' | 'level' | 'title' | 'doc'> {
  const tests: RuleResult['tests'] = [];
  let failed: string | undefined;
  let warned: string | undefined;
  let passed = false;
  let unevidenced: string | undefined;
  let skipReason: string | undefined;
  let excluded: string | undefined;
  let kept = false;
  for (const s of seen) {
    const { said, ended } = checkOf(s);
    if (!said.rules.includes(id)) continue;
    tests.push({ title: s.test.title, testId: s.test.id, status: s.result.status });
    if (said.excluded) excluded ??= said.excluded;
    else kept = true;
    const failures = said.failed.get(id) ?? [];
    const warnings = said.warnings.get(id) ?? [];
    if (failures.length) failed ??= failures[0];
    // A SHOULD seen broken is decided, whatever became of the test that saw it on the way.
    else if (warnings.length) warned ??= warnings[0];
    else if (ended === 'broken') {
      // A failure attributed elsewhere (or a timeout) leaves this rule undecided by this test;
      // a test whose first rule is this one and that failed unattributed fails it.
      if (said.rules[0] === id && said.failed.size === 0)
        failed ??= firstLine(s.result.error?.message ?? s.result.status);
    } else if (ended === 'skipped') {
      skipReason ??= said.skip ?? 'skipped';
    } else {
      const without = said.unevidenced.get(id);
      if (without) unevidenced ??= without[0];
      else passed = true;
    }
  }
  if (failed !== undefined) return { status: 'failed', reason: failed, tests };
  if (warned !== undefined) return { status: 'warning', reason: warned, tests };
  // A shard decides the rules of its own share of the checks; the merge of every shard decides the run.
  if (shard && tests.length === 0)
    return { status: 'skipped', reason: `decided by another shard (this is shard ${shard})`, excluded: true, tests };
  // A narrowed run decides its own rules: the others its checks touch on the way are left out, as in
  // any run that narrows, never skipped for lack of a check it did not collect (a failure still shows).
  if (selected && !selected.includes(id))
    return {
      status: 'skipped',
      reason: excluded ?? `outside CONFORMANCE_RULES (${selected.join(', ')})`,
      excluded: true,
      tests,
    };
  if (passed) return { status: 'passed', tests };
  if (excluded && !kept) return { status: 'skipped', reason: excluded, excluded: true, tests };
  // Its checks passed, and none saw what the rule needs: it held vacuously (a 400 changes nothing where nothing is stored).
  if (unevidenced) return { status: 'skipped', reason: unevidenced, tests };
  return {
    status: 'skipped',
    reason:
      skipReason ??
      (tests.length ? 'not decided: every test of it stopped on another rule' : 'no test of this rule ran'),
    tests,
  };
}

/** The test a rule's status comes from, to link to: the first of its tests that ran, else its first. */
export function decidingTest(rule: RuleResult): RuleResult['tests'][number] | undefined {
  return rule.tests.find((t) => t.status !== 'skipped') ?? rule.tests[0];
}

/** The rules that hold back a pass: kept in the run's scope, yet not decided (MUST; in strict mode SHOULD too). */
export function undecided(rules: RuleResult[], strict: boolean): RuleResult[] {
  return rules.filter((r) => r.status === 'skipped' && !r.excluded && (r.level === 'MUST' || strict));
}

/** The rules that keep a target from passing, when nothing failed: its undecided ones, once its outcome is incomplete. */
export function holdingBack(report: TargetReport): RuleResult[] {
  return report.outcome === 'incomplete' ? undecided(report.rules, report.strict) : [];
}

/** The rules a verdict lists: those that did not pass, but for those the run's settings left out. */
export function shortfalls(rules: RuleResult[]): RuleResult[] {
  return rules.filter((r) => r.status !== 'passed' && !r.excluded);
}

/**
 * The seen checks by run: shards of one target (same URL, profile and mode) make one, named by the
 * first shard's seed; the checks skipped when collected (another profile, the stateless subset)
 * never ran, and belong to every run. `otherwise`: the run when no check recorded one.
 */
export function runsOf(seen: Iterable<Seen>, otherwise: () => RunInfo): RunSeen[] {
  const groups = new Map<string, RunSeen>();
  const add = (run: RunInfo, s?: Seen) => {
    const key = JSON.stringify({
      ...run,
      seed: undefined,
      ...(run.embedded ? { target: undefined, otherRegionUrl: undefined } : {}),
    });
    const group = groups.get(key) ?? { run, seen: [] };
    if (s) group.seen.push(s);
    groups.set(key, group);
  };
  const unrun: Seen[] = [];
  for (const s of seen) {
    const recorded = decisionsOf(s.result.annotations ?? []).run;
    if (recorded) add(recorded, s);
    else unrun.push(s);
  }
  if (groups.size === 0) add(otherwise());
  // An unrun check of several targets' run is registered for one of them (its metadata says which): its copy is that target's only.
  const names = new Set([...groups.values()].flatMap((g) => (g.run.name ? [g.run.name] : [])));
  for (const group of groups.values())
    group.seen.push(
      ...unrun.filter((s) => {
        const owner = checkInfoOf(s.test.annotations)?.target;
        return !owner || !names.has(owner) || owner === group.run.name;
      }),
    );
  return [...groups.values()];
}

/** One target's report: its rules decided, its counts, its outcome, what it observed and what the generated checks bought. */
export function targetReportOf(run: RunInfo, seen: Seen[], end: RunEnd): TargetReport {
  const { secrets } = end;
  const rules = rulesFor(run.profile).map((rule) => {
    const decided = decide(rule.id, seen, run.selectedRules, seen.length ? end.shard : undefined);
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
  const aborted = seen.length === 0 && (end.errors.length > 0 || end.status !== 'passed');
  const failedRun = seen.some((s) => checkOf(s).ended === 'broken');
  return {
    ...run,
    outcome: aborted
      ? 'aborted'
      : failedRun || counts.failed > 0 || end.status === 'interrupted'
        ? 'failed'
        : counts.passed + counts.warning === 0 || undecided(rules, run.strict).length > 0
          ? 'incomplete'
          : 'passed',
    ...(aborted ? { abortReason: clip(secrets.redact(end.errors[0] ?? `run ended: ${end.status}`)) } : {}),
    ...(aborted && end.errors[0]?.includes(WRONG_SETTING) ? { abortedBy: 'setting' as const } : {}),
    counts,
    rules,
    observations: [...new Set(seen.flatMap((s) => decisionsOf(s.result.annotations ?? []).observed))],
    ...generatedOf(seen.flatMap((s) => decisionsOf(s.result.annotations ?? []).searched)),
    ...(end.shard ? { shard: end.shard } : {}),
  };
}

/** The report's top level: the one target's report, or for merged targets their combination. */
export function overallOf(targets: TargetReport[]): TargetReport {
  return targets.length === 1 ? targets[0] : combine(targets);
}

/** Merged targets at the top level: each rule at its worst status across them. */
export function combine(targets: TargetReport[]): TargetReport {
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
    ...(targets.some((t) => t.abortedBy) ? { abortedBy: 'setting' as const } : {}),
    ...(targets[0].shard ? { shard: targets[0].shard } : {}),
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

/** The run's exit status follows the verdict: a rule can fail through tests it blocked, which Playwright saw skip. */
export function runStatusOf(
  { outcome, shard }: Pick<TargetReport, 'outcome' | 'shard'>,
  status: FullResult['status'],
): FullResult['status'] | undefined {
  // A shard's undecided rules may be another shard's to decide: only the merge can call a run incomplete.
  const settled = outcome === 'passed' || (shard !== undefined && outcome === 'incomplete');
  return !settled && status === 'passed' ? 'failed' : undefined;
}

function countOf(rules: RuleResult[]): Record<RuleStatus, number> {
  const counts = { passed: 0, failed: 0, warning: 0, skipped: 0 };
  for (const r of rules) counts[r.status]++;
  return counts;
}

/** What the generated checks' searches bought, summed (nothing when none ran). */
function generatedOf(searches: (Searched & { checks?: number })[]): Pick<TargetReport, 'generated'> {
  if (!searches.length) return {};
  const sum = (key: 'runs' | 'requests' | 'inputs' | 'replayed') => searches.reduce((n, s) => n + s[key], 0);
  const after = (key: keyof Searched['afterFailures']) =>
    searches.reduce((n, s) => n + (s.afterFailures?.[key] ?? 0), 0);
  return {
    generated: {
      checks: searches.reduce((n, s) => n + (s.checks ?? 1), 0),
      runs: sum('runs'),
      requests: sum('requests'),
      inputs: sum('inputs'),
      replayed: sum('replayed'),
      afterFailures: { runs: after('runs'), requests: after('requests'), ms: after('ms') },
    },
  };
}

/** A message's first line, plain text (Playwright colours some messages). */
export function firstLine(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0];
}

/** An error's first line, without the `Error: ` every thrown Error's message starts with. */
export function errorLine(text: string): string {
  return firstLine(text).replace(/^Error: /, '');
}

/** Cut after redaction, so that no cut can leave part of a secret unrecognised. */
export function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

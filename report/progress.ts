// The terminal's running account, for people and for CI logs alike (no cursor tricks): a line for
// each rule as soon as every check of it has ended, and each failure's full message (rule, reason,
// Reproduce line, shortest sequence) as it happens. Errors of the run itself are left to the verdict
// table (report/reporter.ts), so that an aborted run says why once.
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { decide, type Seen } from './decide.ts';
import { checkInfoOf } from './check-info.ts';
import { decisionsOf, INSECURE } from './report-model.ts';
import { readEnvironment } from '../settings/environment.ts';
import { describeRun } from './run-info.ts';
import { rulesFor } from '../rules/catalogue.ts';

export default class ProgressReporter implements Reporter {
  /** Per target and rule: the checks still to end. */
  readonly #pending = new Map<string, Set<string>>();
  readonly #seen = new Map<string, Seen[]>();
  readonly #told = new Map<string, { line: string; decided: boolean }>();
  #total = 0;
  #started = 0;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.#started = performance.now();
    const run = describeRun(readEnvironment());
    // A narrowed run tells its own rules only (report/decide.ts leaves the others out).
    const told = new Set<string>(
      rulesFor(run.profile)
        .map((r) => r.id)
        .filter((id) => !run.selectedRules || run.selectedRules.includes(id)),
    );
    const tests = suite.allTests();
    for (const test of tests) {
      const said = decisionsOf(test.annotations);
      if (said.excluded) continue; // left out by the run's settings: never decided, never told
      for (const id of said.rules.filter((r) => told.has(r))) {
        const key = keyOf(test, id);
        this.#pending.set(key, (this.#pending.get(key) ?? new Set()).add(test.id));
      }
    }
    this.#total = this.#pending.size;
    const kept = tests.filter((t) => !decisionsOf(t.annotations).excluded).length;
    const targets = new Set(tests.map((t) => targetOf(t))).size;
    // A run stopped by its global setup begins with no tests at all.
    console.log(
      `conformance: target ${run.target || '(embedded reference)'}, profile ${run.profile}, seed ${run.seed}${run.strict ? ', strict' : ''}` +
        (tests.length
          ? `; ${kept} checks of ${this.#total} rules${targets > 1 ? ` on ${targets} targets` : ''}, ${config.workers} workers`
          : '') +
        (run.insecure ? `\n  ${INSECURE}` : ''),
    );
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const failed = result.status === 'failed' || result.status === 'timedOut';
    if (failed && result.status !== test.expectedStatus) this.#tellFailure(test, result);
    for (const id of decisionsOf(result.annotations).rules) {
      const key = keyOf(test, id);
      if (!this.#pending.has(key)) continue; // another profile's rule, or one the run left out
      const seen = this.#seen.get(key) ?? [];
      seen.push({ test, result });
      this.#seen.set(key, seen);
      const pending = this.#pending.get(key)!;
      pending.delete(test.id);
      // A rule is told once all its checks have ended; a rule found broken by a check not its own
      // after it was told is told again, as it now stands.
      if (pending.size === 0) this.#tell(test, id, seen);
    }
  }

  #tell(test: TestCase, id: string, seen: Seen[]): void {
    const key = keyOf(test, id);
    const { status, reason } = decide(id, seen);
    const line = `${status.toUpperCase().padEnd(8)} ${id}${reason && status !== 'passed' ? `: ${reason}` : ''}`;
    if (this.#told.get(key)?.line === line) return;
    const first = !this.#told.has(key);
    this.#told.set(key, { line, decided: status !== 'skipped' });
    const count = first ? `[${this.#told.size}/${this.#total}]` : '[again]';
    const target = targetOf(test);
    console.log(`  ${count.padEnd(9)} ${target ? `${target}: ` : ''}${line}`.slice(0, 240));
  }

  #tellFailure(test: TestCase, result: TestResult): void {
    const message = (result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, '');
    const target = targetOf(test);
    console.log(
      `\n  ✘ ${target ? `${target}: ` : ''}${test.title}\n${message
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    );
  }

  onEnd(): void {
    if (this.#total === 0) return;
    const decided = [...this.#told.values()].filter((t) => t.decided).length;
    console.log(
      `conformance: ${decided} of ${this.#total} rules decided in ${((performance.now() - this.#started) / 1000).toFixed(1)} s`,
    );
  }
}

function keyOf(test: TestCase, id: string): string {
  return `${targetOf(test) ?? ''}\u0000${id}`;
}

/** A check's target, when it is named: its metadata says which (report/check-info.ts); the default one goes unnamed. */
function targetOf(test: TestCase): string | undefined {
  const target = checkInfoOf(test.annotations)?.target;
  return target && target !== 'target' ? target : undefined;
}

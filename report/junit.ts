// reports/junit.xml, written from the decided model (report/decide.ts) rather than by Playwright's JUnit
// reporter: a check that failed a rule is a <failure> typed by that rule, a check that broke (a timeout,
// an error of the suite itself) an <error>, a skipped one <skipped> with its reason; and every count, at
// the root and per suite, is the number of those elements, so that CI dashboards add up.
import { relative } from 'node:path';
import type { TestResult } from '@playwright/test/reporter';
import { checkOf, errorLine, type Seen } from './decide.ts';
import type { Secrets } from '../client/redaction.ts';
import { decisionsOf, type RuleResult } from './report-model.ts';

export interface JunitSuite {
  /** The target's name (several targets get a suite each per spec file). */
  target?: string;
  seen: Seen[];
  /** The target's decided rules: a failure a check found on the way is named with its rule's level. */
  rules: readonly RuleResult[];
}

type Verdict =
  | { kind: 'passed' }
  | { kind: 'skipped'; message: string }
  | { kind: 'failure' | 'error'; type: string; message: string; text: string };

/**
 * What one check's result is, in JUnit's terms, as the decided model reads the check (report/decide.ts):
 * the rule failure it recorded is a <failure>, even when the check got through and found it on the way
 * (the rule fails the run through it); a check that broke with no rule to blame is an <error>.
 */
function verdictOf(seen: Seen, rules: readonly RuleResult[]): Verdict {
  const { said, ended, failure } = checkOf(seen);
  const { result } = seen;
  if (ended === 'skipped') return { kind: 'skipped', message: said.skip ?? 'skipped' };
  if (ended === 'passed') {
    // Got through without what its rule needs to have been seen (report/evidence.ts): it verified nothing.
    const without = said.unevidenced.get(said.rules[0] ?? '');
    if (!failure && without) return { kind: 'skipped', message: `${said.rules[0]}: ${without[0]}` };
    if (!failure) return { kind: 'passed' };
    const level = rules.find((r) => r.id === failure.rule)?.level;
    const message = `${failure.rule}${level ? ` (${level})` : ''} failed: ${failure.reason}`;
    return { kind: 'failure', type: failure.rule, message: errorLine(message), text: message };
  }
  const message =
    result.error?.message ?? `the check ${result.status === 'timedOut' ? 'timed out' : `ended: ${result.status}`}`;
  return failure
    ? { kind: 'failure', type: failure.rule, message: errorLine(message), text: message }
    : { kind: 'error', type: result.status, message: errorLine(message), text: message };
}

export function junitOf(suites: JunitSuite[], secrets: Secrets, root: string): string {
  const shown = (text: string) => escapeXml(secrets.redact(text.replace(/\u001b\[[0-9;]*m/g, '')));
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const blocks: string[] = [];
  for (const { target, seen, rules } of suites) {
    const byFile = new Map<string, typeof seen>();
    for (const s of seen)
      byFile.set(relative(root, s.test.location.file), [
        ...(byFile.get(relative(root, s.test.location.file)) ?? []),
        s,
      ]);
    for (const [file, cases] of byFile) {
      // The target in the class name too: a check's copy for each target is a test case of its own.
      const name = target ? `${target} › ${file}` : file;
      const counts = { tests: cases.length, failures: 0, errors: 0, skipped: 0, time: 0 };
      const lines = cases.map((s) => {
        const v = verdictOf(s, rules);
        const seconds = s.result.duration / 1000;
        counts.time += seconds;
        const open = `    <testcase name="${shown(s.test.title)}" classname="${shown(name)}" time="${seconds.toFixed(3)}"`;
        const out = outputOf(s.result);
        const systemOut = out ? `\n      <system-out>${shown(out)}</system-out>` : '';
        if (v.kind === 'passed') return out ? `${open}>${systemOut}\n    </testcase>` : `${open}/>`;
        if (v.kind === 'skipped') {
          counts.skipped++;
          return `${open}>\n      <skipped message="${shown(v.message)}"/>\n    </testcase>`;
        }
        counts[v.kind === 'failure' ? 'failures' : 'errors']++;
        return `${open}>\n      <${v.kind} message="${shown(v.message)}" type="${shown(v.type)}">${shown(v.text)}</${v.kind}>${systemOut}\n    </testcase>`;
      });
      for (const key of ['tests', 'failures', 'errors', 'skipped', 'time'] as const) totals[key] += counts[key];
      blocks.push(
        `  <testsuite name="${shown(name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${counts.time.toFixed(3)}">\n${lines.join('\n')}\n  </testsuite>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="conformance" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${totals.time.toFixed(3)}">\n${blocks.join('\n')}\n</testsuites>\n`;
}

/**
 * The warnings and observations a check recorded (a cleanup that failed among them) and its transcript,
 * for <system-out> (already redacted where they were made).
 */
function outputOf(result: TestResult): string {
  const said = decisionsOf(result.annotations);
  const warnings = [...said.warnings].flatMap(([id, reasons]) => reasons.map((r) => `warning: ${id}: ${r}`));
  const observed = said.observed.map((o) => `observed: ${o}`);
  const exchanges = result.attachments
    .filter((a) => a.name === 'exchanges.txt' && a.body)
    .map((a) => a.body!.toString('utf8'));
  return [...warnings, ...observed, ...exchanges].join('\n\n');
}

/** Text as XML 1.0 carries it: markup escaped, and characters it cannot hold (NUL, lone surrogates) as U+FFFD. */
function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// The run's verdict as Markdown for a CI job's summary page (GitHub Actions' GITHUB_STEP_SUMMARY):
// per target its outcome, counts and seed, and a row for every rule that did not pass, with its reason.
import { shortfalls } from './decide.ts';
import type { TargetReport } from './report-model.ts';

/** Markdown table cells hold no pipe and no line break. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function stepSummary(targets: TargetReport[]): string {
  return targets
    .map((t) => {
      const c = t.counts;
      const title = t.name && t.name !== 'target' ? `${t.name} (${t.target})` : t.target || 'the embedded reference';
      const rows = shortfalls(t.rules).map(
        (r) => `| ${r.status} | ${r.level} | \`${r.id}\` | ${cell(r.reason ?? '')} |`,
      );
      return [
        `### Media-provider conformance of ${cell(title)}: ${t.outcome.toUpperCase()}`,
        '',
        ...(t.abortReason ? [cell(t.abortReason), ''] : []),
        `${c.passed} passed, ${c.failed} failed, ${c.warning} warning, ${c.skipped} skipped · ${t.profile} profile${t.strict ? ', strict' : ''} · seed ${t.seed}`,
        '',
        ...(rows.length ? ['| status | level | rule | reason |', '|---|---|---|---|', ...rows, ''] : []),
      ].join('\n');
    })
    .join('\n');
}

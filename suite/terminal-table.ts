// The verdict table the terminal ends with, one per target: its outcome, every rule that did not pass
// with its reason, the rules that hold back a pass, what the target was observed doing (where the rules
// leave it open, and cleanups that failed), what the generated checks bought, and the counts.
// What it shows is decided in suite/decide.ts.
import { holdingBack, shortfalls } from './decide.ts';
import { NOT_SEEN, notSeen } from './evidence.ts';
import { INSECURE, type RuleStatus, type TargetReport } from './report-model.ts';

/** `file`: where conformance.json went, for its last line. */
export function renderTable(report: TargetReport, file: string): string {
  const order: RuleStatus[] = ['failed', 'warning', 'skipped', 'passed'];
  // An aborted run decided nothing: its one reason says why, not a row for every rule.
  const rows =
    report.outcome === 'aborted'
      ? []
      : shortfalls(report.rules)
          .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))
          .map((r) =>
            `  ${r.status.toUpperCase().padEnd(8)} ${r.level.padEnd(6)} ${r.id.padEnd(32)} ${r.reason ?? ''}`.slice(
              0,
              220,
            ),
          );
  const c = report.counts;
  const excluded = report.rules.filter((r) => r.excluded).length;
  // Rules that held only vacuously are not for leaving out: what they lacked is the target's doing.
  const vacuous = report.rules.filter((r) => r.reason?.startsWith(NOT_SEEN));
  const lacked = notSeen(vacuous.map((r) => r.reason ?? ''));
  const holding = holdingBack(report).filter((r) => !vacuous.includes(r));
  return [
    '',
    `Conformance (${report.profile} profile${report.strict ? ', strict' : ''}) of ${report.name && report.name !== 'target' ? `${report.name} (${report.target})` : report.target || '(no target)'}: ${report.outcome.toUpperCase()}`,
    ...(report.abortReason ? [`  ${report.abortReason}`] : []),
    ...(report.insecure ? [`  ${INSECURE}`] : []),
    ...rows,
    ...(vacuous.length
      ? [
          `  ${vacuous.length} rule${vacuous.length > 1 ? 's' : ''} held only vacuously, so ${vacuous.length > 1 ? 'they stay' : 'it stays'} undecided: no check saw ${lacked.join(', nor ')}`,
        ]
      : []),
    ...(holding.length
      ? [
          `  ${holding.length} ${report.strict ? '' : 'MUST '}rule${holding.length > 1 ? 's were' : ' was'} not decided, so the run cannot pass: give what ${holding.length > 1 ? 'they need' : 'it needs'}, or leave ${holding.length > 1 ? 'them' : 'it'} out on purpose: CONFORMANCE_SKIP_RULES=${holding.map((r) => r.id).join(',')} (--skip-rule)`,
        ]
      : []),
    ...report.observations.map((o) => `  observed: ${o}`.slice(0, 220)),
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

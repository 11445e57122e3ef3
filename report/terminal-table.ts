// The verdict table the terminal ends with, one per target: its outcome, every rule that did not pass
// with its reason, the rules that hold back a pass, what the target was observed doing (where the rules
// leave it open, and cleanups that failed), what the generated checks bought, and the counts.
// What it shows is decided in report/decide.ts.
import { dirname } from 'node:path';
import { holdingBack, shortfalls } from './decide.ts';
import { NOT_SEEN, notSeen } from './evidence.ts';
import { INSECURE, type RuleStatus, SKIP_LIST_REASON, type TargetReport } from './report-model.ts';

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
    `Conformance (${report.profile} profile${report.strict ? ', strict' : ''}${report.shard ? `, shard ${report.shard}` : ''}) of ${report.name && report.name !== 'target' ? `${report.name} (${report.target})` : report.target || '(no target)'}: ${report.outcome.toUpperCase()}`,
    ...(report.abortReason ? [`  ${report.abortReason}`] : []),
    ...(report.shard
      ? [
          `  shard ${report.shard} judges its share of the checks (incomplete here: other shards decide the rest); the run's verdict is the merge of every shard's blob (${dirname(file)}/blob/): whatsapp-media-provider-conformance merge FOLDER…`,
        ]
      : []),
    ...(report.insecure ? [`  ${INSECURE}`] : []),
    ...rows,
    ...(vacuous.length
      ? [
          `  ${vacuous.length} rule${vacuous.length > 1 ? 's' : ''} held only vacuously, so ${vacuous.length > 1 ? 'they stay' : 'it stays'} undecided: no check saw ${lacked.join(', nor ')}`,
        ]
      : []),
    ...leftOutLines(report),
    ...(holding.length
      ? [
          `  ${holding.length} ${report.strict ? '' : 'MUST '}rule${holding.length > 1 ? 's were' : ' was'} not decided, so the run cannot pass: give what ${holding.length > 1 ? 'they need' : 'it needs'}, or leave ${holding.length > 1 ? 'them' : 'it'} out on purpose: ${skipAdvice(
            report,
            holding.map((r) => r.id),
          )}`,
        ]
      : []),
    ...report.observations.map((o) => `  observed: ${o}`.slice(0, 220)),
    ...(report.generated
      ? [
          `  generated: ${report.generated.runs} runs of ${report.generated.checks} searches, ${report.generated.requests} requests, ${report.generated.inputs} distinct` +
            `${report.generated.replayed ? `, ${report.generated.replayed} stored failure(s) replayed first` : ''}` +
            afterFailuresOf(report.generated),
        ]
      : []),
    `  rules: ${c.passed} passed, ${c.failed} failed, ${c.warning} warning, ${c.skipped} skipped${excluded ? ` (${excluded} left out by the run's settings)` : ''} · seed ${report.seed} · ${file}`,
    '',
  ].join('\n');
}

/**
 * The rules the run's settings left out, by reason: named when few, so that a user sees what a pass did
 * not cover. A run narrowed to some rules tells only those.
 */
function leftOutLines(report: TargetReport): string[] {
  if (report.outcome === 'aborted' || report.selectedRules) return [];
  const byReason = new Map<string, string[]>();
  for (const r of report.rules.filter((r) => r.excluded))
    byReason.set(r.reason ?? 'left out', [...(byReason.get(r.reason ?? 'left out') ?? []), r.id]);
  return [...byReason].map(([reason, ids]) =>
    `  left out: ${ids.length > 8 ? `${ids.length} rules` : ids.join(', ')} (${reason.replace(/^left out:? /, '')})`.slice(
      0,
      220,
    ),
  );
}

/**
 * The setting that leaves `undecided` out, complete: pasted, it replaces the skip list the run had, so
 * it keeps that list's rules too; and where a rule waits for a second bot or another region, the one
 * switch that says the target has neither.
 */
function skipAdvice(report: TargetReport, undecided: string[]): string {
  const skipped = report.rules.filter((r) => r.excluded && r.reason === SKIP_LIST_REASON).map((r) => r.id);
  const own = report.rules.filter((r) => r.excluded && r.reason?.endsWith('by its skipRules')).map((r) => r.id);
  const list = [...new Set([...skipped, ...own, ...undecided])].join(',');
  const advice = own.length
    ? `skipRules of target '${report.name}' in the configuration file: [${list
        .split(',')
        .map((id) => `"${id}"`)
        .join(', ')}]`
    : `CONFORMANCE_SKIP_RULES=${list} (--skip-rule ${list})`;
  const needsMore = report.rules.some(
    (r) => undecided.includes(r.id) && /^needs (SECOND_BOT_ID|OTHER_REGION_URL)/.test(r.reason ?? ''),
  );
  return needsMore
    ? `${advice}; a target with a single bot in one region says so instead: CONFORMANCE_SINGLE_BOT=1 (--single-bot), which leaves out exactly the rules that need more`
    : advice;
}

/** The work after failures, when there was any: `; after failures: R runs (shrinking and replays alone), Q requests, T s`. */
function afterFailuresOf(generated: NonNullable<TargetReport['generated']>): string {
  const after = generated.afterFailures;
  if (!after?.runs) return '';
  return `; after failures: ${after.runs} runs (replays alone and shrinking), ${after.requests} requests, ${(after.ms / 1000).toFixed(1)} s`;
}

// reports/conformance.html: the rule matrix as one self-contained page (no script, no network):
// a row per rule, a column per target, coloured by status, each cell linking to its test in the
// Playwright HTML report. Every status, reason and outcome it shows was decided in report/decide.ts.
import { decidingTest } from './decide.ts';
import { INSECURE, type ConformanceReport, type RuleStatus, type TargetReport } from './report-model.ts';

const COLOURS: Record<RuleStatus, string> = {
  passed: '#d8f5d0',
  failed: '#ffd6d6',
  warning: '#fff0c2',
  skipped: '#eceff1',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A target by its name, its URL beside (a run of one unnamed target: its URL). */
const targetLabel = (t: TargetReport) =>
  t.name && t.name !== 'target'
    ? `${escapeHtml(t.name)} <small>${escapeHtml(t.target)}</small>`
    : escapeHtml(t.target || '(no target)');

/** `vendorPage`: the vendor's page (the OpenAPI document's externalDocs); each rule's section links into it. */
export function renderMatrix(report: ConformanceReport, htmlReport: string, vendorPage?: string): string {
  const targets = report.targets;
  const section = (doc: string) =>
    vendorPage
      ? `<a href="${escapeHtml(`${vendorPage}#:~:text=${encodeURIComponent(doc.split(' › ')[0])}`)}">${escapeHtml(doc)}</a>`
      : escapeHtml(doc);
  const link = (testId: string) =>
    `${htmlReport.split('/').map(encodeURIComponent).join('/')}/index.html#?testId=${encodeURIComponent(testId)}`;
  const header = targets
    .map(
      (t) =>
        `<th>${targetLabel(t)}<br><small>${escapeHtml(t.profile)} profile${t.strict ? ', strict' : ''} · seed ${t.seed}</small></th>`,
    )
    .join('');
  const cell = (t: TargetReport, id: string) => {
    const r = t.rules.find((x) => x.id === id);
    if (!r) return '<td class="absent">not in this profile</td>';
    const test = decidingTest(r);
    const status = test ? `<a href="${link(test.testId)}">${r.status}</a>` : r.status;
    return `<td class="${r.status}" style="background:${COLOURS[r.status]}">${status}${r.reason ? `<div class="reason">${escapeHtml(r.reason)}</div>` : ''}</td>`;
  };
  const ids = [...new Map(targets.flatMap((t) => t.rules).map((r) => [r.id, r])).values()];
  const rows = ids
    .map(
      (r) =>
        `<tr><td><code>${escapeHtml(r.id)}</code></td><td>${r.level}</td><td>${escapeHtml(r.title)}</td><td>${section(r.doc)}</td>${targets.map((t) => cell(t, r.id)).join('')}</tr>`,
    )
    .join('\n');
  const summary = targets
    .map((t) => {
      const c = t.counts;
      return `<li class="summary"><strong>${targetLabel(t)}</strong>: <span class="outcome ${t.outcome}">${t.outcome.toUpperCase()}</span> · <span class="count-passed">${c.passed} passed</span>, <span class="count-failed">${c.failed} failed</span>, <span class="count-warning">${c.warning} warning</span>, <span class="count-skipped">${c.skipped} skipped</span>${t.abortReason ? ` · ${escapeHtml(t.abortReason)}` : ''}${t.insecure ? ` · <strong class="insecure">${INSECURE}</strong>` : ''}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Media-provider conformance: ${report.outcome}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f23; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #c9d1d9; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f6f8fa; position: sticky; top: 0; }
.reason { font-size: 12px; color: #444; margin-top: .2rem; }
.outcome.passed { color: #1a7f37; } .insecure { color: #9a6700; } .outcome.failed, .outcome.aborted { color: #cf222e; }
.legend span { padding: .1rem .5rem; margin-right: .4rem; }
</style></head>
<body>
<h1>WhatsApp media-provider conformance</h1>
<ul>${summary}</ul>
<p class="legend">${(Object.keys(COLOURS) as RuleStatus[]).map((s) => `<span style="background:${COLOURS[s]}">${s}</span>`).join('')}
MUST failures fail the run; SHOULD failures are warnings (failures in strict mode). Each status links to its test in the <a href="${htmlReport}/index.html">Playwright report</a>.</p>
<table>
<thead><tr><th>rule</th><th>level</th><th>what it holds the server to</th><th>doc section</th>${header}</tr></thead>
<tbody>
${rows}
</tbody></table>
<p><small>Generated ${escapeHtml(report.startedAt)} in ${(report.durationMs / 1000).toFixed(1)} s.</small></p>
</body></html>
`;
}

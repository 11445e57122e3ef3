// Where a run's time goes at a distance: the reference with N ms added to every answer records each
// request it serves (when it came, when its answer went, which check sent it), and the chains are
// counted from that record: the answers a check waited for one after another, and the run's longest
// such chain; and where the run's time went (its phases).
// `npx tsx bench/chains.ts [--latency MS] [--top N] [--seed N] [--rule ID,ID] [--budget B]`.
import type http from 'node:http';
import { parseArgs } from 'node:util';
import { kindOf } from '../client/check-label.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { startTarget } from '../selftest/support/servers.ts';
import { benchRun } from './measure.ts';

/** One request as the server saw it: from its arrival to its answer's departure, latency included. */
export interface Served {
  start: number;
  end: number;
  check: string;
}

/** A reference that records what it serves, whoever sends it (both regions of a target share the record). */
export function recordingReference(record: Served[]): typeof ReferenceApp {
  return class RecordingApp extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      const start = performance.now();
      const check = String(req.headers['x-conformance-check'] ?? 'unlabelled');
      const answer = await super.handle(req);
      // The latency is added after handle(): the answer leaves this much later.
      const served: Served = { start, end: performance.now() + (this.options.latencyMs ?? 0), check };
      record.push(served);
      return answer;
    }
  };
}

/**
 * The longest chain of requests each sent after the one before it was answered (0.5 ms of slack for
 * the clock), among `served`: with L ms added to every answer, the chain alone lasts L × its length.
 */
export function longestChain(served: readonly Served[]): number {
  const byStart = [...served].sort((a, b) => a.start - b.start);
  const byEnd = [...served].sort((a, b) => a.end - b.end);
  const depth = new Map<Served, number>();
  let best = 0;
  let ended = 0;
  let deepestEnded = 0;
  for (const r of byStart) {
    // Only a request already counted can come before r: with the slack, one that starts after r (or r
    // itself, at no added latency) may end within it, and taken now it would count as a chain of none.
    while (ended < byEnd.length && byEnd[ended].end <= r.start + 0.5 && depth.has(byEnd[ended])) {
      deepestEnded = Math.max(deepestEnded, depth.get(byEnd[ended])!);
      ended++;
    }
    depth.set(r, deepestEnded + 1);
    best = Math.max(best, deepestEnded + 1);
  }
  return best;
}

/** Each check's requests and longest chain, longest first. */
export function chainsByCheck(served: readonly Served[]): { check: string; requests: number; chain: number }[] {
  const groups = new Map<string, Served[]>();
  for (const s of served) groups.set(s.check, [...(groups.get(s.check) ?? []), s]);
  return [...groups]
    .map(([check, list]) => ({ check, requests: list.length, chain: longestChain(list) }))
    .sort((a, b) => b.chain - a.chain || b.requests - a.requests);
}

/**
 * The checks of the whole list run one at a time on a target (fixtures/turns.ts), none beside them:
 * the sum of their chains is what they alone wait, one after another, whatever else runs side by side.
 */
export function aloneChain(served: readonly Served[]): { checks: number; chain: number } {
  const alone = chainsByCheck(served).filter((r) => kindOf(r.check) === 'whole-list');
  return { checks: alone.length, chain: alone.reduce((sum, r) => sum + r.chain, 0) };
}

/**
 * Where a run's time went, in seconds from `started`: its first check's first request, the checks of
 * the whole list from the first one's start to the last one's end (and their spans summed: what is
 * not in them is the wait between them), and the last request served.
 */
export function phasesOf(served: readonly Served[], started: number) {
  const s = (ms: number) => Number(((ms - started) / 1000).toFixed(2));
  const checks = served.filter((r) => kindOf(r.check));
  const spans = new Map<string, { start: number; end: number }>();
  for (const r of checks.filter((c) => kindOf(c.check) === 'whole-list')) {
    const span = spans.get(r.check) ?? { start: r.start, end: r.end };
    spans.set(r.check, { start: Math.min(span.start, r.start), end: Math.max(span.end, r.end) });
  }
  const whole = [...spans.values()];
  return {
    firstCheck: s(Math.min(...checks.map((r) => r.start))),
    wholeList: { from: s(Math.min(...whole.map((w) => w.start))), to: s(Math.max(...whole.map((w) => w.end))) },
    wholeListSpans: Number((whole.reduce((sum, w) => sum + w.end - w.start, 0) / 1000).toFixed(2)),
    lastAnswer: s(Math.max(...served.map((r) => r.end))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string', default: '50' },
      top: { type: 'string', default: '25' },
      seed: { type: 'string', default: '1' },
      rule: { type: 'string' },
      budget: { type: 'string' },
    },
  });
  const record: Served[] = [];
  const target = await startTarget(recordingReference(record), { latencyMs: Number(values.latency) });
  const started = performance.now();
  const run = await benchRun({
    env: {
      ...target.env,
      CONFORMANCE_SEED: values.seed,
      CONFORMANCE_RULES: values.rule,
      CONFORMANCE_BUDGET: values.budget,
    },
  });
  const wall = performance.now() - started;
  await target.close();
  const rows = chainsByCheck(record);
  console.log(run.stdout.split('\n').slice(-8).join('\n'));
  console.log(
    `exit ${run.code}; wall ${(wall / 1000).toFixed(1)} s at ${values.latency} ms; ${record.length} requests; the run's longest chain ${longestChain(record)}`,
  );
  const alone = aloneChain(record);
  console.log(`the ${alone.checks} checks of the whole list, one at a time: their chains sum to ${alone.chain}`);
  const p = phasesOf(record, started);
  console.log(
    `phases, s from the start: first check's request ${p.firstCheck}; the whole list's checks ${p.wholeList.from} → ${p.wholeList.to} (their spans sum to ${p.wholeListSpans}); last answer ${p.lastAnswer}; exit ${(wall / 1000).toFixed(2)}`,
  );
  for (const r of rows.slice(0, Number(values.top)))
    console.log(`${String(r.chain).padStart(5)} ${String(r.requests).padStart(5)}  ${r.check}`);
}

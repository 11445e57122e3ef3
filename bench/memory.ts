// Peak memory of a run: the resident set of its runner and every process under it, read from /proc
// every 50 ms and summed (what `ps` shows for each, added up), with who held what at the peak.
import { readdirSync, readFileSync } from 'node:fs';
import type { RunOptions } from '../selftest/support/run-suite.ts';
import { benchRun } from './measure.ts';

export interface Held {
  /** runner (the process spawned), worker (Playwright's worker process) or the program's file name. */
  role: string;
  bytes: number;
}

export interface Peak {
  bytes: number;
  /** Each process at the sample of the peak, largest first. */
  byProcess: Held[];
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone meanwhile
  }
};

function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat) parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  return parentOf;
}

function roleOf(pid: number, root: number): string {
  if (pid === root) return 'runner';
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split('\0');
  if (args.some((a) => a.endsWith('workerProcessEntry.js'))) return 'worker';
  return (args[1] ?? args[0] ?? '?').split('/').pop() || '?';
}

/** Every process of the tree under `root` (itself included) with its resident set now. */
export function treeRss(root: number): Held[] {
  const parentOf = parents();
  const held: Held[] = [];
  const visit = (pid: number) => {
    const rss = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
    if (rss) held.push({ role: roleOf(pid, root), bytes: Number(rss[1]) * 1024 });
    for (const [child, parent] of parentOf) if (parent === pid) visit(child);
  };
  visit(root);
  return held;
}

/** Runs `run` (given the options with an onSpawn of its own) and samples its process tree's memory. */
export async function peakMemoryOf<T>(
  run: (options: RunOptions) => Promise<T>,
  options: RunOptions = {},
): Promise<Peak & { value: T }> {
  let peak: Peak = { bytes: 0, byProcess: [] };
  let timer: NodeJS.Timeout | undefined;
  const value = await run({
    ...options,
    onSpawn: (pid) => {
      timer = setInterval(() => {
        const held = treeRss(pid);
        const bytes = held.reduce((n, h) => n + h.bytes, 0);
        if (bytes > peak.bytes) peak = { bytes, byProcess: held.sort((a, b) => b.bytes - a.bytes) };
      }, 50);
    },
  });
  clearInterval(timer);
  return { ...peak, value };
}

/** The trivial two-worker run: two .mjs tests that do nothing, one in each of two workers. */
export const TRIVIAL_TWO_WORKERS = ['-c', 'bench/trivial/two-workers/playwright.config.mjs'];

export interface SideBySide {
  runs: number;
  trivialTwoWorkers: Peak;
  fullEmbedded: Peak;
  ratio: number;
}

/** The median of the peaks (and that run's processes at its peak). */
const medianPeak = (peaks: Peak[]) => [...peaks].sort((a, b) => a.bytes - b.bytes)[Math.floor(peaks.length / 2)];

/**
 * The trivial two-worker run and a full run against the embedded reference, in turn, `runs` times
 * each: the median peak of each, and the ratio of the two.
 */
export async function memorySideBySide(runs: number, seedOf: (i: number) => string): Promise<SideBySide> {
  const trivial: Peak[] = [];
  const full: Peak[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await peakMemoryOf(benchRun, { args: TRIVIAL_TWO_WORKERS });
    if (t.value.code !== 0) throw new Error(`the trivial two-worker run failed (exit ${t.value.code})`);
    trivial.push(t);
    const f = await peakMemoryOf(benchRun, { env: { CONFORMANCE_SEED: seedOf(i) } });
    if (f.value.code !== 0)
      throw new Error(`a full run failed (exit ${f.value.code}):\n${f.value.stdout.slice(-2000)}`);
    full.push(f);
  }
  const strip = ({ bytes, byProcess }: Peak): Peak => ({ bytes, byProcess });
  process.stderr.write(
    `bench: peak memory, trivial two workers / full run: ${trivial.map((p) => p.bytes >> 20).join(', ')} / ${full.map((p) => p.bytes >> 20).join(', ')} MiB\n`,
  );
  const [t, f] = [strip(medianPeak(trivial)), strip(medianPeak(full))];
  return { runs, trivialTwoWorkers: t, fullEmbedded: f, ratio: +(f.bytes / t.bytes).toFixed(2) };
}

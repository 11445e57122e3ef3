// The exit code a pipeline branches on, read from the verdict a run (or a merge of shards) wrote.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../settings/command-line.ts';

/** What the run's report says, when this run wrote it: the exit code a pipeline branches on. */
export function exitOf(reportDirectory: string, startedAt: number, childCode: number): number {
  const file = join(reportDirectory, 'conformance.json');
  if (existsSync(file) && statSync(file).mtimeMs >= startedAt) {
    const { outcome, abortedBy, shard } = JSON.parse(readFileSync(file, 'utf8')) as {
      outcome: keyof typeof EXIT;
      abortedBy?: 'setting';
      shard?: string;
    };
    if (abortedBy === 'setting') return EXIT.usage;
    // A shard's undecided rules may be another shard's to decide: only the merge can call a run incomplete.
    if (shard && outcome === 'incomplete') return EXIT.passed;
    if (outcome in EXIT) return EXIT[outcome];
  }
  // No verdict was written: a listing (`-- --list`) passes; anything else stopped before its verdict.
  return childCode === 0 ? EXIT.passed : EXIT.aborted;
}

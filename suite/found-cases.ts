// The failing cases of the generated checks, kept in the state folder between runs and replayed
// before any new search (as Hypothesis's example database does): a fault found once is found again
// on every later run against the same target, whatever the seed, until the target no longer fails it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isRuleId, type RuleId } from '../rules/catalogue.ts';

/**
 * A failure kept between runs, to replay before searching anew (driver/search.ts): the chunk is
 * generated again from its seed (the same runs, data made afresh from this run's names), up to the run
 * that failed, and shrunk. A path into the shrunk case would not do: a sequence's shrink tree depends
 * on what the target answered.
 */
export interface Stored {
  rule: RuleId;
  seed: number;
  upTo: number;
}

/** The stored cases in `file`; a file that is missing, or not of this shape, holds none. */
export function readFound(file: string): Stored[] {
  try {
    const cases = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(cases)) return [];
    return cases.filter(
      (c): c is Stored =>
        Number.isInteger(c?.seed) && Number.isInteger(c?.upTo) && c.upTo > 0 && isRuleId(String(c?.rule)),
    );
  } catch {
    return [];
  }
}

/** Keeps exactly `cases` (those that fail now): a case that no longer fails is gone. */
export function writeFound(file: string, cases: Stored[]): void {
  if (!cases.length) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(
    temporary,
    JSON.stringify(
      cases.map(({ rule, seed, upTo }) => ({ rule, seed, upTo })),
      null,
      2,
    ),
  );
  renameSync(temporary, file);
}

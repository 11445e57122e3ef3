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

/** The store's layout: a change to it, or to what a seed generates, is a new suite version. */
const FORMAT = 1;

/**
 * What `file` holds for the suite `suite` (its name@version); a missing file holds none. A store of
 * another version of the suite (or of one before stores named theirs) is not replayed: its seeds make
 * other runs there, and its rules may be gone; `from` names it, and the next write replaces it. A file
 * that is not a store throws, naming the file: read as empty, it would drop the failures it keeps
 * without a word.
 */
export function readFound(file: string, suite: string): { cases: Stored[]; from?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { cases: [] };
    throw e;
  }
  // What to do first, then why: a terminal line cut at its width still says it.
  const corrupt = (why: string) =>
    new Error(
      `the store of the failures this check found is corrupt: delete ${file} to forget them, or restore it (${why})`,
    );
  let store: unknown;
  try {
    store = JSON.parse(text);
  } catch (e) {
    throw corrupt(`not JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(store)) return { cases: [], from: 'a version before stores named theirs' };
  const { format, suite: writer, cases } = (store ?? {}) as { format?: unknown; suite?: unknown; cases?: unknown };
  if (typeof writer !== 'string' || !Number.isInteger(format)) throw corrupt('not a store of this suite');
  if (writer !== suite || format !== FORMAT) return { cases: [], from: writer };
  if (!Array.isArray(cases)) throw corrupt('its cases are not a list');
  const wrong = cases.findIndex(
    (c) => !(Number.isInteger(c?.seed) && Number.isInteger(c?.upTo) && c.upTo > 0 && isRuleId(String(c?.rule))),
  );
  if (wrong >= 0) throw corrupt(`entry ${wrong} is not a case of a known rule with its seed and run count`);
  return { cases: cases as Stored[] };
}

/** Keeps exactly `cases` (those that fail now), as the suite `suite` stores them: a case that no longer fails is gone. */
export function writeFound(file: string, suite: string, cases: Stored[]): void {
  if (!cases.length) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}`;
  writeFileSync(
    temporary,
    JSON.stringify(
      { format: FORMAT, suite, cases: cases.map(({ rule, seed, upTo }) => ({ rule, seed, upTo })) },
      null,
      2,
    ),
  );
  renameSync(temporary, file);
}

// How a check says a rule is broken: a ConformanceFailure naming the rule, with a short reason built
// from redacted data (never a raw diff of bodies, which could hold secrets), and the ways several
// failures of one check are gathered so that one fault does not hide another.
import type { Exchange, Recorded } from '../client/http.ts';
import { ruleById, type RuleId } from '../rules/catalogue.ts';

export interface FailureExtras {
  /** Lines shown under the failure (a generated sequence, say), never in the one-line reason. */
  details?: string;
  /** Settings a rerun needs besides the seed and the rule (a generated check's budget, say), as `NAME=value`. */
  replay?: string;
  /** Other rules the same check found broken: recorded on the way, so that one fault does not hide another. */
  others?: ConformanceFailure[];
  /** The exchange whose answer (or lack of one) broke the rule, shown under the failure (without it, the check's last). */
  judged?: Recorded;
}

export class ConformanceFailure extends Error {
  constructor(
    readonly ruleId: RuleId,
    readonly reason: string,
    readonly extras: FailureExtras = {},
  ) {
    super(`${ruleId}: ${reason}`);
  }
}

export function fail(ruleId: RuleId, reason: string, judged?: Exchange): never {
  throw new ConformanceFailure(ruleId, reason, judged ? { judged } : {});
}

/** Throws what several pieces of work of one check threw (together's): an error that is not a rule's first, else every rule's failure once. */
export function throwTogether(thrown: unknown[]): void {
  const broken = thrown.find((e) => !(e instanceof ConformanceFailure));
  if (broken) throw broken;
  const all = (thrown as ConformanceFailure[]).flatMap((e) => [e, ...(e.extras.others ?? [])]);
  const once = all.filter((e, i) => all.findIndex((f) => f.ruleId === e.ruleId) === i);
  const [first, ...others] = once;
  if (first) throw new ConformanceFailure(first.ruleId, first.reason, { ...first.extras, others });
}

/**
 * Waits for every one of `work` to settle, and only then throws what failed (every rule's failure, one
 * per rule): a check must not end while a request of its own is still on the way, or it would write
 * into the next check's list.
 */
export async function together<T>(work: Iterable<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  throwTogether(settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : [])));
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Runs `each` on every item, `atOnce` at a time (1: one after another), and returns what each gave, in order. */
export async function inWaves<T, R>(
  items: readonly T[],
  atOnce: number,
  each: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let at = 0; at < items.length; at += atOnce)
    out.push(...(await together(items.slice(at, at + atOnce).map((item, i) => each(item, at + i)))));
  return out;
}

/**
 * The failures a check that sends many inputs collects before it ends, one per rule (its first
 * reason, and what else broke it): the MUST rules' first, the first thrown and the others along with it.
 */
export class Findings {
  readonly #byRule = new Map<RuleId, { first: ConformanceFailure; more: string[] }>();

  /** `label`: what the input was, to list the others that broke the same rule. */
  add(failure: ConformanceFailure, label?: string): void {
    const seen = this.#byRule.get(failure.ruleId);
    if (seen) seen.more.push(label ?? failure.reason);
    else this.#byRule.set(failure.ruleId, { first: failure, more: [] });
  }

  /** Runs one verdict, keeping its failure instead of throwing it; true when it held. */
  async check(verdict: () => unknown, label?: string): Promise<boolean> {
    try {
      await verdict();
      return true;
    } catch (e) {
      if (!(e instanceof ConformanceFailure)) throw e;
      this.add(e, label);
      return false;
    }
  }

  /** Whether anything was found. */
  get any(): boolean {
    return this.#byRule.size > 0;
  }

  /** Throws what was found, if anything. */
  throwIfAny(): void {
    const found = [...this.#byRule.values()].map(
      ({ first, more }) =>
        new ConformanceFailure(
          first.ruleId,
          more.length
            ? `${first.reason}; ${more.length} more input${more.length > 1 ? 's' : ''} broke it too: ${more.slice(0, 5).join('; ')}${more.length > 5 ? '; …' : ''}`
            : first.reason,
          first.extras,
        ),
    );
    const [first, ...others] = found.sort(
      (a, b) => Number(ruleById(a.ruleId).level === 'SHOULD') - Number(ruleById(b.ruleId).level === 'SHOULD'),
    );
    if (first) throw new ConformanceFailure(first.ruleId, first.reason, { ...first.extras, others });
  }
}

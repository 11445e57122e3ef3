// Where a target's list and the model's part, and which rule that breaks. Pure: the driver
// (driver/target.ts) calls it after every step with what the step did and what each bot had lost
// to deletes, so that a divergence is named by the step that caused it.
import type { Provider } from '../contract/provider.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { folded, type ProviderMap } from './rules.ts';

export interface Divergence {
  /** Names listed more than once. */
  duplicates: string[];
  /** Names the model holds that the list lacks. */
  missing: string[];
  /** Names listed that the model does not hold. */
  extra: string[];
  /** Names whose type or config differ from the model's. */
  changed: string[];
}

/** Why a request was refused, whatever status said it: a bad request (its body), or its credentials. */
export type Refusal = 'bad-request' | 'credentials';

/** What a step did to the bot being compared, as the attribution needs it. */
export type StepContext =
  | { kind: 'post'; name: string; before?: Provider }
  | { kind: 'refused'; as: Refusal }
  | { kind: 'burst'; names: string[] }
  | { kind: 'clear' }
  | { kind: 'remove'; name: string }
  | { kind: 'grow' }
  | { kind: 'read' }
  /** The step changed another bot (or should have changed nothing here). */
  | { kind: 'elsewhere'; what: 'write' | 'delete' | Refusal };

export function divergence(model: ProviderMap, listed: Provider[]): Divergence | undefined {
  const counts = new Map<string, number>();
  for (const p of listed) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  const d: Divergence = {
    duplicates: [...counts].filter(([, n]) => n > 1).map(([name]) => name),
    missing: [...model.keys()].filter((name) => !counts.has(name)),
    extra: [...counts.keys()].filter((name) => !model.has(name)),
    changed: listed.filter((p) => model.has(p.name) && !sameContent(p, model.get(p.name)!)).map((p) => p.name),
  };
  d.changed = [...new Set(d.changed)];
  return d.duplicates.length + d.missing.length + d.extra.length + d.changed.length ? d : undefined;
}

/** Type and config compared exactly (order of keys aside); fields beyond them are the target's own (open). */
export function sameContent(listed: Provider, expected: Provider): boolean {
  return listed.type === expected.type && deepEqual(listed.config, expected.config);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (
    a === null ||
    b === null ||
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** What a bot's list went through in this run, as far as naming a divergence needs it. */
export interface History {
  /** Names this bot lost to a DELETE of the list ('list') or of the one provider ('one'), not posted since. */
  deleted: ReadonlyMap<string, 'list' | 'one'>;
  /** Every name a POST of this run carried, on any bot, whatever the answer. */
  sent: ReadonlySet<string>;
}

/**
 * The rule a divergence breaks, given the step that caused it. A name listed that no POST of the run
 * carried can only be one the DELETE that started the run left (or brought back later).
 */
export function ruleOf(d: Divergence, step: StepContext, history: History, listed: Provider[]): RuleId {
  if (d.duplicates.length) return 'UPSERT-NO-DUPLICATE';
  if (step.kind === 'post' && d.missing.includes(step.name)) return nameRule(d, step.name) ?? 'GET-READ-AFTER-WRITE';
  const back = d.extra.find((n) => history.deleted.has(n) || !history.sent.has(n));
  if (back !== undefined) return history.deleted.get(back) === 'one' ? 'REV-DELETE-ONE' : 'DELETE-EMPTIES';
  const any = [...d.missing, ...d.changed, ...d.extra];
  switch (step.kind) {
    case 'elsewhere':
      return step.what === 'delete'
        ? 'DELETE-THIS-BOT-ONLY'
        : step.what === 'bad-request'
          ? 'POST-400-NO-CHANGE'
          : step.what === 'credentials'
            ? 'AUTH-NO-CHANGE'
            : 'GET-CONFIG-ROUNDTRIP';
    case 'refused':
      return step.as === 'bad-request' ? 'POST-400-NO-CHANGE' : 'AUTH-NO-CHANGE';
    case 'clear':
      return 'DELETE-EMPTIES';
    case 'remove':
      return any.some((n) => folded(n) === folded(step.name)) ? 'REV-DELETE-ONE-EXACT' : 'REV-DELETE-ONE';
    case 'post': {
      if (d.changed.includes(step.name))
        return step.before ? reuseRule(listed.find((p) => p.name === step.name)!, step.before) : 'GET-CONFIG-ROUNDTRIP';
      return nameRule(d, step.name) ?? 'UPSERT-OTHERS-UNTOUCHED';
    }
    case 'burst':
      if (d.missing.some((n) => step.names.includes(n))) return 'CONCURRENT-UPSERTS';
      if (d.changed.some((n) => step.names.includes(n))) return 'GET-CONFIG-ROUNDTRIP';
      return 'UPSERT-OTHERS-UNTOUCHED';
    case 'grow':
    case 'read':
      return d.missing.length ? 'GET-READ-AFTER-WRITE' : 'GET-CONFIG-ROUNDTRIP';
  }
}

/**
 * The naming rule a POST of `name` broke, when the names that went wrong are forms of it a store
 * would produce: the same but for case or compatibility form (NAME-CASE-SENSITIVE, a SHOULD), or
 * trimmed, normalised, stripped of accents or invisible characters, read as a number, or the posted
 * name listed in a changed form (NAME-EXACT). A name only confused by a prefix stays with the rule of
 * the entry it replaced (docs/rules.md).
 */
function nameRule(d: Divergence, name: string): RuleId | undefined {
  const others = [...d.missing, ...d.changed, ...d.extra].filter((n) => n !== name);
  if (others.some((n) => folded(n) === folded(name))) return 'NAME-CASE-SENSITIVE';
  if (others.some((n) => merged(n) === merged(name))) return 'NAME-EXACT';
  if (d.missing.includes(name) && d.extra.some((n) => name.startsWith(n))) return 'NAME-EXACT';
  return undefined;
}

/** What a name comes to in a store that merges names (a collation, a normaliser, a loosely typed column). */
export function merged(name: string): string {
  const text = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u200b-\u200d\u2060\ufeff\u0000]/g, '')
    .replace(/[\u{10000}-\u{10ffff}]/gu, '?')
    .replace(/^[\s\u00a0]+|[\s\u00a0]+$/g, '')
    .toLowerCase();
  const number = /^[-+]?(\d|\.\d)/.test(text) || /^0x[0-9a-f]+$/.test(text) ? Number(text) : NaN;
  return Number.isFinite(number) ? String(number) : text;
}

/** A reused name that lists neither the new config nor a clean copy of it. */
function reuseRule(listed: Provider, before: Provider): RuleId {
  const config = (listed.config ?? {}) as Record<string, unknown>;
  if (sameContent(listed, before)) return 'UPSERT-REPLACES';
  const kept = Object.keys(before.config).filter((k) => k in config);
  const fresh = Object.keys(config).filter((k) => !(k in before.config));
  if (kept.length && fresh.length) return 'UPSERT-NO-MERGE';
  return 'GET-CONFIG-ROUNDTRIP';
}

// Reading a GET answer as the bot's list: strictly, as GET-200-SHAPE holds it, or leniently, where a
// list of the wrong shape is for the tests to report and not a reason to stop (the snapshot, the evidence).
import type { Contract } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import type { Exchange } from '../client/http.ts';
import { MASKED } from '../client/redaction.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { jsonObjectBody, matchesSchema, statusIs } from './assertions.ts';
import { shown } from './difference.ts';
import { ConformanceFailure, fail } from './failure.ts';

export interface ProviderList {
  providers: Provider[];
  /** False when the body lacked the settings.application.media nesting (read as an empty list). */
  nested: boolean;
}

const NESTING = ['settings', 'application', 'media', 'providers'];

/**
 * Reads a GET answer as the list, checking GET-200-SHAPE (status, JSON object, schema) on the way.
 * `lenient`: an answer whose list is in its place but does not fit the schema is handed over with its
 * failure, so that a check that already knows the shape is wrong can still judge what the list holds.
 */
export function providerList(
  contract: Contract,
  x: Exchange,
  lenient?: (failure: ConformanceFailure) => void,
): ProviderList {
  // A list answered 404 is GET-EMPTY-200's failure, whatever it held (docs/rules.md: GET).
  if (x.received.status === 404) statusIs('GET-EMPTY-200', x);
  statusIs('GET-200-SHAPE', x);
  const body = jsonObjectBody('GET-200-SHAPE', x);
  let node: unknown = body;
  for (const key of NESTING) {
    const next = (node as Record<string, unknown>)[key];
    if (next === undefined) {
      // docs/rules.md: a body without the nesting counts as an empty list (with a warning, elsewhere);
      // one that holds a list elsewhere has it at the wrong place.
      const elsewhere = nonEmptyArrayPath(body, '$');
      if (elsewhere) fail('GET-200-SHAPE', `the GET body holds a list at ${elsewhere}, not at $.${NESTING.join('.')}`);
      return { providers: [], nested: false };
    }
    node = next;
    if (key !== 'providers' && (node === null || typeof node !== 'object' || Array.isArray(node))) break;
  }
  try {
    matchesSchema('GET-200-SHAPE', contract, 'ProviderList', body, 'the GET body');
  } catch (e) {
    if (!(e instanceof ConformanceFailure) || !lenient || !Array.isArray(node)) throw e;
    lenient(e);
    return {
      providers: (node as unknown[]).filter(
        (p): p is Provider => p !== null && typeof p === 'object' && typeof (p as Provider).name === 'string',
      ),
      nested: true,
    };
  }
  return { providers: node as Provider[], nested: true };
}

function nonEmptyArrayPath(node: unknown, path: string, depth = 0): string | undefined {
  if (depth > 16 || node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) return node.length ? path : undefined;
  for (const [k, v] of Object.entries(node)) {
    const found = nonEmptyArrayPath(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function entriesNamed(list: ProviderList, name: string): Provider[] {
  return list.providers.filter((p) => p.name === name);
}

/** The one entry of that name; fails `ruleId` when it is missing or listed twice. */
export function theEntry(ruleId: RuleId, list: ProviderList, name: string): Provider {
  const found = entriesNamed(list, name);
  if (found.length === 0)
    fail(ruleId, `GET does not list provider ${shown(name)} (${list.providers.length} entries listed)`);
  // A name listed twice is a second entry, whatever the check was about.
  if (found.length > 1) fail('UPSERT-NO-DUPLICATE', `GET lists provider ${shown(name)} ${found.length} times`);
  return found[0];
}

/** The secrets of a list's entries (passwords, bearers), as listed. */
export function listedSecrets(providers: readonly Provider[]): unknown[] {
  return providers.flatMap((p) => [p.config?.basic?.password, p.config?.bearer].filter((v) => v !== undefined));
}

/** A list whose every secret is a mask: restored from it, the bot would hold `****` for each. */
export function masksEverySecret(providers: readonly Provider[]): boolean {
  const secrets = listedSecrets(providers);
  return secrets.length > 0 && secrets.every((v) => typeof v === 'string' && MASKED.test(v));
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The first array of objects with string names anywhere in a body (where a GET of the wrong shape keeps its list). */
export function namedArray(node: unknown, depth: number): unknown[] | undefined {
  if (depth > 16 || node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node))
    return node.length && node.every((e) => isObject(e) && typeof e.name === 'string') ? node : undefined;
  for (const inner of Object.values(node)) {
    const found = namedArray(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

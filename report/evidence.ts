// What a check saw the target do, read from its exchanges in order: the evidence a rule's pass needs
// (rules/catalogue.ts EVIDENCE). A check that passed without it decides nothing: "a 400 changes
// nothing" holds on a server that stores nothing, and "no 5xx" on a URL that answers 404 to all.
import { EVIDENCE, type Evidence, type Rule } from '../rules/catalogue.ts';
import { is2xx, isAnswered, type Recorded } from '../client/http.ts';
import { namedArray } from '../verdicts/provider-list.ts';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The list's path (the bot's list, whichever form the request took): POST, GET and DELETE share it. */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/** The name a POST body carried, when it was a JSON object with a string name. */
function postedName(body: string | undefined): string | undefined {
  if (!body?.includes('"name"')) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return isObject(parsed) && typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

/** The names a GET body lists: at the documented place, else the first array of named objects (a list of the wrong shape still shows what it keeps). */
function listedNames(json: unknown): string[] {
  const documented = (json as { settings?: { application?: { media?: { providers?: unknown } } } } | undefined)
    ?.settings?.application?.media?.providers;
  const list = Array.isArray(documented) ? documented : namedArray(json, 0);
  return (list ?? []).flatMap((e) => (isObject(e) && typeof e.name === 'string' ? [e.name] : []));
}

/** Adds to `seen` what `exchanges` (one sequence, in the order sent) show the target doing. */
export function gather(exchanges: readonly Recorded[], seen: Set<Evidence> = new Set()): Set<Evidence> {
  const posted = new Set<string>();
  const stored = new Set<string>();
  const deleted = new Set<string>();
  for (const { sent, received } of exchanges.filter(isAnswered)) {
    const { status } = received;
    const path = pathOf(sent.url);
    if (is2xx(status) || status === 400 || status === 401) seen.add('answer');
    if (status === 400) seen.add('refused');
    if (status === 401) seen.add('unauthorized');
    if (sent.method === 'POST' && is2xx(status)) {
      seen.add('accepted');
      const name = postedName(sent.body);
      if (name !== undefined) posted.add(name);
    } else if (sent.method === 'DELETE' && is2xx(status)) {
      seen.add('deleted');
      if (stored.has(path)) deleted.add(path);
    } else if (sent.method === 'GET' && status === 200) {
      seen.add('listed');
      if (deleted.has(path)) seen.add('emptied');
      const names = listedNames(received.json);
      if (names.length) seen.add('entries');
      if (posted.size && names.some((n) => posted.has(n))) {
        seen.add('stored');
        stored.add(path);
      }
    }
  }
  return seen;
}

/** How the reason of a rule that passed only vacuously begins (its status: undecided). */
export const NOT_SEEN = 'undecided: no check of it saw ';
const NOR = ', nor ';

/** Why `rule`'s pass does not count, given what its check saw: undefined when it saw all it needs. */
export function missingEvidence(rule: Rule, seen: ReadonlySet<Evidence>): string | undefined {
  const missing = rule.evidence.filter((e) => !seen.has(e));
  return missing.length ? `${NOT_SEEN}${missing.map((e) => EVIDENCE[e]).join(NOR)}` : undefined;
}

/** What the rules that held only vacuously were missing, once each: the run's one line about them. */
export function notSeen(reasons: readonly string[]): string[] {
  const missing = reasons.filter((r) => r.startsWith(NOT_SEEN)).flatMap((r) => r.slice(NOT_SEEN.length).split(NOR));
  return [...new Set(missing)];
}

// What a faulty server is: the reference with exactly one change, the rule it breaks, and a probe
// over raw HTTP that shows the change really happens.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Profile } from '../contract/openapi.ts';
import { ReferenceApp, error, type Answer, type AppClass } from '../reference/app.ts';
import { RULES, ruleById, type Rule, type RuleId } from '../rules/catalogue.ts';
import type { Probe } from './probe.ts';

export interface Fault {
  id: string;
  /** The rule the suite must fail (MUST) or flag (SHOULD) on. */
  rule: RuleId;
  sentence: string;
  profile: Profile;
  App: AppClass;
  /** True when the fault shows over raw HTTP. */
  probe: (p: Probe) => Promise<boolean>;
  /**
   * The other rules its failure explains, each with the reason: a listed fault judged on every check
   * fails its own rule and these only (one fault, one rule; selftest/support/detection.ts).
   */
  explains?: Partial<Record<RuleId, string>>;
  /** True for the faults of the kind nobody lists (faulty/unlisted.ts): generated data and sequences must find them. */
  unlisted?: boolean;
  /**
   * Set on the faults whose whole point is a status their rule does not allow: that status, derived
   * from the rule's `answers` (statusOutside), so that it stays wrong whatever the catalogue allows.
   */
  wrongStatus?: number;
}

/** What a fault's declaration may add after its probe: its profile, or that and its wrong status. */
type More = Profile | Partial<Pick<Fault, 'profile' | 'wrongStatus' | 'explains'>>;

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Declares faults into `list`, one call each. */
export function faultsIn(list: Fault[], extra: Partial<Fault> = {}) {
  return (
    id: string,
    rule: RuleId,
    sentence: string,
    App: AppClass,
    probe: Fault['probe'],
    more: More = 'default',
  ): void => {
    const { profile = 'default', ...rest } = typeof more === 'string' ? { profile: more } : more;
    list.push({ id, rule, sentence, App, probe, profile, ...extra, ...rest });
  };
}

/**
 * The wrong answers a fault falls back on, in this order (those of the class of its preferred status
 * first), when the statuses it prefers are ones its rule allows.
 */
const WRONG_ANSWERS = [403, 400, 404, 409, 422, 405, 500, 201, 202, 204, 200, 401, 302];

/**
 * The status of a fault whose point is answering what `rule` does not allow: the first of `preferred`
 * (what the stack it models answers), else of WRONG_ANSWERS, that the rule's `answers` in
 * rules/catalogue.ts leave out. Changing what a rule allows thus needs no edit here: the fault
 * answers another wrong status, its sentence (`named`, rules/answers.ts) and its probe say so, and the suite must
 * still catch it.
 */
export function statusOutside(rule: RuleId, ...preferred: number[]): number {
  const allowed = ruleById(rule).answers;
  if (!allowed?.length)
    throw new Error(`${rule} names no statuses (no answers in rules/catalogue.ts): no status is wrong for it`);
  const kind = Math.floor((preferred[0] ?? allowed[0]) / 100);
  const sameKindFirst = [...WRONG_ANSWERS].sort(
    (a, b) => Number(Math.floor(b / 100) === kind) - Number(Math.floor(a / 100) === kind),
  );
  const wrong = [...preferred, ...sameKindFirst].find((status) => !allowed.includes(status));
  if (wrong === undefined) throw new Error(`${rule} allows every status a fault could answer instead`);
  return wrong;
}

/** An error answer of `status`, in the reference's shape: the status as message, `reason` or its standard text. */
export const errorOf = (status: number, reason = STATUS_CODES[status] ?? 'Error') =>
  error(status, String(status), reason);

export type Transform = (req: IncomingMessage, answer: Answer) => Answer | Promise<Answer>;

/** A variant whose only change is to the answers the reference gives. */
export function answers(transform: Transform): AppClass {
  return class extends ReferenceApp {
    protected override async handle(req: IncomingMessage): Promise<Answer> {
      return transform(req, await super.handle(req));
    }
  };
}

/**
 * A path segment the router already decoded, decoded once more, as a gateway and an app that each
 * decode the path do. One that does not decode again (a lone '%') is the second decoder's error page in
 * a real stack; here it goes on as it is, so that a fault built on it changes only what decodes twice.
 */
export function decodedAgain(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const isPost = (req: IncomingMessage) => req.method === 'POST';
export const isDelete = (req: IncomingMessage) => req.method === 'DELETE';
export const valid = (p: Probe, name = p.name()) => p.provider(name);

/** The answer that is never sent: the request hangs (or its socket is already gone). */
export const NO_ANSWER: Answer = { status: 0 };
export class Unanswering extends ReferenceApp {
  protected override send(res: ServerResponse, answer: Answer): void {
    if (answer !== NO_ANSWER) super.send(res, answer);
  }
}

export function parseOrUndefined(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A variant that rewrites the parsed body before the contract sees it: it takes what it should refuse. */
export class Lenient extends ReferenceApp {
  /** Rewrites the parsed body before the contract sees it. */
  protected loosen(body: unknown): unknown {
    return body;
  }
  protected override validate(body: unknown) {
    return super.validate(this.loosen(body));
  }
}

/**
 * `text` as careless servers quote what they were sent: as is, URL-encoded, hex in both cases, base64
 * and base64url after 0, 1 and 2 bytes of their own (so that the value lands at every alignment of
 * the encoding). What a suite must never copy into its reports, in whatever form.
 */
export function quotedForms(text: string): Record<string, string> {
  const forms: Record<string, string> = {
    asIs: text,
    hex: Buffer.from(text).toString('hex'),
    HEX: Buffer.from(text).toString('hex').toUpperCase(),
  };
  try {
    forms.url = encodeURIComponent(text);
  } catch {
    // a lone surrogate has no URL form
  }
  for (const lead of ['', 'k', 'ky']) {
    const encoded = Buffer.from(lead + text).toString('base64');
    forms[`base64${lead.length}`] = encoded;
    forms[`base64url${lead.length}`] = encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  return forms;
}

/** The ASCII forms of `text` (quotedForms), cut to a size a header line carries. */
export const quotedInHeader = (text: string) =>
  Object.entries(quotedForms(text))
    .filter(([k]) => k !== 'asIs')
    .map(([k, v]) => `${k}=${v.slice(0, 1000)}`)
    .join(', ');

/**
 * Every rule of the catalogue that `kind` picks, each explained by `reason`: a fault that answers a
 * whole kind of request alike (every refused body 422, every refused credential 403) breaks them all.
 */
function alike(kind: (r: Rule) => boolean, reason: string): Partial<Record<RuleId, string>> {
  return Object.fromEntries(RULES.filter(kind).map((r) => [r.id, reason]));
}

/** Every refusal rule of a schema constraint (a body that gets 400). */
export const refusalsAlike = (reason: string) => alike((r) => Boolean(r.refuses), reason);

/** Every rule whose answer is the refusal of credentials (401). */
export const credentialRefusalsAlike = (reason: string) => alike((r) => Boolean(r.answers?.includes(401)), reason);

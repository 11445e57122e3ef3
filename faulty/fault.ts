// What a faulty server is: the reference with exactly one change, the rule it breaks, and a probe
// over raw HTTP that shows the change really happens.
import type http from 'node:http';
import type { Profile } from '../contract/openapi.ts';
import { ReferenceApp, type Answer, type AppClass } from '../reference/app.ts';
import type { RuleId } from '../rules/catalogue.ts';
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
  /** True for the faults of the kind nobody lists (faulty/unlisted.ts): generated data and sequences must find them. */
  unlisted?: boolean;
}

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
    profile: Profile = 'default',
  ): void => {
    list.push({ id, rule, sentence, App, probe, profile, ...extra });
  };
}

export type Transform = (req: http.IncomingMessage, answer: Answer) => Answer | Promise<Answer>;

/** A variant whose only change is to the answers the reference gives. */
export function answers(transform: Transform): AppClass {
  return class extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      return transform(req, await super.handle(req));
    }
  };
}

export const isPost = (req: http.IncomingMessage) => req.method === 'POST';
export const isDelete = (req: http.IncomingMessage) => req.method === 'DELETE';
export const valid = (p: Probe, name = p.name()) => p.provider(name);

/** The answer that is never sent: the request hangs (or its socket is already gone). */
export const NO_ANSWER: Answer = { status: 0 };
export class Unanswering extends ReferenceApp {
  protected override send(res: http.ServerResponse, answer: Answer): void {
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

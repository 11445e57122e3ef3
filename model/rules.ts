// docs/rules.md as executable code: what a POST body is (valid, invalid, or left open), what a store
// keeps of it, and how the three operations change one bot's list. The reference server runs on
// these functions and the state-machine check holds a target to them, so that each rule is written
// once. Pure: no I/O, no clock, no randomness.
import { contractFor, type Profile, type Violation } from '../contract/openapi.ts';
import type { Provider, ProviderConfig } from '../contract/provider.ts';
import { schemaOf, type Flat } from '../contract/schema-tree.ts';
import { ruleRefusing, type RuleId } from '../rules/catalogue.ts';

/** One bot's list: provider name → provider. Order is open (docs/rules.md), so nothing compares it. */
export type ProviderMap = Map<string, Provider>;

/**
 * What the rules say of a POST body. valid: it MUST be taken (200) and come back exactly; invalid:
 * it MUST get 400 and change nothing; open: the target may do either, and if it takes the body, the
 * body comes back exactly.
 */
export type Verdict =
  | { kind: 'valid' }
  | { kind: 'open'; why: string }
  /** `rule`: the catalogue's rule for the refusal (none when no rule claims the constraint broken). */
  | { kind: 'invalid'; why: string; rule?: RuleId; location?: string };

/** A parsed POST body against the profile's contract and the choices docs/rules.md leaves open. */
export function judge(profile: Profile, body: unknown): Verdict {
  const violations = contractFor(profile).violations('Provider', body);
  if (violations.length)
    return {
      kind: 'invalid',
      why: violations.map((v) => `${v.path}: ${v.message}`).join('; '),
      ...refusal(profile, violations),
    };
  const open = openChoice(profile, body as Provider);
  return open ? { kind: 'open', why: open } : { kind: 'valid' };
}

/** A POST body as sent: text that is not JSON is invalid too. */
export function judgeText(profile: Profile, text: string): Verdict {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      kind: 'invalid',
      why: 'the body is not JSON',
      rule: ruleRefusing(profile, 'syntax')?.id,
      location: 'syntax',
    };
  }
  return judge(profile, body);
}

/**
 * The constraint a refusal is for, named as the catalogue's `refuses` names it, and its rule. Of
 * several violations the deepest claimed one wins: a basic without password also fails the anyOf
 * around it, but the rule is the one about basic.
 */
function refusal(profile: Profile, violations: Violation[]): { rule?: RuleId; location?: string } {
  const root = schemaOf(profile, 'Provider');
  const claimed = violations
    .map((v) => ({ v, location: locationOf(root, v) }))
    .map((c) => ({ ...c, rule: c.location === undefined ? undefined : ruleRefusing(profile, c.location)?.id }))
    .filter((c) => c.rule)
    .sort((a, b) => b.v.at.length - a.v.at.length || Number(a.v.keyword === 'anyOf') - Number(b.v.keyword === 'anyOf'));
  return claimed.length ? { rule: claimed[0].rule, location: claimed[0].location } : {};
}

function locationOf(root: Flat, v: Violation): string | undefined {
  const nodeAt = (path: string[]) => path.reduce<Flat | undefined>((node, key) => node?.properties[key], root);
  if (v.keyword === 'required') return `${nodeAt(v.at)?.name}.${v.missing}:required`;
  if (v.at.length === 0 || v.keyword === 'anyOf') return `${nodeAt(v.at)?.name}:${v.keyword}`;
  return `${nodeAt(v.at.slice(0, -1))?.name}.${v.at[v.at.length - 1]}:${v.keyword}`;
}

/** Values up to this length MUST be taken; a server may set its limit above it (docs/rules.md, "Generated checks"). */
export const LONGEST_REQUIRED = 4096;
/** What a server may answer a body past LONGEST_REQUIRED before it reads it: Content Too Large (RFC 9110). */
export const CONTENT_TOO_LARGE = 413;

/**
 * Characters a store may lack, in any name or value: C0 and C1 controls and DEL, characters past
 * U+FFFF (a 3-byte utf8 column), noncharacters and lone surrogates. docs/rules.md lets a server refuse
 * with 400 a name or value it cannot keep, wherever it stands; one it takes comes back exactly.
 */
export const UNKEEPABLE = /[\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff\u{10000}-\u{10ffff}]/u;

/** The first choice docs/rules.md leaves to the target that this (schema-valid) provider meets. */
function openChoice(profile: Profile, p: Provider): string | undefined {
  const { basic, bearer } = p.config;
  if (basic && bearer !== undefined) return 'a config with both basic and bearer';
  // The fields the schema defines, at each level (the OpenAPI document is where they are written).
  const provider = schemaOf(profile, 'Provider');
  const config = provider.properties.config;
  const extra = (o: object, schema: Flat | undefined) => Object.keys(o).some((k) => !(k in (schema?.properties ?? {})));
  if (extra(p, provider) || extra(p.config, config) || (basic && extra(basic, config?.properties.basic)))
    return 'unknown extra fields';
  const values = [p.name, basic?.username, basic?.password, bearer];
  if (values.includes('')) return 'an empty string value';
  if (values.some((v) => v !== undefined && UNKEEPABLE.test(v)))
    return 'a character a store may lack (a control character, one past U+FFFF, a noncharacter or a lone surrogate)';
  if (values.some((v) => v !== undefined && v.length > LONGEST_REQUIRED))
    return `a value longer than ${LONGEST_REQUIRED} characters`;
  // Positive data of the default profile keeps to the revision's names, so that a server of either revision passes it.
  if (profile === 'default' && contractFor('2020-03-10').violations('Provider', p).length)
    return 'a name the 2020-03-10 revision refuses';
  return undefined;
}

/** What a conforming store keeps of a body it took: the fields the API defines (unknown extras are open; the reference drops them). */
export function stored(p: Provider): Provider {
  const config: ProviderConfig = {};
  if (p.config.basic) config.basic = { username: p.config.basic.username, password: p.config.basic.password };
  if (p.config.bearer !== undefined) config.bearer = p.config.bearer;
  return { name: p.name, type: p.type, config };
}

/** POST: the entry of that exact name is replaced, or a new one added. */
export function upsert(list: ProviderMap, provider: Provider): void {
  list.set(provider.name, provider);
}

/** DELETE of the list: every entry of this bot goes. */
export function clear(list: ProviderMap): void {
  list.clear();
}

/** The revision's DELETE of provider/{name}: exactly that name, compared exactly. */
export function removeOne(list: ProviderMap, name: string): void {
  list.delete(name);
}

/**
 * The equivalence a server might choose for names instead of exact comparison (case, Unicode
 * compatibility forms): breaking exactness this way is NAME-CASE-SENSITIVE, a SHOULD. Confusing
 * names that no such folding equates (a prefix, the first N characters) breaks the MUST rules.
 */
export function folded(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

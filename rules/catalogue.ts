// The one catalogue of rules: tests, reports, the README's table and the faulty-server catalogue
// all read it. Every MUST and SHOULD line of docs/rules.md is one or more rules here; ids are stable.
import type { Profile } from '../contract/openapi.ts';

export type Level = 'MUST' | 'SHOULD';
/** What a rule's check needs beyond BOT_ID and API_TOKEN. */
export type Need = 'second-bot' | 'other-region';

/**
 * What a check must have seen the target do for its pass to count (report/evidence.ts reads it in the
 * check's exchanges). A rule can hold vacuously: "a 400 changes nothing" on a server that stores
 * nothing, "no input makes it 5xx" on a URL that answers 404 to everything. A check that passed
 * without its rule's evidence leaves the rule undecided, never passed.
 */
export const EVIDENCE = {
  answer: "an answer of the API's own (2xx, 400 or 401)",
  accepted: 'a 2xx to a POST',
  refused: 'a 400',
  unauthorized: 'a 401',
  listed: 'a 200 to a GET of the list',
  entries: 'a 200 list holding an entry',
  stored: 'a 200 list showing a provider the check had posted',
  deleted: 'a 2xx to a DELETE',
  emptied: 'a 200 list showing a provider the check had posted, then a 2xx DELETE of that list, then a 200 list',
} as const;
export type Evidence = keyof typeof EVIDENCE;

/** Whether a rule's evidence needs a target that keeps what it is sent: no stateless mock can show it. */
export const needsStore = (rule: { evidence: readonly Evidence[] }) =>
  rule.evidence.some((e) => e === 'stored' || e === 'emptied');

/**
 * The sections of docs/rules.md, each with its heading there: a rule belongs to one, and every check of
 * it lives in that section's spec file, `tests/<section>.spec.ts` (selftest/one-place.spec.ts holds
 * them to it), so that a reader finds a rule's checks, whatever their technique, in one file.
 */
export const SECTIONS = {
  post: 'POST',
  upsert: 'Upsert by name',
  get: 'GET',
  delete: 'DELETE',
  auth: 'Authentication, on every operation',
  robustness: 'Robustness, on every operation',
  http: 'HTTP and URI semantics',
  revision: 'Profiles',
} as const;
export type Section = keyof typeof SECTIONS;

/**
 * The check of the model (docs/rules.md, "Generated checks: the rules as a model"): one check that
 * holds every operation to the model of the rules, so no one rule's, and no section's. Its spec file
 * is its own, and it is the only check there.
 */
export const MODEL = { id: 'MODEL', heading: 'Generated checks: the rules as a model' } as const;

/** Where a check of a section (or the model's) lives, relative to the repository. */
export const specFileOf = (section: Section | typeof MODEL.id) =>
  `tests/${section === MODEL.id ? 'model' : section}.spec.ts`;

/** What a rule is, but its id (whose type, RuleId, the catalogue below defines). */
interface RuleFields {
  level: Level;
  /** The section of docs/rules.md that gives its reasoning; its checks live in that section's spec file. */
  section: Section;
  /** The rule as a sentence of the spec. */
  title: string;
  /** The section of the vendor page it comes from (and of docs/rules.md, which settles it). */
  doc: string;
  /** Profiles the rule belongs to; a rule of the original page belongs to both. */
  profiles: readonly Profile[];
  needs?: Need;
  /** What its check must have seen for a pass to count (EVIDENCE): every rule says. */
  evidence: readonly Evidence[];
  /**
   * The contract violations whose refusal (400) this rule decides, each as `Schema.property:keyword`
   * of the OpenAPI document (`Schema:keyword` for the object itself, `syntax` for malformed JSON).
   * The generator (generation/providers.ts) makes an invalid body for each one it finds in the schemas.
   */
  refuses?: readonly string[];
  /** The statuses an answer may have, where the rule names them: every check of the rule reads them here. */
  answers?: readonly number[];
  /** For a rule on answers' bodies: the statuses whose bodies it judges (every check reads them here). */
  bodyOf?: readonly number[];
}

export type Rule = RuleFields & { id: RuleId };

const BOTH: readonly Profile[] = ['default', '2020-03-10'];
/** What every kind of bad credential gets (the vendor page names 401, not 403). */
const UNAUTHORIZED = [401] as const;
/** What a request the rule says the server takes gets (200: the page names it, not 201 or 204). */
const OK = [200] as const;
/** What a request the rule says the server refuses gets. */
const BAD_REQUEST = [400] as const;
const REVISION: readonly Profile[] = ['2020-03-10'];

const UPDATE = 'Updating the Providers List';
const GET = 'Retrieving the Providers List';
const DELETE = 'Deleting the Providers List';
const CONFIG = 'Config object types';
const ERRORS = 'Introduction: HTTP errors';
const AUTH = 'Responses: 401 Unauthorized';
const ROBUST = 'docs/rules.md: Robustness';
const REV = 'Release 2020-03-10';
const HTTP = 'docs/rules.md: HTTP and URI semantics';

// Each id stays a literal type, so that RuleId is exactly the catalogue's ids: a mistyped id in a
// check, a fault or a report does not compile.
const rule = <const Id extends string>(
  id: Id,
  level: Level,
  doc: string,
  title: string,
  extra: Partial<RuleFields> & Pick<RuleFields, 'evidence' | 'section'>,
): RuleFields & { id: Id } => ({ id, level, doc, title, profiles: BOTH, ...extra });

const CATALOGUE = [
  rule(
    'POST-VALID-200',
    'MUST',
    `${UPDATE} › Response`,
    'A valid provider, Basic or Bearer, gets 200 (not 201, not 204).',
    { section: 'post', evidence: ['accepted'], answers: OK },
  ),
  rule('POST-EMPTY-BODY', 'SHOULD', `${UPDATE} › Response`, 'The 200 answer to a POST has an empty body.', {
    section: 'post',
    evidence: ['accepted'],
  }),
  rule(
    'POST-400-MALFORMED-JSON',
    'MUST',
    `${UPDATE} › Response`,
    'A body that is not exactly one well-formed JSON text gets 400: text after the value, a second value, comments, trailing commas, single quotes, unquoted member names, NaN or Infinity.',
    { section: 'post', evidence: ['refused'], refuses: ['syntax'], answers: BAD_REQUEST },
  ),
  rule(
    'POST-400-NOT-OBJECT',
    'MUST',
    `${UPDATE} › Request`,
    'JSON that is not an object (array, string, number, null) gets 400.',
    { section: 'post', evidence: ['refused'], refuses: ['Provider:type'], answers: BAD_REQUEST },
  ),
  rule('POST-400-MISSING-FIELD', 'MUST', `${UPDATE} › Request`, 'A provider without name, type or config gets 400.', {
    section: 'post',
    evidence: ['refused'],
    refuses: ['Provider.name:required', 'Provider.type:required', 'Provider.config:required'],
    answers: BAD_REQUEST,
  }),
  rule(
    'POST-400-WRONG-TYPE',
    'MUST',
    `${UPDATE} › Request`,
    'A name, type or config of the wrong JSON type gets 400.',
    {
      section: 'post',
      evidence: ['refused'],
      refuses: ['Provider.name:type', 'Provider.type:type', 'Provider.config:type'],
      answers: BAD_REQUEST,
    },
  ),
  rule(
    'POST-400-UNKNOWN-TYPE',
    'MUST',
    `${UPDATE} › Request`,
    'A type other than `www` (compared case-sensitively) gets 400.',
    { section: 'post', evidence: ['refused'], refuses: ['Provider.type:enum'], answers: BAD_REQUEST },
  ),
  rule('POST-400-EMPTY-CONFIG', 'MUST', CONFIG, 'A config with neither basic nor bearer gets 400.', {
    section: 'post',
    evidence: ['refused'],
    refuses: ['ProviderConfig:anyOf'],
    answers: BAD_REQUEST,
  }),
  rule(
    'POST-400-INCOMPLETE-BASIC',
    'MUST',
    `${CONFIG} › Basic authorization`,
    'A basic config without username or password gets 400.',
    {
      section: 'post',
      evidence: ['refused'],
      refuses: ['BasicCredentials.username:required', 'BasicCredentials.password:required'],
      answers: BAD_REQUEST,
    },
  ),
  rule(
    'POST-400-NON-STRING-CREDENTIAL',
    'MUST',
    CONFIG,
    'A username, password or bearer that is not a string gets 400.',
    {
      section: 'post',
      evidence: ['refused'],
      refuses: ['BasicCredentials.username:type', 'BasicCredentials.password:type', 'ProviderConfig.bearer:type'],
      answers: BAD_REQUEST,
    },
  ),
  rule('ERROR-400-JSON', 'MUST', ERRORS, 'The body of a 400 is a JSON object.', {
    section: 'post',
    evidence: ['refused'],
    bodyOf: BAD_REQUEST,
  }),
  rule('ERROR-400-FIELDS', 'SHOULD', ERRORS, 'The body of a 400 carries the non-empty strings message and reason.', {
    section: 'post',
    evidence: ['refused'],
    bodyOf: BAD_REQUEST,
  }),
  rule('POST-400-NO-CHANGE', 'MUST', `${UPDATE} › Response`, 'A request that got 400 changes nothing that GET shows.', {
    section: 'post',
    evidence: ['refused', 'stored'],
  }),
  rule(
    'UPSERT-REPLACES',
    'MUST',
    `${UPDATE} › Note`,
    "Reusing a name replaces that entry's type and config, Basic and Bearer either way.",
    { section: 'upsert', evidence: ['stored'] },
  ),
  rule(
    'UPSERT-NO-DUPLICATE',
    'MUST',
    `${UPDATE} › Note`,
    'Reusing a name never creates a second entry of that name, even when the POSTs are concurrent.',
    { section: 'upsert', evidence: ['stored'] },
  ),
  rule('UPSERT-NO-MERGE', 'MUST', `${UPDATE} › Note`, 'Reusing a name never merges the old config with the new.', {
    section: 'upsert',
    evidence: ['stored'],
  }),
  rule('UPSERT-OTHERS-UNTOUCHED', 'MUST', `${UPDATE} › Note`, 'Reusing a name leaves every other entry as it was.', {
    section: 'upsert',
    evidence: ['stored'],
  }),
  rule(
    'NAME-EXACT',
    'MUST',
    `${UPDATE} › Note`,
    'Names are kept as the exact code points posted (raw or \\u-escaped): never trimmed, normalised, cut or replaced; two names that differ in any code point but by case or compatibility form are two providers.',
    { section: 'upsert', evidence: ['stored'] },
  ),
  rule(
    'NAME-CASE-SENSITIVE',
    'SHOULD',
    `${UPDATE} › Note`,
    'Names compare exactly: `Alpha` and `alpha` are two providers.',
    { section: 'upsert', evidence: ['stored'] },
  ),
  rule(
    'CONCURRENT-UPSERTS',
    'MUST',
    `${UPDATE} › Note`,
    'Providers posted concurrently under distinct names are all present afterwards.',
    { section: 'upsert', evidence: ['stored'] },
  ),
  rule(
    'GET-200-SHAPE',
    'MUST',
    `${GET} › Responses`,
    'GET answers 200 with a JSON body that holds the list at settings.application.media.providers, valid against the OpenAPI document.',
    // An empty list may be {} (docs/rules.md): only a list holding an entry shows the shape of one.
    { section: 'get', evidence: ['entries'], answers: OK },
  ),
  rule(
    'GET-CONFIG-ROUNDTRIP',
    'MUST',
    `${GET} › Responses`,
    'Each entry has name, type and config, and config is exactly what was last posted under that name, secrets in clear.',
    { section: 'get', evidence: ['stored'] },
  ),
  rule(
    'GET-READ-AFTER-WRITE',
    'MUST',
    `${GET} › Responses`,
    'A read right after a successful write shows that write.',
    { section: 'get', evidence: ['stored'] },
  ),
  rule('GET-EMPTY-200', 'MUST', `${GET} › Responses`, 'An empty list is 200, never 404.', {
    section: 'get',
    evidence: ['listed'],
    answers: OK,
  }),
  rule(
    'GET-EMPTY-NESTING',
    'SHOULD',
    `${GET} › Responses`,
    'An empty list keeps the full nesting with providers: [].',
    { section: 'get', evidence: ['listed'] },
  ),
  rule(
    'CONTENT-TYPE-JSON',
    'SHOULD',
    `${GET} › Responses`,
    'JSON bodies carry Content-Type: application/json (parameters such as charset allowed).',
    { section: 'get', evidence: ['answer'] },
  ),
  rule('DELETE-200', 'MUST', `${DELETE} › Responses`, 'DELETE answers 200 (not 204).', {
    section: 'delete',
    evidence: ['deleted'],
    answers: OK,
  }),
  rule('DELETE-EMPTIES', 'MUST', `${DELETE} › Responses`, 'After DELETE, GET shows an empty list for that bot.', {
    section: 'delete',
    evidence: ['emptied'],
  }),
  rule('DELETE-THIS-BOT-ONLY', 'MUST', `${DELETE} › Responses`, "DELETE changes no other bot's list.", {
    section: 'delete',
    evidence: ['stored', 'deleted'],
    needs: 'second-bot',
  }),
  rule('DELETE-EMPTY-BODY', 'SHOULD', `${DELETE} › Responses`, 'The 200 answer to a DELETE has an empty body.', {
    section: 'delete',
    evidence: ['deleted'],
  }),
  rule('DELETE-IDEMPOTENT', 'SHOULD', `${DELETE} › Responses`, 'DELETE on an already empty list is 200 too.', {
    section: 'delete',
    evidence: ['deleted'],
    answers: OK,
  }),
  rule('AUTH-MISSING', 'MUST', AUTH, 'Every operation without an Authorization header gets 401 (not 403).', {
    section: 'auth',
    evidence: ['unauthorized'],
    answers: UNAUTHORIZED,
  }),
  rule('AUTH-MALFORMED', 'MUST', AUTH, 'Every operation with a malformed Authorization header gets 401.', {
    section: 'auth',
    evidence: ['unauthorized'],
    answers: UNAUTHORIZED,
  }),
  rule('AUTH-WRONG-TOKEN', 'MUST', AUTH, 'Every operation with a wrong token gets 401 (not 403).', {
    section: 'auth',
    evidence: ['unauthorized'],
    answers: UNAUTHORIZED,
  }),
  rule('AUTH-OTHER-BOT', 'MUST', AUTH, "Every operation with another bot's token gets 401.", {
    section: 'auth',
    evidence: ['unauthorized'],
    needs: 'second-bot',
    answers: UNAUTHORIZED,
  }),
  rule('AUTH-UNKNOWN-BOT', 'MUST', AUTH, 'Every operation on an unknown bot id gets 401, whatever the token.', {
    section: 'auth',
    evidence: ['unauthorized'],
    answers: UNAUTHORIZED,
  }),
  rule('AUTH-OTHER-REGION', 'MUST', AUTH, "A bot's own token on a region where the bot does not reside gets 401.", {
    section: 'auth',
    evidence: ['unauthorized'],
    needs: 'other-region',
    answers: UNAUTHORIZED,
  }),
  rule(
    'AUTH-BEFORE-BODY',
    'MUST',
    AUTH,
    'Credentials are checked before anything else: missing or bad credentials get 401 whatever the body, its Content-Type and whether the list is empty.',
    { section: 'auth', evidence: ['unauthorized'], answers: UNAUTHORIZED },
  ),
  rule(
    'AUTH-PER-REQUEST',
    'MUST',
    AUTH,
    'Credentials belong to each request, never to a connection: on a reused keep-alive connection, a request without valid credentials gets 401.',
    { section: 'auth', evidence: ['unauthorized'], answers: UNAUTHORIZED },
  ),
  rule('AUTH-401-JSON', 'MUST', `${AUTH}; ${ERRORS}`, 'The body of a 401 is a JSON object.', {
    section: 'auth',
    evidence: ['unauthorized'],
    bodyOf: UNAUTHORIZED,
  }),
  rule(
    'AUTH-401-FIELDS',
    'SHOULD',
    `${AUTH}; ${ERRORS}`,
    'The body of a 401 carries the non-empty strings message and reason.',
    { section: 'auth', evidence: ['unauthorized'], bodyOf: UNAUTHORIZED },
  ),
  rule('AUTH-NO-CHANGE', 'MUST', AUTH, 'A request that got 401 changes nothing.', {
    section: 'auth',
    evidence: ['unauthorized', 'stored'],
  }),
  rule(
    'AUTH-SCHEME-CASE',
    'SHOULD',
    AUTH,
    'The scheme name is matched case-insensitively: `bearer` works like `Bearer` (RFC 9110).',
    { section: 'auth', evidence: ['answer'] },
  ),
  rule('ROBUST-NO-5XX', 'MUST', ROBUST, 'No input makes the server answer 5xx.', {
    section: 'robustness',
    evidence: ['answer'],
  }),
  rule('ROBUST-NO-DROP', 'MUST', ROBUST, 'No input makes the server drop the connection.', {
    section: 'robustness',
    evidence: ['answer'],
  }),
  rule('ROBUST-NO-HANG', 'MUST', ROBUST, "No input makes the server hang past the suite's per-request timeout.", {
    section: 'robustness',
    evidence: ['answer'],
  }),
  rule(
    'HTTP-EQUIVALENT',
    'MUST',
    HTTP,
    'Requests that RFC 9110 and 9112 make equivalent get the same answer and have the same effect: field names in any case, fields in any order, whitespace around values, media types and charsets in any case and with parameters, a body sent with Content-Length or chunked (cut anywhere), Expect: 100-continue, a new or a reused connection.',
    { section: 'http', evidence: ['stored'] },
  ),
  rule(
    'GET-ACCEPT-JSON',
    'MUST',
    HTTP,
    'GET answers its JSON whether Accept is absent, */*, application/* or application/json.',
    { section: 'http', evidence: ['listed'], answers: OK },
  ),
  rule(
    'BOT-ID-EXACT',
    'MUST',
    HTTP,
    "A bot id that differs from a bot's in any code point, case included, is another bot: that bot's token is not taken there (an unknown bot's answer is AUTH-UNKNOWN-BOT's) and changes nothing (RFC 3986).",
    { section: 'http', evidence: ['unauthorized'] },
  ),
  rule(
    'GET-SAFE',
    'MUST',
    HTTP,
    'GET and HEAD are safe (RFC 9110 § 9.2.1): a GET or HEAD of the list, or of any path under it such as provider/{name}, changes nothing.',
    { section: 'http', evidence: ['stored'] },
  ),
  rule(
    'REPEAT-SAME-EFFECT',
    'MUST',
    HTTP,
    'A repeated request has exactly the effect the rules give it: a POST identical to the stored provider answers 200 and changes nothing, one posted again after another is applied again, and no request is dropped as a supposed retry.',
    { section: 'http', evidence: ['stored'] },
  ),
  rule(
    'REV-NAME-CHARSET',
    'MUST',
    `${REV} › name`,
    'A name with a character outside A-Z, a-z, - and _ gets 400 and changes nothing.',
    {
      section: 'revision',
      evidence: ['refused'],
      profiles: REVISION,
      refuses: ['Provider.name:pattern'],
      answers: BAD_REQUEST,
    },
  ),
  rule(
    'REV-NAME-LENGTH',
    'MUST',
    `${REV} › name`,
    'A name of 201 characters gets 400 and changes nothing; 200 characters exactly is accepted.',
    {
      section: 'revision',
      evidence: ['refused', 'accepted'],
      profiles: REVISION,
      refuses: ['Provider.name:maxLength'],
      answers: BAD_REQUEST,
    },
  ),
  rule(
    'REV-DELETE-ONE',
    'MUST',
    `${REV} › Deleting a provider`,
    'DELETE of provider/{name} answers 200, removes exactly that provider and leaves the rest.',
    { section: 'revision', evidence: ['stored', 'deleted'], profiles: REVISION, answers: OK },
  ),
  rule(
    'REV-DELETE-ONE-EXACT',
    'SHOULD',
    `${REV} › Deleting a provider`,
    'DELETE of provider/{name} matches the name exactly: it leaves a provider whose name differs only in case.',
    { section: 'revision', evidence: ['stored', 'deleted'], profiles: REVISION },
  ),
  rule(
    'REV-DELETE-ONE-AUTH',
    'MUST',
    `${REV} › Deleting a provider`,
    'DELETE of provider/{name} without valid credentials gets 401 and removes nothing.',
    { section: 'revision', evidence: ['unauthorized', 'stored'], profiles: REVISION, answers: UNAUTHORIZED },
  ),
] as const;

/** Every rule's id. */
export type RuleId = (typeof CATALOGUE)[number]['id'];

export const RULES: readonly Rule[] = CATALOGUE;

const BY_ID = new Map<string, Rule>(RULES.map((r) => [r.id, r]));

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

/** The rule of an id; an id read from outside the code (a report, an annotation) may be unknown. */
export function ruleById(id: RuleId | string): Rule {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown rule id ${id}`);
  return found;
}

/** The rule of the profile that decides the refusal of a body breaking `location` (`Provider.type:enum`), if any. */
export function ruleRefusing(profile: Profile, location: string): Rule | undefined {
  return RULES.find((r) => r.profiles.includes(profile) && r.refuses?.includes(location));
}

/** The tag a check carries for each rule it decides: a narrowed run collects the checks of its rules by it, and the HTML report filters by it. */
export const ruleTag = (id: string) => `@${id}`;

/** Matches a test (its title and tags) that decides one of `ids`: no id is taken for a longer one it begins. */
export function decidingAnyOf(ids: readonly string[]): RegExp {
  return new RegExp(ids.map((id) => `${ruleTag(id)}(?![A-Z0-9-])`).join('|'));
}

export function rulesFor(profile: Profile): Rule[] {
  return RULES.filter((r) => r.profiles.includes(profile));
}

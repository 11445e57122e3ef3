// Whole POST bodies generated from the profile's Provider schema. Valid ones take every shape the
// schema allows (each anyOf branch, and the open ones: both branches, extra fields, empty strings);
// invalid ones break exactly one constraint of the schema, each constraint a rule of the catalogue
// claims (its `refuses`), so that a body that is not refused is reported under that rule.
import fc from 'fast-check';
import type { Profile } from '../contract/openapi.ts';
import { judge, judgeText, type Verdict } from '../model/rules.ts';
import { ruleRefusing, type RuleId } from '../rules/catalogue.ts';
import { schemaOf, type Flat } from '../contract/schema-tree.ts';
import { ENCODINGS, type Encoding } from '../relations/json-text.ts';

/** A generated POST: the body as sent, and what the rules say of it. */
export interface GeneratedPost {
  /** The body as sent: JSON text (malformed on purpose for `syntax`). */
  text: string;
  /** The parsed body, when it is JSON. */
  body?: unknown;
  verdict: Verdict;
  /** For a body made invalid on purpose: the constraint it was made to break (the verdict names the one it does). */
  breaks?: string;
  /** The name it carries, when it is a string. */
  name?: string;
}

/** Where the generator takes its strings from. */
export interface StringSources {
  /** The provider's name. */
  name: fc.Arbitrary<string>;
  /** Any other string of the schema: usernames, passwords, bearer tokens. */
  string: fc.Arbitrary<string>;
}

const clone = <T>(v: T): T => structuredClone(v);

/** `encoding`: how the body is written (relations/json-text.ts): every one must be read the same. */
function postOf(profile: Profile, body: unknown, breaks?: string, encoding: Encoding = ENCODINGS[0]): GeneratedPost {
  const name = (body as { name?: unknown } | null)?.name;
  return {
    text: encoding.write(body),
    body,
    verdict: judge(profile, body),
    ...(breaks ? { breaks } : {}),
    name: typeof name === 'string' ? name : undefined,
  };
}

/** The encoding of a generated body: the compact form most often, each other one now and then. */
const encodings = fc.oneof(
  { arbitrary: fc.constant(ENCODINGS[0]), weight: ENCODINGS.length },
  fc.constantFrom(...ENCODINGS.slice(1)),
);

/** A value of the flattened schema; `location` names the node as the catalogue does (`Provider.name`). */
function valueFor(
  flat: Flat,
  location: string,
  sources: StringSources,
  weights: { both: number; extra: number },
): fc.Arbitrary<unknown> {
  if (flat.enum) return fc.constantFrom(...flat.enum);
  if (flat.type === 'string') return location === 'Provider.name' ? sources.name : sources.string;
  if (flat.type !== 'object') throw new Error(`no generator for ${location} of type ${flat.type}`);
  const field = (keys: string[]) =>
    fc.record(
      Object.fromEntries(keys.map((k) => [k, valueFor(flat.properties[k], `${flat.name}.${k}`, sources, weights)])),
    );
  if (flat.anyOf) {
    // Each alternative alone, and (open) all of them at once.
    const branches = flat.anyOf.map((b) => [...new Set([...flat.required, ...b.required])]);
    const all = [...new Set(branches.flat())];
    return fc.oneof(...branches.map((keys) => ({ arbitrary: field(keys), weight: 10 })), {
      arbitrary: field(all),
      weight: weights.both,
    });
  }
  const record = field(flat.required);
  if (location !== 'Provider') return record;
  // Unknown extra fields at the top (open): a server may keep or drop them; name, type and config come back either way.
  return fc
    .tuple(
      record,
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 20 },
        { arbitrary: fc.constantFrom({ id: 17 }, { description: 'extra', enabled: true }), weight: weights.extra },
      ),
    )
    .map(([r, extra]) => ({ ...(r as object), ...extra }));
}

/** Valid (and open) bodies of the profile's Provider schema. */
export function validPosts(
  profile: Profile,
  sources: StringSources,
  weights = { both: 1, extra: 1 },
): fc.Arbitrary<GeneratedPost> {
  return fc
    .tuple(valueFor(schemaOf(profile, 'Provider'), 'Provider', sources, weights), encodings)
    .map(([body, encoding]) => postOf(profile, body, undefined, encoding));
}

/** A constraint of the schema, and how to break it in a valid value. */
interface Breach {
  location: string;
  /** The path of the node the breach changes. */
  path: string[];
  /** Sets the node at `path` of a (cloned) valid value. */
  breakWith: fc.Arbitrary<(value: unknown) => unknown>;
}

const JSON_TYPES: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.constantFrom('www', 'x', ''),
  number: fc.constantFrom(0, 7, -1.5, 1e21),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.constantFrom([], ['www'], [{ bearer: 'x' }]),
  object: fc.constantFrom({}, { value: 'x' }),
};
/** A value of any JSON type but `type` (for an object node, any but object). */
const otherType = (type: string | undefined) =>
  fc.oneof(
    ...Object.entries(JSON_TYPES)
      .filter(([t]) => t !== type)
      .map(([, a]) => a),
  );

/** Sets `path` in `root` to `value`, creating what is missing on the way. */
function setAt(root: Record<string, unknown>, path: string[], value: (old: unknown) => unknown): unknown {
  if (path.length === 0) return value(root);
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  const next = value(node[last]);
  if (next === undefined) delete node[last];
  else node[last] = next;
  return root;
}

/** Every constraint of the schema tree under `flat`, at `path`, one breach each. */
function breaches(flat: Flat, path: string[], sources: StringSources): Breach[] {
  const out: Breach[] = [];
  const at = (loc: string, p: string[], breakWith: Breach['breakWith']) =>
    out.push({ location: loc, path: p, breakWith });
  if (path.length === 0)
    at(
      `${flat.name}:type`,
      [],
      otherType('object').map((v) => () => v),
    );
  if (flat.anyOf) {
    // Drop every alternative's field: {} or only fields the schema does not know.
    const alternatives = new Set(flat.anyOf.flatMap((b) => b.required));
    at(
      `${flat.name}:anyOf`,
      path,
      fc.constantFrom({}, { other: 'x' }).map((rest) => (old) => ({
        ...Object.fromEntries(Object.entries((old as object) ?? {}).filter(([k]) => !alternatives.has(k))),
        ...rest,
      })),
    );
  }
  for (const key of flat.required) {
    at(
      `${flat.name}.${key}:required`,
      path,
      fc.constant((old) => {
        const copy = { ...(old as Record<string, unknown>) };
        delete copy[key];
        return copy;
      }),
    );
  }
  for (const [key, child] of Object.entries(flat.properties)) {
    const loc = `${flat.name}.${key}`;
    const p = [...path, key];
    at(
      `${loc}:type`,
      p,
      otherType(child.type).map((v) => () => v),
    );
    if (child.enum) {
      const variants = child.enum.flatMap((e) =>
        typeof e === 'string' ? [e.toUpperCase(), e[0].toUpperCase() + e.slice(1), ` ${e}`, `${e} `, `${e}s`] : [],
      );
      at(
        `${loc}:enum`,
        p,
        fc.constantFrom(...variants, 'http', 'ftp').map((v) => () => v),
      );
    }
    if (child.pattern)
      at(
        `${loc}:pattern`,
        p,
        fc.tuple(sources.name, fc.constantFrom('0', ' ', '.', 'é', '/', '𝄞', '%')).map(
          ([n, odd]) =>
            () =>
              `${n.slice(0, -1)}${odd}`,
        ),
      );
    if (child.maxLength !== undefined) {
      const max = child.maxLength;
      at(
        `${loc}:maxLength`,
        p,
        fc.tuple(sources.name, fc.constantFrom(1, 2, 55, 800)).map(
          ([n, over]) =>
            () =>
              n.repeat(Math.ceil((max + over) / Math.max(1, n.length))).slice(0, max + over),
        ),
      );
    }
    if (child.type === 'object') out.push(...breaches(child, p, sources));
  }
  return out;
}

/** What a valid value must hold for the breach to break only its own constraint: the node itself, or its parent. */
const needed = (b: Breach) => (/:(required|anyOf)$/.test(b.location) ? b.path : b.path.slice(0, -1));

function has(value: unknown, path: string[]): boolean {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object';
}

const claimant = (profile: Profile, location: string) => ruleRefusing(profile, location)?.id;

/** Every constraint the schema walk finds, with the rule that claims it (for the self-test that keeps the two in step). */
export function constraintsOf(profile: Profile): { location: string; rule?: string }[] {
  const sources: StringSources = { name: fc.constant('n'), string: fc.constant('s') };
  return [
    ...breaches(schemaOf(profile, 'Provider'), [], sources).map((b) => ({
      location: b.location,
      rule: claimant(profile, b.location),
    })),
    { location: 'syntax', rule: claimant(profile, 'syntax') },
  ];
}

/** Invalid bodies: each breaks one constraint that a rule of the profile claims, and names that rule. `sources.name` must give valid names. */
export function invalidPosts(profile: Profile, sources: StringSources): fc.Arbitrary<GeneratedPost> {
  const valid = validPosts(profile, sources, { both: 0, extra: 0 });
  const claimed = breaches(schemaOf(profile, 'Provider'), [], sources)
    .map((b) => ({ ...b, rule: claimant(profile, b.location) }))
    .filter((b): b is Breach & { rule: RuleId } => b.rule !== undefined);
  const broken = claimed.map((b) =>
    fc
      .tuple(
        valid.filter((post) => has(post.body, needed(b))),
        b.breakWith,
        encodings,
      )
      .map(([post, breakIt, encoding]) =>
        postOf(profile, setAt(clone(post.body) as Record<string, unknown>, b.path, breakIt), b.location, encoding),
      ),
  );
  const syntax = claimant(profile, 'syntax');
  if (syntax) {
    // A proper prefix of an object's JSON is never JSON.
    broken.push(
      fc.tuple(valid, fc.double({ min: 0, max: 1, noNaN: true })).map(([post, at]) => {
        const text = post.text.slice(0, Math.floor(at * (post.text.length - 1)));
        return { text, verdict: judgeText(profile, text), breaks: 'syntax' } satisfies GeneratedPost;
      }),
    );
  }
  // A breach that leaves the body valid after all (a wrong type equal to a right one) is no test.
  return fc.oneof(...broken).filter((p) => p.verdict.kind === 'invalid');
}

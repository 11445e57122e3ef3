// The OpenAPI document's component schemas, flattened for generation: references followed (across
// the two documents), allOf merged, each object node named by its component. The generators read
// the shapes from here, so the schemas stay written once, in openapi/.
import { loadDocument, type Profile } from './openapi.ts';

export interface Flat {
  /** The component the node comes from (Provider, ProviderConfig, …), for locations such as `Provider.name:type`. */
  name?: string;
  type?: string;
  enum?: readonly unknown[];
  pattern?: string;
  maxLength?: number;
  required: string[];
  properties: Record<string, Flat>;
  /** Alternatives of which at least one must hold (ProviderConfig: basic or bearer). */
  anyOf?: Flat[];
}

type Raw = Record<string, unknown>;
type DocumentKey = Profile;

const ORIGINAL_FILE = './media-provider.yaml';

function componentOf(doc: DocumentKey, ref: string): { doc: DocumentKey; name: string; schema: Raw } {
  const [file, pointer] = ref.split('#');
  const target: DocumentKey =
    file === ORIGINAL_FILE
      ? 'default'
      : file === ''
        ? doc
        : (() => {
            throw new Error(`unsupported $ref ${ref}`);
          })();
  const name = pointer.split('/').pop()!;
  const schema = (loadDocument(target).components?.schemas as Record<string, Raw> | undefined)?.[name];
  if (!schema) throw new Error(`$ref ${ref} names no component schema`);
  return { doc: target, name, schema };
}

function flatten(schema: Raw, doc: DocumentKey, name?: string): Flat {
  if (typeof schema.$ref === 'string') {
    const target = componentOf(doc, schema.$ref);
    return flatten(target.schema, target.doc, target.name);
  }
  let flat: Flat = {
    name,
    type: schema.type as string | undefined,
    enum: schema.enum as unknown[] | undefined,
    pattern: schema.pattern as string | undefined,
    maxLength: schema.maxLength as number | undefined,
    required: [...((schema.required as string[] | undefined) ?? [])],
    properties: Object.fromEntries(
      Object.entries((schema.properties as Record<string, Raw> | undefined) ?? {}).map(([k, v]) => [
        k,
        flatten(v, doc),
      ]),
    ),
    anyOf: (schema.anyOf as Raw[] | undefined)?.map((s) => flatten(s, doc)),
  };
  for (const part of (schema.allOf as Raw[] | undefined) ?? []) flat = merge(flat, flatten(part, doc));
  return flat;
}

/** Both constraints at once: what allOf means for the shapes these documents use. */
function merge(a: Flat, b: Flat): Flat {
  const properties = { ...a.properties };
  for (const [k, v] of Object.entries(b.properties)) properties[k] = properties[k] ? merge(properties[k], v) : v;
  return {
    name: a.name ?? b.name,
    type: a.type ?? b.type,
    enum: a.enum ?? b.enum,
    pattern: a.pattern ?? b.pattern,
    maxLength: a.maxLength ?? b.maxLength,
    required: [...new Set([...a.required, ...b.required])],
    properties,
    anyOf: a.anyOf ?? b.anyOf,
  };
}

const cache = new Map<string, Flat>();

/** A component schema of the profile's document, flattened. */
export function schemaOf(profile: Profile, component: string): Flat {
  const key = `${profile}#${component}`;
  let flat = cache.get(key);
  if (!flat) {
    const own = (loadDocument(profile).components?.schemas as Record<string, Raw> | undefined)?.[component];
    flat = own
      ? flatten(own, profile, component)
      : flatten({ $ref: `${ORIGINAL_FILE}#/components/schemas/${component}` }, profile);
    cache.set(key, flat);
  }
  return flat;
}

/** The characters a `^[…]+$` pattern allows, spelled out (the revision's name rule is one). */
export function charactersOf(pattern: string): string {
  const cls = /^\^\[(.+)\]\+\$$/.exec(pattern)?.[1];
  if (!cls) throw new Error(`pattern ${pattern} is not a single character class`);
  let out = '';
  for (let i = 0; i < cls.length; i++) {
    if (cls[i + 1] === '-' && i + 2 < cls.length) {
      for (let c = cls.charCodeAt(i); c <= cls.charCodeAt(i + 2); c++) out += String.fromCharCode(c);
      i += 2;
    } else out += cls[i];
  }
  return out;
}

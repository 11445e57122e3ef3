// The OpenAPI document is the only place the API's schemas are written. This module loads it and
// compiles ajv validators straight from its components, for the reference server and the suite alike.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenAPIV3_1 } from 'openapi-types';

export const PROFILES = ['default', '2020-03-10'] as const;
export type Profile = (typeof PROFILES)[number];

const DOCUMENT_FILES: Record<Profile, string> = {
  default: 'media-provider.yaml',
  '2020-03-10': 'media-provider-2020-03-10.yaml',
};

export function documentPath(profile: Profile): string {
  return fileURLToPath(new URL(`../openapi/${DOCUMENT_FILES[profile]}`, import.meta.url));
}

// ajv resolves refs between the documents by these ids (the revision refers to the original).
const idOf = (profile: Profile) => `https://conformance.invalid/openapi/${DOCUMENT_FILES[profile]}`;

export function loadDocument(profile: Profile): OpenAPIV3_1.Document {
  return parse(readFileSync(documentPath(profile), 'utf8')) as OpenAPIV3_1.Document;
}

// OpenAPI's own top-level words, declared so that ajv's strict mode accepts the whole document.
const OPENAPI_KEYWORDS = [
  'openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'externalDocs',
  'webhooks', 'jsonSchemaDialect', 'example', 'discriminator', 'xml',
];

/** A component schema's name; the suite's own three are spelled out for completion. */
export type SchemaName = 'Provider' | 'ProviderList' | 'Error' | (string & {});

export interface Violation { path: string; message: string }

export class Contract {
  readonly document: OpenAPIV3_1.Document;
  /** The path template of the list operations, e.g. `/whatsapp/v1/{bot-id}/provision/provider`. */
  readonly listPath: string;
  /** The path template of the per-provider DELETE, when the profile has one. */
  readonly itemPath: string | undefined;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<SchemaName, ValidateFunction>();

  constructor(readonly profile: Profile) {
    this.document = loadDocument(profile);
    this.#ajv = new Ajv2020({ allErrors: true, strict: true });
    this.#ajv.addVocabulary(OPENAPI_KEYWORDS);
    for (const p of PROFILES) this.#ajv.addSchema(loadDocument(p) as object, idOf(p));
    const paths = Object.keys(this.document.paths ?? {});
    this.listPath = paths.find((p) => p.endsWith('/provider'))!;
    this.itemPath = paths.find((p) => p.endsWith('/{provider-name}'));
  }

  /** Violations of the named component schema, each with the JSON path it sits at; empty when valid. */
  violations(schema: SchemaName, value: unknown): Violation[] {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      // A revision names only the schemas it changes; the rest are the original's.
      validate = this.#ajv.getSchema(`${idOf(this.profile)}#/components/schemas/${schema}`)
        ?? this.#ajv.getSchema(`${idOf('default')}#/components/schemas/${schema}`);
      if (!validate) throw new Error(`${schema} is not a component schema of ${documentPath(this.profile)}`);
      this.#compiled.set(schema, validate);
    }
    if (validate(value)) return [];
    // anyOf reports a branch's error once per branch: keep each distinct one once.
    const seen = new Set<string>();
    return (validate.errors ?? []).map(toViolation).filter((v) => {
      const key = `${v.path} ${v.message}`;
      return !seen.has(key) && seen.add(key);
    });
  }
}

function toViolation(e: ErrorObject): Violation {
  const path = '$' + e.instancePath.split('/').slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('');
  const detail = e.keyword === 'enum' ? `${e.message}: ${JSON.stringify(e.params.allowedValues)}` : e.message ?? e.keyword;
  return { path, message: detail };
}

const contracts = new Map<Profile, Contract>();
export function contractFor(profile: Profile): Contract {
  let c = contracts.get(profile);
  if (!c) contracts.set(profile, (c = new Contract(profile)));
  return c;
}

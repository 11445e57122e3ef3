// The OpenAPI document is the only place the API's schemas are written. This module is the contract
// the reference server and the suite read: the document's paths, and violations of its component
// schemas, from the validators compiled once (contract/compiled.ts).
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OpenAPIV3_1 } from 'openapi-types';
import { compiledContract, documentPath, PROFILES, type Profile } from './compiled.ts';

export { documentPath, PROFILES, type Profile };

export function loadDocument(profile: Profile): OpenAPIV3_1.Document {
  return compiledContract().documents[profile];
}

/** A component schema's name; the suite's own three are spelled out for completion. */
export type SchemaName = 'Provider' | 'ProviderList' | 'Error' | (string & {});

export interface Violation {
  /** Where in the value, as a JSON path (`$.config.basic`). */
  path: string;
  message: string;
  /** The JSON Schema keyword that failed, and the property names leading to the value. */
  keyword: string;
  at: string[];
  /** For `required`: the property that is missing. */
  missing?: string;
}

export class Contract {
  readonly document: OpenAPIV3_1.Document;
  /** The path template of the list operations, e.g. `/whatsapp/v1/{bot-id}/provision/provider`. */
  readonly listPath: string;
  /** The path template of the per-provider DELETE, when the profile has one. */
  readonly itemPath: string | undefined;
  readonly #validators: Record<string, ValidateFunction>;

  constructor(readonly profile: Profile) {
    const { documents, validators } = compiledContract();
    this.document = documents[profile];
    this.#validators = validators;
    const paths = Object.keys(this.document.paths ?? {});
    this.listPath = paths.find((p) => p.endsWith('/provider'))!;
    this.itemPath = paths.find((p) => p.endsWith('/{provider-name}'));
  }

  /** Violations of the named component schema, each with the JSON path it sits at; empty when valid. */
  violations(schema: SchemaName, value: unknown): Violation[] {
    // A revision names only the schemas it changes; the rest are the original's.
    const validate = this.#validators[`${this.profile}#${schema}`] ?? this.#validators[`default#${schema}`];
    if (!validate) throw new Error(`${schema} is not a component schema of ${documentPath(this.profile)}`);
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
  const at = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = `$${at
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('')}`;
  const detail =
    e.keyword === 'enum' ? `${e.message}: ${JSON.stringify(e.params.allowedValues)}` : (e.message ?? e.keyword);
  const missing = e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
  return { path, message: detail, keyword: e.keyword, at, ...(missing ? { missing } : {}) };
}

const contracts = new Map<Profile, Contract>();
export function contractFor(profile: Profile): Contract {
  let c = contracts.get(profile);
  if (!c) {
    c = new Contract(profile);
    contracts.set(profile, c);
  }
  return c;
}

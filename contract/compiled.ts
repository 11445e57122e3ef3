// The project's schemas compiled once: the OpenAPI documents parsed, an ajv validator for every
// component schema of every profile, and one for the configuration file (schemas/), generated as
// standalone code (ajv's `standaloneCode`) and cached on disk by the schemas' hash. A worker then loads one small module instead of parsing YAML and compiling
// schemas (measured: about a quarter of a worker's start-up). Where the cache cannot be written, the
// validators are compiled in memory, exactly as the cache would hold them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
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

/** The configuration file's JSON Schema, published for editors (its validator is `validators.config`). */
export const CONFIG_SCHEMA_PATH = fileURLToPath(new URL('../schemas/conformance.config.schema.json', import.meta.url));

// ajv resolves refs between the documents by these ids (the revision refers to the original).
const idOf = (profile: Profile) => `https://conformance.invalid/openapi/${DOCUMENT_FILES[profile]}`;

// OpenAPI's own top-level words, declared so that ajv's strict mode accepts the whole document.
const OPENAPI_KEYWORDS = [
  'openapi',
  'info',
  'servers',
  'paths',
  'components',
  'security',
  'tags',
  'externalDocs',
  'webhooks',
  'jsonSchemaDialect',
  'example',
  'discriminator',
  'xml',
];

export interface Compiled {
  documents: Record<Profile, OpenAPIV3_1.Document>;
  /** `${profile}#${schema name}` → its validator, and `config` for the configuration file. */
  validators: Record<string, ValidateFunction>;
}

const require = createRequire(import.meta.url);
/** The project's own cache folder (never a shared temporary one: the cache is code that is run). */
const CACHE_DIR = join(
  dirname(dirname(fileURLToPath(import.meta.url))),
  'node_modules',
  '.cache',
  'whatsapp-media-provider-conformance',
);

let compiled: Compiled | undefined;

export function compiledContract(): Compiled {
  if (compiled) return compiled;
  const sources = [
    ...PROFILES.map((p) => readFileSync(documentPath(p), 'utf8')),
    readFileSync(CONFIG_SCHEMA_PATH, 'utf8'),
  ];
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256')
    .update([ajvVersion, ...sources].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const file = join(CACHE_DIR, `contract-${key}.cjs`);
  if (existsSync(file)) {
    compiled = require(file) as Compiled;
    return compiled;
  }
  const { code, documents } = generate(sources);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file); // atomic: workers that start together never load half a file
    compiled = require(file) as Compiled;
    return compiled;
  } catch {
    // No cache here (a read-only install): the same module, run from memory.
    const module = { exports: {} as Compiled };
    new Function('module', 'exports', 'require', code)(module, module.exports, require);
    compiled = { ...module.exports, documents };
    return compiled;
  }
}

/** The standalone module: validators by `${profile}#${name}`, and the parsed documents. */
function generate(sources: string[]): { code: string; documents: Record<Profile, OpenAPIV3_1.Document> } {
  const { parse } = require('yaml') as typeof import('yaml');
  const Ajv2020 = (require('ajv/dist/2020.js') as { default: typeof import('ajv/dist/2020.js').default }).default;
  const standaloneCode = (
    require('ajv/dist/standalone/index.js') as { default: typeof import('ajv/dist/standalone/index.js').default }
  ).default;
  const documents = Object.fromEntries(
    PROFILES.map((p, i) => [p, parse(sources[i]) as OpenAPIV3_1.Document]),
  ) as Record<Profile, OpenAPIV3_1.Document>;
  const ajv = new Ajv2020({ allErrors: true, strict: true, code: { source: true } });
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  for (const p of PROFILES) ajv.addSchema(documents[p] as object, idOf(p));
  const config = JSON.parse(sources[PROFILES.length]) as { $id: string };
  const configAjv = new Ajv2020({ allErrors: true, code: { source: true } });
  configAjv.addSchema(config);
  const refs: Record<string, string> = {};
  for (const p of PROFILES) {
    for (const name of Object.keys(documents[p].components?.schemas ?? {}))
      refs[`${p}#${name}`] = `${idOf(p)}#/components/schemas/${name}`;
  }
  // The runtime helpers the code requires, by absolute path, so that the module loads from anywhere.
  const absolute = (code: string) =>
    code.replace(/require\("([^"]+)"\)/g, (_, id: string) => `require(${JSON.stringify(require.resolve(id))})`);
  // Two modules in one file (the configuration schema is no OpenAPI document): each in a scope of its own.
  const contract = absolute(standaloneCode(ajv, refs));
  const configCode = absolute(standaloneCode(configAjv, { config: config.$id }));
  const scoped = (code: string) => `(() => { const exports = {}; ${code}\nreturn exports; })()`;
  return {
    code:
      `"use strict";\nconst contract = ${scoped(contract)};\nconst config = ${scoped(configCode)};\n` +
      `exports.validators = { ...contract, config: config.config };\nexports.documents = ${JSON.stringify(documents)};\n`,
    documents,
  };
}

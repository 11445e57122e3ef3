// The configuration file of targets and settings (JSON or YAML; its JSON Schema:
// schemas/conformance.config.schema.json): read, validated, and its mistakes named by key and place.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { CONFIG_SCHEMA_PATH, compiledContract } from '../contract/compiled.ts';
import type { Profile } from '../contract/openapi.ts';
import { nearest } from './typos.ts';
import { variablesOf } from './extra-headers.ts';
import type { Env } from './environment.ts';
import { SettingsError } from './variables.ts';

/** A bot of the configuration file: its token is named by the variable that holds it, never written. */
export interface ConfigBot {
  id: string;
  tokenEnv: string;
}
export interface ConfigTarget {
  name: string;
  url: string;
  bot: ConfigBot;
  secondBot?: ConfigBot;
  otherRegionUrl?: string;
  singleBot?: boolean;
  skipRules?: string[];
  rules?: string[];
  headers?: Record<string, string>;
  clientCert?: string;
  clientKey?: string;
  clientPfx?: string;
}
/** The configuration file (its JSON Schema: schemas/conformance.config.schema.json): a key for every setting of the command line. */
export interface ConfigFile {
  targets?: ConfigTarget[];
  profile?: Profile;
  strict?: boolean;
  timeoutMs?: number;
  seed?: number;
  budget?: number | string;
  rules?: string[];
  skipRules?: string[];
  workers?: number;
  reportDir?: string;
  stateless?: boolean;
  singleBot?: boolean;
  caFile?: string;
  insecure?: boolean;
  headers?: Record<string, string>;
  clientCert?: string;
  clientKey?: string;
  clientPfx?: string;
}

/**
 * The variables a configuration file names (its bots' tokenEnv, its headers' env:NAME): variables the
 * run reads, whatever their names.
 */
export function variablesNamed(config: ConfigFile | undefined): string[] {
  if (!config) return [];
  return [
    ...variablesOf(config.headers),
    ...(config.targets ?? []).flatMap((t) => [
      t.bot.tokenEnv,
      ...(t.secondBot ? [t.secondBot.tokenEnv] : []),
      ...variablesOf(t.headers),
    ]),
  ];
}

const CONFIG_NAMES = ['conformance.config.json', 'conformance.config.yaml', 'conformance.config.yml'];
const require = createRequire(import.meta.url);

let lastRead: { key: string; file: { path: string; config: ConfigFile } } | undefined;

/** The configuration file, when there is one: CONFORMANCE_CONFIG, or one of CONFIG_NAMES here. */
export function readConfigFile(env: Env): { path: string; config: ConfigFile } | undefined {
  const named = env.CONFORMANCE_CONFIG?.trim();
  const path = named ? resolve(named) : CONFIG_NAMES.map((n) => resolve(n)).find((p) => existsSync(p));
  if (!path) return undefined;
  if (!existsSync(path)) throw new SettingsError(`CONFORMANCE_CONFIG names ${path}, which does not exist`);
  const key = `${path}@${statSync(path).mtimeMs}`;
  if (lastRead?.key === key) return lastRead.file;
  const config = parseConfig(path, readFileSync(path, 'utf8'));
  const validate = compiledContract().validators.config;
  if (!validate(config))
    throw new SettingsError(`${path}: ${configProblems(validate.errors ?? [], config).join('; ')}`);
  const targets = (config as ConfigFile).targets ?? [];
  const twice = targets.map((t) => t.name).find((n, i, all) => all.indexOf(n) !== i);
  if (twice) throw new SettingsError(`${path} names target '${twice}' twice`);
  lastRead = { key, file: { path, config: config as ConfigFile } };
  return lastRead.file;
}

/** `line:column` (from 1) of a character offset, as editors and compilers print a place in a file. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** The file's text as data; a syntax error is named with its line and column. */
function parseConfig(path: string, text: string): unknown {
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const at = Number(/position (\d+)/.exec(message)?.[1] ?? text.length);
      const reason = message
        .replace(/ in JSON at position \d+.*$/s, '')
        .replace(/^Unexpected end of JSON input$/, 'the text ends inside a value');
      throw new SettingsError(`${path}:${lineAndColumn(text, at)}: not JSON: ${reason}`);
    }
  }
  // YAML is loaded only for a YAML file: every worker reads the configuration.
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const document = parseDocument(text, { prettyErrors: false });
  const [error] = document.errors;
  if (error) {
    throw new SettingsError(
      `${path}:${lineAndColumn(text, error.pos[0])}: not YAML: ${error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`,
    );
  }
  return document.toJS();
}

type Keys = { properties: Record<string, unknown> };
/** The configuration file's schema, for the keys a misspelt one is compared with (read when a file is refused). */
const configSchema = () =>
  JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as Keys & { $defs: { bot: Keys; target: Keys } };

/** Schema errors as a person reads them: the key by its path, the key nearest to a misspelt one, the values an enum allows. */
function configProblems(errors: ErrorObject[], config: unknown): string[] {
  const pathOf = (pointer: string) =>
    pointer
      .split('/')
      .slice(1)
      .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`))
      .join('')
      .replace(/^\./, '') || '(top level)';
  const known = (pointer: string, schemaPath: string): string[] => {
    // The keys the schema allows where the unknown one stands (the top level, a target or a bot).
    const schema = configSchema();
    const at = schemaPath.includes('$defs/bot')
      ? schema.$defs.bot
      : schemaPath.includes('$defs/target')
        ? schema.$defs.target
        : schema;
    return Object.keys(at.properties).filter((k) => k !== '$schema' || pointer === '');
  };
  // An anyOf or oneOf failing reports each branch: the branch errors say more than the summary.
  const said = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  const problems = said.slice(0, 5).map((e) => {
    const where = pathOf(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const guess = nearest(key, known(e.instancePath, e.schemaPath));
      return `${e.instancePath ? `${where}.` : ''}${key} is not a setting${guess ? ` (did you mean ${guess}?)` : ''}`;
    }
    if (e.keyword === 'enum')
      return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    if (e.keyword === 'required') return `${where} needs ${(e.params as { missingProperty: string }).missingProperty}`;
    // A string is never quoted back: a token written into the file by mistake stays out of the message.
    const value = valueAt(config, e.instancePath);
    return `${where} ${e.message}${typeof value === 'number' || typeof value === 'boolean' ? `; got ${value}` : ''}`;
  });
  return [...new Set(problems)];
}

const valueAt = (root: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], root);

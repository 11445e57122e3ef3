// The suite's configuration, in one module: environment variables (and a .env file), and a
// configuration file of targets. The variables are a fixed interface: CI pipelines and the
// command-line entry set them; they override the file.
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadEnvFile } from 'node:process';
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { compiledContract, CONFIG_SCHEMA_PATH } from '../contract/compiled.ts';
import { PROFILES, type Profile } from '../contract/openapi.ts';
import type { RunInfo } from './report-model.ts';
import { isRuleId, type RuleId } from '../rules/catalogue.ts';
import { getProxyForUrl } from 'proxy-from-env';
import { Transport, type TransportOptions } from './http.ts';
import { nearest } from './typos.ts';

export interface Bot {
  id: string;
  token: string;
}

/**
 * What each generated check may spend: a number of runs (the same seed then replays them exactly),
 * seconds, or both (whichever comes first).
 */
export interface Budget {
  runs?: number;
  seconds?: number;
}

/**
 * By default 25 runs a check, counted in runs and never in seconds: a target 50 ms away gets the same
 * search as one on loopback (it takes longer), so that the verdict does not depend on the distance.
 */
export const DEFAULT_BUDGET: Budget = { runs: 25 };

/**
 * The seed of a run under CI (the CI variable set) that names none: the same server then gets the same
 * verdict on every run; CONFORMANCE_SEED=random asks for a new search each time (a nightly job).
 */
export const CI_SEED = 1;

/** Set by the command line for the suite it starts: failures then tell how to rerun them with its flags. */
export const LAUNCHED_BY = 'CONFORMANCE_LAUNCHED_BY';

/** Whether the run was started by the package's command (its flags) rather than `playwright test` (its variables). */
export const launchedByCli = (env: NodeJS.ProcessEnv = process.env) => env[LAUNCHED_BY] === 'cli';

/** The switches that shape what runs; known when tests are collected, before any server starts. */
export interface RunFlags {
  profile: Profile;
  /** SHOULD violations fail the run too. */
  strict: boolean;
  /** Only the checks a stateless mock can answer. */
  stateless: boolean;
  /** What the generated checks may spend; `{ runs: 0 }` leaves them out. */
  budget: Budget;
  /** Only the checks of these rules run (CONFORMANCE_RULES); every check when absent. */
  rules?: RuleId[];
  /** Rules deliberately left out (CONFORMANCE_SKIP_RULES): out of the run's scope, so they cannot hold back a pass. */
  skipRules?: RuleId[];
}

export interface Settings extends RunFlags {
  /** The target's short name: its Playwright project and its column in the reports. */
  name: string;
  /** Base URL; the suite appends the API's path to it. */
  targetUrl: string;
  bot: Bot;
  secondBot?: Bot;
  otherRegionUrl?: string;
  /** Rules this target leaves out on purpose (its skipRules in the configuration file), besides the run's. */
  targetSkipRules?: RuleId[];
  seed: number;
  /** Past this a request counts as a hang. */
  requestTimeoutMs: number;
  /** Where the lock, the snapshot and the secret ledger live (user-only, outside the reports). */
  stateDir: string;
  /** The run this process belongs to, once the global setup has taken the bot's lock (workers inherit it). */
  runId?: string;
  /** A PEM file of certificates to trust besides Node's own (a private CA). */
  caFile?: string;
  /** TLS certificates are not checked at all: an explicit choice, printed in every report. */
  insecure: boolean;
}

/** Set by the global setup for the run's workers and reporter; not a user setting. */
export const RUN_ID_VARIABLE = 'CONFORMANCE_RUN_ID';

/** Every variable the suite reads, with its meaning: the README and --help print this list. */
export const VARIABLES = {
  TARGET_URL: 'base URL of the server under test; unset: the embedded reference server',
  BOT_ID: 'the bot whose providers the run writes (and restores)',
  API_TOKEN: "that bot's API token",
  SECOND_BOT_ID: 'a second bot on the same target, for isolation checks (optional)',
  SECOND_API_TOKEN: "the second bot's API token (optional)",
  OTHER_REGION_URL: 'base URL of a region where BOT_ID does not reside (optional)',
  CONFORMANCE_STRICT: 'SHOULD violations fail the run too',
  CONFORMANCE_SEED: `replays a run's generated data (printed by every run); default random, or ${CI_SEED} when CI is set; 'random' for a new one under CI too`,
  CONFORMANCE_RULES: 'only the checks of these rules, comma-separated ids (e.g. AUTH-WRONG-TOKEN,DELETE-200)',
  CONFORMANCE_SKIP_RULES:
    'rules left out on purpose, comma-separated ids (e.g. AUTH-OTHER-REGION when there is no other region): a run passes only when every MUST rule it does not leave out was decided',
  CONFORMANCE_BUDGET: `what each generated check may spend: a number of runs (the seed replays them exactly), seconds ('90s', '5m') for a deeper nightly run, or 0 to leave them out (default ${DEFAULT_BUDGET.runs} runs, whatever the target's distance)`,
  CONFORMANCE_PROFILE: `which revision of the vendor page to hold the target to: ${PROFILES.join(' | ')}`,
  CONFORMANCE_STATELESS: 'only the checks a stateless mock (Prism) can answer',
  CONFORMANCE_TIMEOUT_MS: 'per-request timeout; a slower answer counts as a hang (default 5000)',
  CONFORMANCE_CA_FILE:
    'a PEM file of CA certificates to trust for an https target with a private CA (NODE_EXTRA_CA_CERTS works too)',
  CONFORMANCE_INSECURE: 'do not check TLS certificates at all (printed in every report; prefer CONFORMANCE_CA_FILE)',
  CONFORMANCE_REPORT_DIR: 'where the reports go (default ./reports)',
  CONFORMANCE_STATE_DIR: 'where the snapshot is kept until the restore is verified (default ./.conformance)',
  CONFORMANCE_TARGET_NAME:
    'a short name for the target, tagged on its tests when several runs are merged into one report',
  CONFORMANCE_WORKERS: 'parallel workers (default: one a CPU core, at least 2; more for a distant target)',
  CONFORMANCE_CONFIG:
    'a configuration file of targets and settings (JSON or YAML; default: conformance.config.json, .yaml or .yml in the working directory)',
} as const;

/** A bot of the configuration file: its token is named by the variable that holds it, never written. */
interface ConfigBot {
  id: string;
  tokenEnv: string;
}
interface ConfigTarget {
  name: string;
  url: string;
  bot: ConfigBot;
  secondBot?: ConfigBot;
  otherRegionUrl?: string;
  skipRules?: string[];
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
  caFile?: string;
  insecure?: boolean;
}

const CONFIG_NAMES = ['conformance.config.json', 'conformance.config.yaml', 'conformance.config.yml'];
const require = createRequire(import.meta.url);

export class SettingsError extends Error {}

let loaded = false;
/** Reads .env from the working directory once; variables already set win over it. */
export function loadDotEnv(): void {
  if (loaded) return;
  loaded = true;
  if (existsSync('.env')) loadEnvFile('.env');
}

let lastRead: { key: string; file: { path: string; config: ConfigFile } } | undefined;

/** The configuration file, when there is one: CONFORMANCE_CONFIG, or one of CONFIG_NAMES here. */
export function readConfigFile(env: NodeJS.ProcessEnv = process.env): { path: string; config: ConfigFile } | undefined {
  loadDotEnv();
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

/** Every target of the run, each with the run's settings: TARGET_URL's one, or the configuration file's. */
export function readTargets(env: NodeJS.ProcessEnv = process.env): Settings[] {
  loadDotEnv();
  const file = readConfigFile(env);
  const run = runSettings(env, file?.config);
  if (env.TARGET_URL?.trim() || !file?.config.targets) return [{ ...run, ...envTarget(env) }];
  return file.config.targets.map((t) => ({ ...run, ...fileTarget(t, env, file.path) }));
}

/** The names of the run's targets, known before any server starts (one Playwright project pair each). */
export function targetNames(env: NodeJS.ProcessEnv = process.env): string[] {
  loadDotEnv();
  const file = readConfigFile(env);
  if (env.TARGET_URL?.trim() || !file?.config.targets) return [singleName(env)];
  return file.config.targets.map((t) => t.name);
}

/** The target named `name` (a project's), or the run's only one. */
export function readSettings(env: NodeJS.ProcessEnv = process.env, name?: string): Settings {
  const targets = readTargets(env);
  if (name === undefined) {
    if (targets.length > 1)
      throw new SettingsError(
        `this command takes one target; the configuration file has ${targets.length} (${targets.map((t) => t.name).join(', ')})`,
      );
    return targets[0];
  }
  const found = targets.find((t) => t.name === name);
  if (!found) throw new SettingsError(`no target named '${name}' (targets: ${targets.map((t) => t.name).join(', ')})`);
  return found;
}

type RunLevel = Omit<Settings, 'name' | 'targetUrl' | 'bot' | 'secondBot' | 'otherRegionUrl' | 'targetSkipRules'>;
type TargetLevel = Pick<Settings, 'name' | 'targetUrl' | 'bot' | 'secondBot' | 'otherRegionUrl' | 'targetSkipRules'>;

function runSettings(env: NodeJS.ProcessEnv, config: ConfigFile | undefined): RunLevel {
  // A run always has one (prepareRun chooses it); a restore or a merge of reports needs none.
  const seedText = env.CONFORMANCE_SEED?.trim() || String(config?.seed ?? '0');
  if (!/^\d{1,15}$/.test(seedText))
    throw new SettingsError(`CONFORMANCE_SEED must be a whole number of at most 15 digits; got '${seedText}'`);
  const timeoutText = env.CONFORMANCE_TIMEOUT_MS?.trim() || String(config?.timeoutMs ?? 5000);
  if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 100) {
    throw new SettingsError(
      `CONFORMANCE_TIMEOUT_MS must be a whole number of milliseconds, at least 100; got '${timeoutText}'`,
    );
  }
  const caFile = env.CONFORMANCE_CA_FILE?.trim() || config?.caFile;
  if (caFile) readCaFile(caFile);
  return {
    ...readFlags(env),
    ...(caFile ? { caFile: resolve(caFile) } : {}),
    insecure: readInsecure(env, config),
    seed: Number(seedText),
    requestTimeoutMs: Number(timeoutText),
    stateDir: resolve(env.CONFORMANCE_STATE_DIR?.trim() || '.conformance'),
    runId: env[RUN_ID_VARIABLE]?.trim() || undefined,
  };
}

/** An on/off variable: on for 1, true or yes; off for anything else; unset (undefined) when empty. */
function switchOf(text: string | undefined): boolean | undefined {
  const value = text?.trim().toLowerCase();
  return value ? ['1', 'true', 'yes'].includes(value) : undefined;
}

/** CONFORMANCE_INSECURE, or the configuration file's `insecure`: the variable wins. */
function readInsecure(env: NodeJS.ProcessEnv, config: ConfigFile | undefined): boolean {
  return switchOf(env.CONFORMANCE_INSECURE) ?? config?.insecure ?? false;
}

/** The certificates of a CA file; a file that holds none is a setting error, named. */
function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SettingsError(
      `CONFORMANCE_CA_FILE (--ca-file) names ${resolve(path)}, which cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new SettingsError(
      `CONFORMANCE_CA_FILE (--ca-file) names ${resolve(path)}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return text;
}

/**
 * How the run's requests leave: the CA file's certificates trusted besides Node's own (and those of
 * NODE_EXTRA_CA_CERTS, which Node drops once a CA is given), verification off only when asked, and
 * the proxy of HTTPS_PROXY / HTTP_PROXY / NO_PROXY (as curl reads them; loopback is no exception).
 * proxy-from-env reads those from process.env itself: they are the process's, like NODE_EXTRA_CA_CERTS.
 */
export function transportOptions(
  settings: Pick<Settings, 'caFile' | 'insecure'>,
  env: NodeJS.ProcessEnv = process.env,
): TransportOptions {
  const extra = env.NODE_EXTRA_CA_CERTS?.trim();
  const ca = settings.caFile
    ? [readCaFile(settings.caFile), ...(extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : [])].join('\n')
    : undefined;
  return { ca, insecure: settings.insecure, proxyFor: (url) => getProxyForUrl(url) || undefined };
}

const transports = new Map<string, Transport>();
/** This process's transport for a target's settings (one pool of connections per trust setting). */
export function transportFor(settings: Pick<Settings, 'caFile' | 'insecure'>): Transport {
  const key = `${settings.caFile ?? ''} ${settings.insecure}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = new Transport(transportOptions(settings));
    transports.set(key, transport);
  }
  return transport;
}

/** The proxies' own passwords, which no output may show. */
export function proxySecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].flatMap((name) => {
    try {
      const url = new URL(env[name] ?? '');
      return [url.password, url.password && decodeURIComponent(url.password)].filter((p): p is string => Boolean(p));
    } catch {
      return [];
    }
  });
}

const singleName = (env: NodeJS.ProcessEnv) => env.CONFORMANCE_TARGET_NAME?.trim() || 'target';

/** The one target of TARGET_URL, BOT_ID, API_TOKEN and their optional companions. */
function envTarget(env: NodeJS.ProcessEnv): TargetLevel {
  const need = (name: keyof typeof VARIABLES) => {
    const value = env[name]?.trim();
    if (!value)
      throw new SettingsError(`${name} is not set (${VARIABLES[name]}); set it in the environment or in .env`);
    return value;
  };
  const targetUrl = need('TARGET_URL');
  checkUrl('TARGET_URL', targetUrl);
  const second = [env.SECOND_BOT_ID?.trim(), env.SECOND_API_TOKEN?.trim()];
  if (Boolean(second[0]) !== Boolean(second[1])) {
    throw new SettingsError('SECOND_BOT_ID and SECOND_API_TOKEN go together: set both or neither');
  }
  const botId = checkBotId('BOT_ID', need('BOT_ID'));
  if (second[0]) checkBotId('SECOND_BOT_ID', second[0]);
  if (second[0] === botId)
    throw new SettingsError('SECOND_BOT_ID names the same bot as BOT_ID; the isolation checks need another bot');
  const otherRegionUrl = env.OTHER_REGION_URL?.trim() || undefined;
  if (otherRegionUrl) checkUrl('OTHER_REGION_URL', otherRegionUrl);
  return {
    name: singleName(env),
    targetUrl,
    bot: { id: botId, token: need('API_TOKEN') },
    secondBot: second[0] && second[1] ? { id: second[0], token: second[1] } : undefined,
    otherRegionUrl,
  };
}

/** A target of the configuration file, its tokens read from the variables it names. */
function fileTarget(t: ConfigTarget, env: NodeJS.ProcessEnv, path: string): TargetLevel {
  const where = `target '${t.name}' of ${path}`;
  const bot = (b: ConfigBot): Bot => {
    const token = env[b.tokenEnv]?.trim();
    if (!token) throw new SettingsError(`${b.tokenEnv} is not set: ${where} takes bot '${b.id}''s token from it`);
    return { id: b.id, token };
  };
  checkUrl(`the url of ${where}`, t.url);
  if (t.otherRegionUrl) checkUrl(`the otherRegionUrl of ${where}`, t.otherRegionUrl);
  if (t.secondBot?.id === t.bot.id) throw new SettingsError(`${where}: secondBot names the same bot as bot`);
  return {
    name: t.name,
    targetUrl: t.url,
    bot: bot(t.bot),
    secondBot: t.secondBot && bot(t.secondBot),
    otherRegionUrl: t.otherRegionUrl,
    ...(t.skipRules?.length ? { targetSkipRules: readRules(t.skipRules.join(','), `the skipRules of ${where}`) } : {}),
  };
}

export function readFlags(env: NodeJS.ProcessEnv = process.env): RunFlags {
  loadDotEnv();
  const config = readConfigFile(env)?.config;
  const profile = env.CONFORMANCE_PROFILE?.trim() || config?.profile || 'default';
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new SettingsError(`CONFORMANCE_PROFILE must be one of ${PROFILES.join(', ')}; got '${profile}'`);
  }
  const strict = switchOf(env.CONFORMANCE_STRICT) ?? config?.strict ?? false;
  return {
    profile: profile as Profile,
    strict,
    stateless: switchOf(env.CONFORMANCE_STATELESS) ?? config?.stateless ?? false,
    budget: readBudget(env.CONFORMANCE_BUDGET?.trim() || String(config?.budget ?? ''), 'CONFORMANCE_BUDGET'),
    rules: readRules(env.CONFORMANCE_RULES?.trim() || (config?.rules ?? []).join(','), 'CONFORMANCE_RULES'),
    skipRules: readRules(
      env.CONFORMANCE_SKIP_RULES?.trim() || (config?.skipRules ?? []).join(','),
      'CONFORMANCE_SKIP_RULES',
    ),
  };
}

/** 'ID,ID': those rules' ids, each checked against the catalogue. Empty: every rule. */
export function readRules(text: string, name: string): RuleId[] | undefined {
  if (text === '') return undefined;
  const ids = text
    .split(',')
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !isRuleId(id));
  if (unknown.length || !ids.length)
    throw new SettingsError(
      `${name} must name rules of the catalogue (README, "Rules"), comma-separated; ${unknown.length ? `no rule is called ${unknown.join(', ')}` : 'it names none'}`,
    );
  return ids as RuleId[];
}

/** '25' or '25runs': that many runs; '90s', '5m': that long; '0': none. Empty: the default. `name`: the setting, for the message. */
export function readBudget(text: string, name: string): Budget {
  if (text === '') return DEFAULT_BUDGET;
  const match = /^(\d{1,7})\s*(runs?|s|m)?$/.exec(text);
  if (!match)
    throw new SettingsError(
      `${name} must be a number of runs ('25'), seconds ('90s') or minutes ('5m'); got '${text}'`,
    );
  const n = Number(match[1]);
  if (match[2] === 's' || match[2] === 'm') {
    if (n === 0) throw new SettingsError(`${name} of no time: say '0' to leave the generated checks out`);
    return { seconds: match[2] === 'm' ? n * 60 : n };
  }
  return { runs: n };
}

function checkUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`${name} is not a URL: '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SettingsError(`${name} must be http or https: '${value}'`);
  // Not echoed: a URL with credentials in it is a secret of its own.
  if (url.username || url.password)
    throw new SettingsError(
      `${name} must not carry credentials (user:password@); the suite sends the bot's token itself`,
    );
  if (url.search || url.hash)
    throw new SettingsError(`${name} must be a base URL without query or fragment: '${value}'`);
}

/** The bot id is one path segment: '.' and '..' would move the path the run writes to elsewhere. */
function checkBotId(name: string, value: string): string {
  if (value === '.' || value === '..')
    throw new SettingsError(
      `${name} must be a bot id, not '${value}' (a dot segment would send the run's writes to another path)`,
    );
  return value;
}

/** A target's configured bots: its bot and, when set, its second bot. */
export function botsOf(settings: Pick<Settings, 'bot' | 'secondBot'>): Bot[] {
  return [settings.bot, ...(settings.secondBot ? [settings.secondBot] : [])];
}

/** The settings that name a target; any of them without TARGET_URL is a mistake, never a run against the embedded reference. */
const TARGET_SETTINGS = ['BOT_ID', 'API_TOKEN', 'SECOND_BOT_ID', 'SECOND_API_TOKEN', 'OTHER_REGION_URL'] as const;

/** What playwright.config.ts needs to set a run up. */
export interface RunPlan {
  /** The embedded reference servers to start (a run with no target settings at all): their bots and profile. */
  embedded?: { bots: string; profile: Profile };
  /** The run's targets, each a Playwright project pair. */
  targets: string[];
  workers?: number;
  reportDir: string;
  /** A tag for every test of the run, when the target is named (merged reports keep targets apart). */
  tag?: string;
  /** Only the checks of these rules are collected (CONFORMANCE_RULES). */
  rules?: RuleId[];
}

/**
 * Reads the run's settings in the runner and leaves the workers (which inherit the environment) what
 * they need: the seed, chosen once, and for the embedded reference its bots and fresh tokens. The one
 * place the suite writes the environment, besides the run id (shareRunId).
 */
export function prepareRun(env: NodeJS.ProcessEnv = process.env): RunPlan {
  loadDotEnv();
  const worker = Boolean(env.TEST_WORKER_INDEX);
  const file = readConfigFile(env);
  if (env.CONFORMANCE_SEED?.trim() === 'random') env.CONFORMANCE_SEED = String(randomInt(1, 2 ** 31));
  env.CONFORMANCE_SEED ||= String(file?.config.seed ?? (env.CI ? CI_SEED : randomInt(1, 2 ** 31)));
  // The run id is the global setup's to give (workers load the config too, and keep theirs).
  if (!worker) delete env[RUN_ID_VARIABLE];
  const hasTarget = Boolean(env.TARGET_URL?.trim() || file?.config.targets);
  const stray = TARGET_SETTINGS.filter((v) => env[v]?.trim());
  if (!worker && env.CONFORMANCE_EMBEDDED !== '1' && !hasTarget && stray.length) {
    throw new SettingsError(
      `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but TARGET_URL is not. ` +
        'Set TARGET_URL to the server to judge; unset every target setting to run against the embedded reference server.',
    );
  }
  let embedded: RunPlan['embedded'];
  if (!hasTarget) {
    env.CONFORMANCE_EMBEDDED = '1';
    env.BOT_ID = 'bot-a';
    env.API_TOKEN = `ta-${randomBytes(12).toString('hex')}`;
    env.SECOND_BOT_ID = 'bot-b';
    env.SECOND_API_TOKEN = `tb-${randomBytes(12).toString('hex')}`;
    embedded = {
      bots: `${env.BOT_ID}:${env.API_TOKEN},${env.SECOND_BOT_ID}:${env.SECOND_API_TOKEN}`,
      profile: readFlags(env).profile,
    };
  }
  // Every setting is checked here, before a test is collected: a bad one stops the run with one message.
  const { rules } = readFlags(env);
  if (hasTarget) readTargets(env);
  const workersText =
    env.CONFORMANCE_WORKERS?.trim() || (file?.config.workers === undefined ? undefined : String(file.config.workers));
  if (workersText && (!/^\d+$/.test(workersText) || Number(workersText) < 1 || Number(workersText) > 64)) {
    throw new SettingsError(`CONFORMANCE_WORKERS must be a whole number from 1 to 64; got '${workersText}'`);
  }
  const name = env.CONFORMANCE_TARGET_NAME?.trim();
  return {
    embedded,
    targets: targetNames(env),
    workers: workersText ? Number(workersText) : undefined,
    reportDir: reportDir(env),
    tag: name ? `@${name}` : undefined,
    rules,
  };
}

/** Hands the workers (started after the global setup) the id of the run, which names its secret ledger. */
export function shareRunId(runId: string): void {
  process.env[RUN_ID_VARIABLE] = runId;
}

/** Where the reports go, relative to where the user runs the suite (Playwright would take them relative to the config). */
export function reportDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CONFORMANCE_REPORT_DIR?.trim() || readConfigFile(env)?.config.reportDir || 'reports');
}

/** What a run was pointed at, for the reports (a merge of reports has no run of its own: its fields are empty). */
export function describeRun(env: NodeJS.ProcessEnv = process.env): RunInfo {
  let flags: Pick<RunFlags, 'profile' | 'strict' | 'rules'> = { profile: 'default', strict: false };
  let targets: string[] = [];
  let config: ConfigFile | undefined;
  try {
    flags = readFlags(env);
    targets = targetNames(env);
    config = readConfigFile(env)?.config;
  } catch {
    // a bad setting already stopped the run with its own message
  }
  // Several targets of a configuration file: their names; one target: its URL (empty while embedded).
  const target = targets.length > 1 ? targets.join(', ') : (env.TARGET_URL ?? '');
  const insecure = readInsecure(env, config);
  return {
    target,
    otherRegionUrl: env.OTHER_REGION_URL || null,
    profile: flags.profile,
    strict: flags.strict,
    seed: Number(env.CONFORMANCE_SEED) || 0,
    ...(flags.rules ? { selectedRules: flags.rules } : {}),
    ...(insecure ? { insecure: true as const } : {}),
  };
}

/** The tokens the environment holds, for a merge of reports that has no run of its own to read them from. */
export function environmentTokens(env: NodeJS.ProcessEnv = process.env): (string | undefined)[] {
  return [env.API_TOKEN, env.SECOND_API_TOKEN];
}

// The run's targets, each with the run's settings: TARGET_URL's one (with BOT_ID, API_TOKEN and their
// companions) or the configuration file's, read from an environment the caller was given.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Need, RuleId } from '../rules/catalogue.ts';
import { type ConfigBot, type ConfigFile, type ConfigTarget, readConfigFile } from './config-file.ts';
import type { Env } from './environment.ts';
import {
  type CertificateNames,
  type ClientCertificate,
  clientCertificate,
  clientTls,
  PASSPHRASE_VARIABLE,
  VARIABLE_NAMES,
} from './client-certificate.ts';
import { type ExtraHeader, headersFromConfig, headersFromText, mergedHeaders } from './extra-headers.ts';
import { type RunFlags, readFlags, readRules, reportDir } from './run-flags.ts';
import { launchedByCli, RUN_ID_VARIABLE, SettingsError, switchOf, VARIABLES } from './variables.ts';

export interface Bot {
  id: string;
  token: string;
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
  /** NODE_EXTRA_CA_CERTS: Node drops those certificates once a CA is given, so the transport adds them back. */
  extraCaFile?: string;
  /** Headers every request carries besides the suite's own (an API gateway's); those read from a variable are secrets. */
  headers: ExtraHeader[];
  /** The client certificate's files, for a target that wants mutual TLS. */
  clientCertificate?: ClientCertificate;
  /** Their passphrase (CONFORMANCE_CLIENT_KEY_PASSPHRASE), a secret of the run. */
  clientKeyPassphrase?: string;
  /** The proxies' own passwords (HTTPS_PROXY and its kin), which no output may show. */
  proxyPasswords: string[];
  /** Where the reports go. */
  reportDir: string;
  /** The package's command started the run: a failure's Reproduce line speaks its flags. */
  launchedByCli: boolean;
  /** The variables its bots' tokens come from (API_TOKEN, or the configuration file's tokenEnv): what a Reproduce line names. */
  tokenVariables: string[];
  /** The configuration file the target comes from, when it does. */
  configFile?: string;
}

/** Whether the target gives what a check needs beyond one bot (rules/catalogue.ts `needs`): a second bot, another region. */
export function targetHas(settings: Pick<Settings, 'secondBot' | 'otherRegionUrl'>, need: Need): boolean {
  return Boolean(need === 'second-bot' ? settings.secondBot : settings.otherRegionUrl);
}

/** Every target of the run, each with the run's settings: TARGET_URL's one, or the configuration file's. */
export function readTargets(env: Env): Settings[] {
  const file = readConfigFile(env);
  const run = runSettings(env, file?.config);
  const targets =
    env.TARGET_URL?.trim() || !file?.config.targets
      ? [{ ...run, ...envTarget(env) }]
      : file.config.targets.map((t) => {
          const own = fileTarget(t, env, file.path, run.rules);
          return { ...run, ...own, headers: mergedHeaders(run.headers, own.headers ?? []) };
        });
  for (const t of targets) checkSingleBot(t);
  return targets;
}

/** A single bot in one region, said of a target that was given a second bot or another region, is a contradiction. */
function checkSingleBot(t: Settings): void {
  if (!t.singleBot) return;
  const given = [t.secondBot && 'a second bot', t.otherRegionUrl && 'another region'].filter(Boolean);
  if (given.length)
    throw new SettingsError(
      `${t.configFile ? `target '${t.name}' of ${t.configFile}` : 'CONFORMANCE_SINGLE_BOT (--single-bot)'} says the target has a single bot in one region, yet it is given ${given.join(' and ')}: drop one or the other`,
    );
}

/** The names of the run's targets, known before any server starts (one Playwright project pair each). */
export function targetNames(env: Env): string[] {
  const file = readConfigFile(env);
  if (env.TARGET_URL?.trim() || !file?.config.targets) return [singleName(env)];
  return file.config.targets.map((t) => t.name);
}

/** The target named `name` (a Playwright project's). */
export function targetNamed(targets: Settings[], name: string): Settings {
  const found = targets.find((t) => t.name === name);
  if (!found) throw new SettingsError(`no target named '${name}' (targets: ${targets.map((t) => t.name).join(', ')})`);
  return found;
}

type RunLevel = Omit<
  Settings,
  'name' | 'targetUrl' | 'bot' | 'secondBot' | 'otherRegionUrl' | 'targetSkipRules' | 'tokenVariables' | 'configFile'
>;
/** A target's own settings; its `rules`, when it has some, narrow the run's for it alone. */
type TargetLevel = Pick<
  Settings,
  'name' | 'targetUrl' | 'bot' | 'secondBot' | 'otherRegionUrl' | 'targetSkipRules' | 'tokenVariables'
> &
  Partial<Pick<Settings, 'rules' | 'configFile' | 'singleBot' | 'headers' | 'clientCertificate'>>;

function runSettings(env: Env, config: ConfigFile | undefined): RunLevel {
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
  const headersText = env.CONFORMANCE_HEADERS;
  const headers = headersText?.trim()
    ? headersFromText(headersText, 'CONFORMANCE_HEADERS', env)
    : headersFromConfig(config?.headers ?? {}, `the headers of ${configName(env)}`, env);
  const clientKeyPassphrase = env[PASSPHRASE_VARIABLE] || undefined;
  const fromVariables = {
    cert: env.CONFORMANCE_CLIENT_CERT?.trim(),
    key: env.CONFORMANCE_CLIENT_KEY?.trim(),
    pfx: env.CONFORMANCE_CLIENT_PFX?.trim(),
  };
  // The variables, when any is set, replace the file's choice whole (a PKCS#12 file there and PEM files here).
  const certificate = Object.values(fromVariables).some(Boolean)
    ? checkedCertificate(fromVariables, VARIABLE_NAMES, env)
    : checkedCertificate(
        { cert: config?.clientCert, key: config?.clientKey, pfx: config?.clientPfx },
        configKeys(`the configuration file ${configName(env)}`),
        env,
      );
  return {
    ...readFlags(env, config),
    ...(caFile ? { caFile: resolve(caFile) } : {}),
    insecure: readInsecure(env, config),
    seed: Number(seedText),
    requestTimeoutMs: Number(timeoutText),
    stateDir: resolve(env.CONFORMANCE_STATE_DIR?.trim() || '.conformance'),
    runId: env[RUN_ID_VARIABLE]?.trim() || undefined,
    ...(env.NODE_EXTRA_CA_CERTS?.trim() ? { extraCaFile: env.NODE_EXTRA_CA_CERTS.trim() } : {}),
    headers,
    ...(certificate ? { clientCertificate: certificate } : {}),
    ...(clientKeyPassphrase ? { clientKeyPassphrase } : {}),
    proxyPasswords: proxyPasswords(env),
    reportDir: reportDir(env, config),
    launchedByCli: launchedByCli(env),
  };
}

const configName = (env: Env) => readConfigFile(env)?.path ?? 'the configuration file';

/** The configuration file's keys of a client certificate, as its messages name them. */
const configKeys = (where: string): CertificateNames => ({
  cert: `clientCert of ${where}`,
  key: `clientKey of ${where}`,
  pfx: `clientPfx of ${where}`,
});

/** A client certificate's files, tried (a wrong passphrase, a key of another certificate stop the run here). */
function checkedCertificate(
  given: ClientCertificate,
  names: CertificateNames,
  env: Env,
): ClientCertificate | undefined {
  const certificate = clientCertificate(given, names);
  if (certificate) clientTls(certificate, names, env);
  return certificate;
}

/** CONFORMANCE_INSECURE, or the configuration file's `insecure`: the variable wins. */
export function readInsecure(env: Env, config: ConfigFile | undefined): boolean {
  return switchOf(env.CONFORMANCE_INSECURE) ?? config?.insecure ?? false;
}

/** The certificates of a CA file; a file that holds none is a setting error, named. */
export function readCaFile(path: string): string {
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

export const singleName = (env: Env) => env.CONFORMANCE_TARGET_NAME?.trim() || 'target';

/** The one target of TARGET_URL, BOT_ID, API_TOKEN and their optional companions. */
function envTarget(env: Env): TargetLevel {
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
    tokenVariables: ['API_TOKEN', ...(second[0] && second[1] ? ['SECOND_API_TOKEN'] : [])],
  };
}

/** A target of the configuration file, its tokens read from the variables it names. */
function fileTarget(t: ConfigTarget, env: Env, path: string, runRules: RuleId[] | undefined): TargetLevel {
  const where = `target '${t.name}' of ${path}`;
  const bot = (b: ConfigBot): Bot => {
    const token = env[b.tokenEnv]?.trim();
    if (!token) throw new SettingsError(`${b.tokenEnv} is not set: ${where} takes bot '${b.id}''s token from it`);
    return { id: b.id, token };
  };
  checkUrl(`the url of ${where}`, t.url);
  if (t.otherRegionUrl) checkUrl(`the otherRegionUrl of ${where}`, t.otherRegionUrl);
  if (t.secondBot?.id === t.bot.id) throw new SettingsError(`${where}: secondBot names the same bot as bot`);
  const rules = t.rules?.length ? readRules(t.rules.join(','), `the rules of ${where}`) : undefined;
  const outside = rules?.filter((r) => runRules && !runRules.includes(r)) ?? [];
  if (outside.length)
    throw new SettingsError(
      `the rules of ${where} must be among the run's (${runRules!.join(', ')}); ${outside.join(', ')} is not`,
    );
  const headers = t.headers ? headersFromConfig(t.headers, `the headers of ${where}`, env) : undefined;
  const certificate = checkedCertificate(
    { cert: t.clientCert, key: t.clientKey, pfx: t.clientPfx },
    configKeys(where),
    env,
  );
  return {
    name: t.name,
    targetUrl: t.url,
    bot: bot(t.bot),
    ...(headers ? { headers } : {}),
    ...(certificate ? { clientCertificate: certificate } : {}),
    secondBot: t.secondBot && bot(t.secondBot),
    otherRegionUrl: t.otherRegionUrl,
    tokenVariables: [t.bot.tokenEnv, ...(t.secondBot ? [t.secondBot.tokenEnv] : [])],
    configFile: path,
    ...(t.singleBot !== undefined && !env.CONFORMANCE_SINGLE_BOT?.trim() ? { singleBot: t.singleBot } : {}),
    ...(rules ? { rules } : {}),
    ...(t.skipRules?.length ? { targetSkipRules: readRules(t.skipRules.join(','), `the skipRules of ${where}`) } : {}),
  };
}

export function checkUrl(name: string, value: string): void {
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

/** The passwords of HTTPS_PROXY and its kin, as written and URL-decoded. */
function proxyPasswords(env: Env): string[] {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].flatMap((name) => {
    try {
      const url = new URL(env[name] ?? '');
      return [url.password, url.password && decodeURIComponent(url.password)].filter((p): p is string => Boolean(p));
    } catch {
      return [];
    }
  });
}

// The suite's configuration, in one module: environment variables (and a .env file), nothing else.
// These names are a fixed interface: CI pipelines and the command-line entry set them.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadEnvFile } from 'node:process';
import { PROFILES, type Profile } from '../contract/openapi.ts';

export interface Bot { id: string; token: string }

/** The switches that shape what runs; known when tests are collected, before any server starts. */
export interface RunFlags {
  profile: Profile;
  /** SHOULD violations fail the run too. */
  strict: boolean;
  /** Only the checks a stateless mock can answer. */
  stateless: boolean;
}

export interface Settings extends RunFlags {
  /** Base URL; the suite appends the API's path to it. */
  targetUrl: string;
  bot: Bot;
  secondBot?: Bot;
  otherRegionUrl?: string;
  seed: number;
  /** Past this a request counts as a hang. */
  requestTimeoutMs: number;
  /** True when the suite started its own reference servers (no TARGET_URL given). */
  embedded: boolean;
  /** Where the lock, the snapshot and the secret ledger live (user-only, outside the reports). */
  stateDir: string;
  /** The run this process belongs to, once the global setup has taken the bot's lock (workers inherit it). */
  runId?: string;
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
  CONFORMANCE_SEED: "replays a run's generated data (printed by every run)",
  CONFORMANCE_PROFILE: `which revision of the vendor page to hold the target to: ${PROFILES.join(' | ')}`,
  CONFORMANCE_STATELESS: 'only the checks a stateless mock (Prism) can answer',
  CONFORMANCE_TIMEOUT_MS: 'per-request timeout; a slower answer counts as a hang (default 5000)',
  CONFORMANCE_REPORT_DIR: 'where the reports go (default ./reports)',
  CONFORMANCE_STATE_DIR: 'where the snapshot is kept until the restore is verified (default ./.conformance)',
  CONFORMANCE_TARGET_NAME: 'a short name for the target, tagged on its tests when several runs are merged into one report',
  CONFORMANCE_WORKERS: 'parallel workers (default: one a CPU core, at least 2; more for a distant target)',
} as const;

export class SettingsError extends Error {}

let loaded = false;
/** Reads .env from the working directory once; variables already set win over it. */
export function loadDotEnv(): void {
  if (loaded) return;
  loaded = true;
  if (existsSync('.env')) loadEnvFile('.env');
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  loadDotEnv();
  const need = (name: keyof typeof VARIABLES) => {
    const value = env[name]?.trim();
    if (!value) throw new SettingsError(`${name} is not set (${VARIABLES[name]}); set it in the environment or in .env`);
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
  if (second[0] === botId) throw new SettingsError('SECOND_BOT_ID names the same bot as BOT_ID; the isolation checks need another bot');
  const otherRegionUrl = env.OTHER_REGION_URL?.trim() || undefined;
  if (otherRegionUrl) checkUrl('OTHER_REGION_URL', otherRegionUrl);
  const seedText = env.CONFORMANCE_SEED?.trim() || '';
  if (!/^\d{1,15}$/.test(seedText)) throw new SettingsError(`CONFORMANCE_SEED must be a whole number; got '${seedText}'`);
  const timeoutText = env.CONFORMANCE_TIMEOUT_MS?.trim() || '5000';
  if (!/^\d+$/.test(timeoutText) || Number(timeoutText) < 100) {
    throw new SettingsError(`CONFORMANCE_TIMEOUT_MS must be a whole number of milliseconds, at least 100; got '${timeoutText}'`);
  }
  return {
    targetUrl,
    bot: { id: botId, token: need('API_TOKEN') },
    secondBot: second[0] && second[1] ? { id: second[0], token: second[1] } : undefined,
    otherRegionUrl,
    ...readFlags(env),
    seed: Number(seedText),
    requestTimeoutMs: Number(timeoutText),
    embedded: env.CONFORMANCE_EMBEDDED === '1',
    stateDir: resolve(env.CONFORMANCE_STATE_DIR?.trim() || '.conformance'),
    runId: env[RUN_ID_VARIABLE]?.trim() || undefined,
  };
}

export function readFlags(env: NodeJS.ProcessEnv = process.env): RunFlags {
  loadDotEnv();
  const profile = env.CONFORMANCE_PROFILE?.trim() || 'default';
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new SettingsError(`CONFORMANCE_PROFILE must be one of ${PROFILES.join(', ')}; got '${profile}'`);
  }
  const on = (name: string) => ['1', 'true', 'yes'].includes(env[name]?.trim().toLowerCase() ?? '');
  return { profile: profile as Profile, strict: on('CONFORMANCE_STRICT'), stateless: on('CONFORMANCE_STATELESS') };
}

function checkUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`${name} is not a URL: '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingsError(`${name} must be http or https: '${value}'`);
  // Not echoed: a URL with credentials in it is a secret of its own.
  if (url.username || url.password) throw new SettingsError(`${name} must not carry credentials (user:password@); the suite sends the bot's token itself`);
  if (url.search || url.hash) throw new SettingsError(`${name} must be a base URL without query or fragment: '${value}'`);
}

/** The bot id is one path segment: '.' and '..' would move the path the run writes to elsewhere. */
function checkBotId(name: string, value: string): string {
  if (value === '.' || value === '..') throw new SettingsError(`${name} must be a bot id, not '${value}' (a dot segment would send the run's writes to another path)`);
  return value;
}

/** The configured bots: BOT_ID and, when set, SECOND_BOT_ID. */
export function botsOf(settings: Pick<Settings, 'bot' | 'secondBot'>): Bot[] {
  return [settings.bot, ...(settings.secondBot ? [settings.secondBot] : [])];
}

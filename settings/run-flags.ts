// The switches that shape what a run checks (profile, strict, stateless, budget, rules): known when
// tests are collected, before any server starts. A variable wins over the configuration file's key.
import { resolve } from 'node:path';
import { PROFILES, type Profile } from '../contract/openapi.ts';
import { isRuleId, type RuleId } from '../rules/catalogue.ts';
import { type ConfigFile, readConfigFile } from './config-file.ts';
import type { Env } from './environment.ts';
import { type Budget, DEFAULT_BUDGET, SettingsError, switchOf } from './variables.ts';

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
  /** The target has one bot in one region (CONFORMANCE_SINGLE_BOT): the rules that need more are out of scope. */
  singleBot: boolean;
}

export function readFlags(env: Env, config: ConfigFile | undefined = readConfigFile(env)?.config): RunFlags {
  const profile = env.CONFORMANCE_PROFILE?.trim() || config?.profile || 'default';
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new SettingsError(`CONFORMANCE_PROFILE must be one of ${PROFILES.join(', ')}; got '${profile}'`);
  }
  return {
    profile: profile as Profile,
    strict: switchOf(env.CONFORMANCE_STRICT) ?? config?.strict ?? false,
    stateless: switchOf(env.CONFORMANCE_STATELESS) ?? config?.stateless ?? false,
    singleBot: switchOf(env.CONFORMANCE_SINGLE_BOT) ?? config?.singleBot ?? false,
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

/** Where the reports go, relative to where the user runs the suite (Playwright would take them relative to the config). */
export function reportDir(env: Env, config: ConfigFile | undefined = readConfigFile(env)?.config): string {
  return resolve(env.CONFORMANCE_REPORT_DIR?.trim() || config?.reportDir || 'reports');
}

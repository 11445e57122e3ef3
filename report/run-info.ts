// What a run was pointed at, as its reports say it, read from the run's environment; a merge of
// other runs' reports has no run of its own, so nothing here may fail.
import type { RunInfo } from './report-model.ts';
import { type ConfigFile, readConfigFile } from '../settings/config-file.ts';
import type { Env } from '../settings/environment.ts';
import { type RunFlags, readFlags } from '../settings/run-flags.ts';
import { readInsecure, targetNames } from '../settings/targets.ts';

/** What a run was pointed at, for the reports (a merge of reports has no run of its own: its fields are empty). */
export function describeRun(env: Env): RunInfo {
  let flags: Pick<RunFlags, 'profile' | 'strict' | 'rules'> = { profile: 'default', strict: false };
  let targets: string[] = [];
  let config: ConfigFile | undefined;
  try {
    config = readConfigFile(env)?.config;
    flags = readFlags(env, config);
    targets = targetNames(env);
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
export function environmentTokens(env: Env): (string | undefined)[] {
  return [env.API_TOKEN, env.SECOND_API_TOKEN];
}

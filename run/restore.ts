// Puts back the bots' providers from the snapshot of a run that did not finish (killed, say), for
// each target of the run: `npm run restore` and the command line's `restore` call it.
import type { Env } from '../settings/environment.ts';
import { readTargets, type Settings } from '../settings/targets.ts';
import { SettingsError } from '../settings/variables.ts';
import { discardSnapshot, restoreCommand, restoreRefusal, restoreSnapshot } from './snapshot.ts';

/**
 * Restores every target of `env`'s run; the exit code: 0 done (or nothing to do), 1 not verified, 2
 * bad settings. `discard`: gives the snapshots up instead, writing nothing to the targets.
 */
export async function restoreTargets(env: Env, discard = false): Promise<number> {
  let targets: Settings[];
  try {
    targets = readTargets(env);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    console.error(`restore: ${e.message}`);
    return 2;
  }
  let failed = false;
  for (const settings of targets) {
    const refused = restoreRefusal(settings);
    if (refused) {
      console.error(`restore: not now: ${refused}`);
      failed = true;
      continue;
    }
    if (discard) {
      const path = discardSnapshot(settings);
      console.log(
        path
          ? `restore: gave up the snapshot of bot '${settings.bot.id}' on ${settings.targetUrl} (${path}) and its lock; nothing was written to the target.`
          : `restore: no snapshot or lock for bot '${settings.bot.id}' on ${settings.targetUrl}; nothing to give up.`,
      );
      continue;
    }
    const outcome = await restoreSnapshot(settings);
    if (!outcome) {
      console.log(
        `restore: no snapshot for bot '${settings.bot.id}' on ${settings.targetUrl}; nothing to do (a lock left by a run that is over is released).`,
      );
    } else if (outcome.verified) {
      console.log(
        `restore: the providers of bot '${settings.bot.id}'${settings.secondBot ? ` and '${settings.secondBot.id}'` : ''} on ${settings.targetUrl} are back, verified by GET; the snapshot is removed.`,
      );
    } else {
      console.error(
        `restore: not verified (${outcome.problem}). Left: ${outcome.left}, at ${outcome.path}. When the target can take them back, run ${restoreCommand(settings)}; if that bot's data does not matter, ${restoreCommand(settings, true)} gives it up.`,
      );
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

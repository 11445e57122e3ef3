// Puts back the bots' providers from the snapshot of a run that did not finish (killed, say), for
// each target of the run: `npm run restore` and the command line's `restore` call it.
import type { Env } from '../settings/environment.ts';
import { readTargets, type Settings } from '../settings/targets.ts';
import { SettingsError } from '../settings/variables.ts';
import { restoreRefusal, restoreSnapshot } from './snapshot.ts';

/** Restores every target of `env`'s run; the exit code: 0 done (or nothing to do), 1 not verified, 2 bad settings. */
export async function restoreTargets(env: Env): Promise<number> {
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
    const outcome = await restoreSnapshot(settings);
    if (!outcome) {
      console.log(`restore: no snapshot for bot '${settings.bot.id}' on ${settings.targetUrl}; nothing to do.`);
    } else if (outcome.verified) {
      console.log(
        `restore: the providers of bot '${settings.bot.id}'${settings.secondBot ? ` and '${settings.secondBot.id}'` : ''} on ${settings.targetUrl} are back, verified by GET; the snapshot is removed.`,
      );
    } else {
      console.error(`restore: not verified (${outcome.problem}); the snapshot stays at ${outcome.path}.`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

// npm run restore: puts back the bots' providers from the snapshot of a run that did not finish
// (killed, say), for each target of the run. Reads the same environment (and .env, and the
// configuration file) as the run.
import { readTargets, SettingsError, type Settings } from './settings.ts';
import { restoreRefusal, restoreSnapshot } from './snapshot.ts';

let targets: Settings[];
try {
  targets = readTargets();
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  console.error(`restore: ${e.message}`);
  process.exit(2);
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
if (failed) process.exit(1);

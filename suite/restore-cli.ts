// npm run restore: puts back the bots' providers from the snapshot of a run that did not finish
// (killed, say). Reads the same environment (and .env) as the run.
import { readSettings, SettingsError } from './settings.ts';
import { restoreRefusal, restoreSnapshot } from './snapshot.ts';

process.env.CONFORMANCE_SEED ||= '0'; // not used by a restore, but part of the settings
let settings;
try {
  settings = readSettings();
} catch (e) {
  if (!(e instanceof SettingsError)) throw e;
  console.error(`restore: ${e.message}`);
  process.exit(2);
}
const refused = restoreRefusal(settings);
if (refused) {
  console.error(`restore: not now: ${refused}`);
  process.exit(1);
}
const outcome = await restoreSnapshot(settings);
if (!outcome) {
  console.log(`restore: no snapshot for bot '${settings.bot.id}' on ${settings.targetUrl}; nothing to do.`);
} else if (outcome.verified) {
  console.log(`restore: the providers of bot '${settings.bot.id}'${settings.secondBot ? ` and '${settings.secondBot.id}'` : ''} on ${settings.targetUrl} are back, verified by GET; the snapshot is removed.`);
} else {
  console.error(`restore: not verified (${outcome.problem}); the snapshot stays at ${outcome.path}.`);
  process.exit(1);
}

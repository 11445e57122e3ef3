// npm run restore: the restore of run/restore.ts, with the same environment (and .env, and the
// configuration file) as the run.
import { readEnvironment } from '../settings/environment.ts';
import { restoreTargets } from './restore.ts';

const args = process.argv.slice(2);
const unknown = args.find((a) => a !== '--discard');
if (unknown) {
  console.error(`restore: unknown flag ${unknown} (the only flag is --discard: give the snapshot up, writing nothing)`);
  process.exit(2);
}
process.exit(await restoreTargets(readEnvironment(), args.includes('--discard')));

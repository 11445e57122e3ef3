// npm run restore: the restore of suite/restore.ts, with the same environment (and .env, and the
// configuration file) as the run.
import { readEnvironment } from '../settings/environment.ts';
import { restoreTargets } from './restore.ts';

process.exit(await restoreTargets(readEnvironment()));

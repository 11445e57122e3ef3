// Runs the command line: the npx entry (bin/: the package on its compiled dist/, a clone on these
// sources through tsx), `npm run conformance` and `npm run reference` all start here.
import { main } from './conformance.ts';

await main(process.argv.slice(2));

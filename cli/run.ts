// Runs the command line: the npx entry (bin/, on the compiled dist/) and the GitHub Action (on
// these sources, through tsx) both start here.
import { main } from './conformance.ts';

await main(process.argv.slice(2));

// Which folder may import which (`npm run lint:imports`, part of `npm test`), written once: MAY_IMPORT
// below. Every rule is made from it, and it must have no cycle (checked when this file loads), so no
// two folders can ever import each other, however many modules lie between them.

/** Each folder and the folders its modules may import besides their own; a folder not listed imports none. */
const MAY_IMPORT = {
  // The contract and the rules: what the suite judges by. Nothing of the suite under them.
  contract: [],
  rules: ['contract'],
  relations: ['contract', 'rules'],
  // Pure: no I/O, what a body is and what a store keeps (the reference server runs on it too).
  model: ['contract', 'rules'],
  generation: ['contract', 'rules', 'relations', 'model'],
  // The run's configuration: read once, handed to the rest; it knows nothing of checks or reports.
  settings: ['contract', 'rules'],
  // The files a run's processes share in the state folder.
  state: ['rules', 'settings'],
  // Requests and their records: never what a run or a report does with them.
  client: ['contract', 'rules', 'relations', 'settings', 'state'],
  reference: ['contract', 'rules', 'model', 'settings'],
  // What a check asserts with.
  verdicts: ['contract', 'rules', 'client'],
  report: ['contract', 'rules', 'settings', 'state', 'client', 'verdicts'],
  // The runner's own work: global setup, lock and snapshot, restore, the embedded reference.
  run: ['contract', 'rules', 'settings', 'state', 'client', 'verdicts', 'report', 'reference'],
  driver: ['contract', 'rules', 'relations', 'model', 'generation', 'settings', 'state', 'client', 'verdicts'],
  fixtures: [
    ...['contract', 'rules', 'relations', 'model', 'generation', 'settings', 'state', 'client', 'verdicts'],
    ...['report', 'driver'],
  ],
  // The bodies of checks that share a technique (broken bodies, name families, the schema searches…),
  // which the section spec files call: every check of a rule stays in its section's file.
  checks: [
    ...['contract', 'rules', 'relations', 'model', 'generation', 'settings', 'state', 'client', 'verdicts'],
    ...['report', 'driver', 'fixtures'],
  ],
  tests: [
    ...['contract', 'rules', 'relations', 'model', 'generation', 'settings', 'state', 'client', 'verdicts'],
    ...['report', 'driver', 'fixtures', 'checks'],
  ],
  // Servers of the self-tests and the command line's demos.
  faulty: ['contract', 'rules', 'relations', 'model', 'client', 'reference'],
  mock: ['contract', 'settings'],
  cli: ['contract', 'rules', 'settings', 'client', 'reference', 'faulty', 'run'],
  // The Playwright configurations at the root (playwright.config.ts, merge.config.ts).
  '.': ['rules', 'settings', 'report', 'run'],
  // The project's own tooling: the suite never imports it, and no self-test imports a spec of the suite.
  tools: ['contract', 'rules', 'relations', 'report', 'faulty', 'fixtures'],
  selftest: [
    ...['contract', 'rules', 'relations', 'model', 'generation', 'settings', 'state', 'client', 'verdicts'],
    ...['report', 'run', 'reference', 'driver', 'fixtures', 'checks', 'faulty', 'mock', 'cli', 'tools'],
  ],
  bench: ['client', 'faulty', 'mock', 'reference', 'selftest', 'tools'],
};

/** Throws when a folder reaches itself through MAY_IMPORT: the table would allow a cycle between folders. */
function assertNoCycle(table) {
  const done = new Set();
  const visit = (folder, path) => {
    if (path.includes(folder)) throw new Error(`.dependency-cruiser.cjs: folders in a cycle: ${[...path, folder].join(' → ')}`);
    if (done.has(folder)) return;
    for (const next of table[folder] ?? []) visit(next, [...path, folder]);
    done.add(folder);
  };
  for (const folder of Object.keys(table)) visit(folder, []);
}
assertNoCycle(MAY_IMPORT);

const FOLDERS = Object.keys(MAY_IMPORT).filter((f) => f !== '.');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A module of the folder (`.`: a file at the root). */
const inFolder = (folder) => (folder === '.' ? '^[^/]+$' : `^${escape(folder)}/`);

module.exports = {
  forbidden: [
    ...Object.entries(MAY_IMPORT).map(([folder, allowed]) => ({
      name: `layer-${folder === '.' ? 'root' : folder}`,
      comment: `${folder}/ may import ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'nothing of the project'} (MAY_IMPORT).`,
      severity: 'error',
      from: { path: inFolder(folder) },
      to: {
        path: `^(${FOLDERS.map(escape).join('|')})/`,
        pathNot: [inFolder(folder), ...allowed.filter((a) => a !== '.').map(inFolder)],
      },
    })),
    {
      name: 'no-circular',
      comment: 'Modules that import each other, however indirectly: a cycle hides which one is the base.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a type of report/ in client/ ties the two all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|reports|naive|\.stryker-tmp|\.cache|\.conformance)/' },
  },
};

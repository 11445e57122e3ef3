// The package's other commands: `serve` (the reference server, or a faulty one, for implementers
// comparing behaviour and client developers testing against a fake) and `rules` (the catalogue).
import { PROFILES } from '../contract/openapi.ts';
import { FAULTS } from '../faulty/catalogue.ts';
import { ODDBALLS } from '../faulty/oddballs.ts';
import { answeringAll, BLANKET } from '../faulty/blanket.ts';
import { ReferenceApp, type AppClass } from '../reference/app.ts';
import { runServer, USAGE as REFERENCE_USAGE } from '../reference/cli.ts';
import { RULES } from '../rules/catalogue.ts';
import { parsedArgs, UsageError } from '../settings/command-line.ts';
import { nearest } from '../settings/typos.ts';

const COMMAND = 'whatsapp-media-provider-conformance';

export const SERVE_USAGE = `${REFERENCE_USAGE.replace('Usage: npm run reference -- [options]', `Usage: ${COMMAND} serve [options]`)}

  --fault ID        serve a faulty variant instead (one change that breaks one rule), to see what a
                    failure looks like; --fault list names them all

A stateful fake of the API on 127.0.0.1: what the suite judges every server against.`;

/** `serve`: the reference server's own command line, plus --fault. */
export async function serve(argv: string[]): Promise<void> {
  const at = argv.findIndex((a) => a === '--fault' || a.startsWith('--fault='));
  const id = at < 0 ? undefined : argv[at].includes('=') ? argv[at].slice('--fault='.length) : argv[at + 1];
  const rest = at < 0 ? argv : argv.filter((_, i) => i !== at && (argv[at].includes('=') || i !== at + 1));
  if (at >= 0 && !id) throw new UsageError('--fault needs a fault id (--fault list names them)');
  if (id === 'list') {
    for (const f of [...FAULTS].sort((a, b) => a.id.localeCompare(b.id)))
      console.log(`${f.id.padEnd(34)} ${f.rule.padEnd(30)} ${f.sentence}`);
    // Not the API at all: what a run must stop on, or decide nothing on.
    for (const [name, answer] of Object.entries(BLANKET))
      console.log(
        `${name.padEnd(34)} ${'(every rule)'.padEnd(30)} Answers ${answer.status} ${JSON.stringify(answer.body)} to every request.`,
      );
    return;
  }
  const variants = new Map<string, AppClass>([
    ...FAULTS.map((f) => [f.id, f.App] as const),
    ...ODDBALLS.map((o) => [o.id, o.App] as const),
    ...Object.entries(BLANKET).map(([name, answer]) => [name, answeringAll(answer)] as const),
  ]);
  if (id && !variants.has(id)) {
    const guess = nearest(id, [...variants.keys()]);
    throw new UsageError(
      `--fault: no faulty server is called '${id}'${guess ? `; did you mean ${guess}?` : ''} (--fault list names them)`,
    );
  }
  const App = id ? variants.get(id)! : ReferenceApp;
  await runServer(rest, (options) => new App(options), SERVE_USAGE);
}

/** `rules`: the catalogue, as a table or (--json) as data. */
export function rules(argv: string[]): void {
  const { values } = parsedArgs(
    {
      args: argv,
      options: { json: { type: 'boolean' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    },
    ['--json', '--profile', '--help'],
  );
  if (values.help) {
    console.log(
      `Usage: ${COMMAND} rules [--json] [--profile ${PROFILES.join('|')}]\n\nThe rules the suite holds a server to: id, level (MUST fails a run, SHOULD warns), what it says, the vendor page's section.`,
    );
    return;
  }
  if (values.profile && !(PROFILES as readonly string[]).includes(values.profile))
    throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}; got '${values.profile}'`);
  const chosen = RULES.filter(
    (r) => !values.profile || r.profiles.includes(values.profile as (typeof PROFILES)[number]),
  );
  if (values.json) {
    console.log(
      JSON.stringify(
        chosen.map((r) => ({ id: r.id, level: r.level, title: r.title, doc: r.doc, profiles: r.profiles })),
        null,
        2,
      ),
    );
    return;
  }
  for (const r of chosen) console.log(`${r.id.padEnd(32)} ${r.level.padEnd(6)} ${r.title} (§ ${r.doc})`);
}

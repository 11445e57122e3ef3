// The npx entry, as an implementer gets it: `npm pack`, an install of the tarball into a scratch
// folder, and the installed command run there against reference servers on loopback.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { FLAGS } from '../settings/flags.ts';
import { faultOf } from '../faulty/catalogue.ts';
import { rulesFor } from '../rules/catalogue.ts';
import type { ConformanceReport } from '../report/report-model.ts';
import { ROOT, cleanEnv, registryEnv } from './support/run-suite.ts';
import { startTarget } from './support/servers.ts';
import { packageTarball } from './support/package-tarball.ts';
import { scratchDir } from './support/scratch.ts';

test.describe.configure({ mode: 'serial' });

let scratch: string;
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, env: registryEnv({}), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  scratch = scratchDir('npx');
  npm(['init', '-y'], scratch);
  npm(['install', '--no-audit', '--no-fund', packageTarball()], scratch);
});

function npx(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn('npx', ['--no-install', 'whatsapp-media-provider-conformance', ...args], {
    cwd: scratch,
    env: cleanEnv(env),
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

test('the package ships the suite compiled, with the merge config CI pipelines use', () => {
  const installed = join(scratch, 'node_modules/whatsapp-media-provider-conformance');
  for (const file of [
    'dist/playwright.config.js',
    'dist/merge.config.js',
    'dist/openapi/media-provider.yaml',
    'bin/conformance.js',
  ])
    expect(existsSync(join(installed, file)), file).toBe(true);
});

// `npm run test:package` runs these tests on every Node line with the line's binary first on PATH, and
// names the line in NODE_LINE: each Node process of a command's run (npx, the installed command) says which
// Node it is, and every one must be the line's, as this worker must.
test('the installed command runs on the Node first on PATH, the Node line under test', async () => {
  const probe = join(scratch, 'node-probe.mjs');
  writeFileSync(
    probe,
    "process.stderr.write(['node-probe', process.versions.node, process.argv[1]].join(' ') + '\\n');\n",
  );
  const { code, output } = await npx(['--version'], { NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` });
  expect(code, output).toBe(0);
  const expected = process.env.NODE_LINE ?? process.versions.node;
  expect(process.versions.node).toBe(expected);
  const probed = [...output.matchAll(/^node-probe (\S+) (\S+)$/gm)].map(([, version, main]) => ({ version, main }));
  expect(
    probed.find((p) => p.main.endsWith('/whatsapp-media-provider-conformance')),
    output,
  ).toEqual({
    version: expected,
    main: expect.stringContaining(scratch),
  });
  expect(
    probed.every((p) => p.version === expected),
    output,
  ).toBe(true);
});

test('--help documents every flag with its environment variable', async () => {
  const { code, output } = await npx(['--help']);
  expect(code).toBe(0);
  for (const flag of FLAGS) {
    expect(output).toContain(`--${flag.name}`);
    expect(output).toContain(`env: ${flag.variable}`);
  }
});

test("--version prints the installed package's version", async () => {
  const { code, output } = await npx(['--version']);
  expect(code).toBe(0);
  expect(output.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

// Every value is checked before anything starts: no reference server, no report written.
for (const [args, named] of [
  [['--colour'], '--colour'],
  [['--target', 'ftp://x'], '--target'],
  [['--profile', '1999'], '--profile'],
  [['--target', 'http://127.0.0.1:9'], '--bot-id'],
  [['--budget', 'lots'], '--budget'],
  [['--workers', '0'], '--workers'],
  [['--seed', '1234567890123456'], '--seed'],
  [['--timeout-ms', '50'], '--timeout-ms'],
  [['--rule', 'AUTH-WRONG-TOKN'], '--rule'],
  [['--header', 'Authorization: Bearer x'], '--header'],
  [['--client-pfx', '/nonexistent/client.p12'], '--client-pfx'],
] as const) {
  test(`a bad command line (${args.join(' ')}) exits 2 with one line naming ${named}, before any report`, async () => {
    const reportDir = join(scratch, `bad-${args.join('-').replace(/[^\w-]/g, '_')}`);
    const { code, output } = await npx([...args, '--report-dir', reportDir]);
    expect(code, output).toBe(2);
    expect(output).toContain(named);
    expect(output.trim().split('\n'), output).toHaveLength(1);
    expect(existsSync(reportDir)).toBe(false);
  });
}

test('an unknown flag gets one line with the nearest known flag; -h and -V work', async () => {
  const typo = await npx(['--tagret', 'http://127.0.0.1:9']);
  expect(typo.code).toBe(2);
  expect(typo.output.trim()).toBe(
    'error: unknown flag --tagret; did you mean --target? (--help lists every command and flag)',
  );
  const [help, version] = [await npx(['-h']), await npx(['-V'])];
  expect([help.code, version.code]).toEqual([0, 0]);
  expect(help.output).toContain('Commands:');
  expect(version.output.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});

test('without a target the installed command judges its embedded reference server', async () => {
  const { code, output } = await npx([
    '--rule',
    'POST-VALID-200',
    '--budget',
    '0',
    '--report-dir',
    join(scratch, 'out-embedded'),
  ]);
  expect(code, output).toBe(0);
  expect(output).toMatch(/Conformance \(default profile\) of http:\/\/127\.0\.0\.1:\d+: PASSED/);
});

test('rules lists the catalogue, --json as data', async () => {
  const [table, json] = [await npx(['rules']), await npx(['rules', '--json', '--profile', 'default'])];
  expect(table.code).toBe(0);
  expect(table.output).toMatch(/^AUTH-WRONG-TOKEN +MUST +.+ \(§ .+\)$/m);
  const listed = JSON.parse(json.output) as { id: string; level: string }[];
  expect(listed.map((r) => r.id)).toEqual(rulesFor('default').map((r) => r.id));
});

test('serve starts the reference server (or a faulty one) that the suite then judges: exit 0 passed, 1 failed, 3 incomplete, 4 aborted', async () => {
  const started = async (args: string[]) => {
    // A process group of its own: npx runs the command as a child of its own, which a signal to npx alone
    // left listening after the test (found running hours later).
    const child = spawn(
      'npx',
      ['--no-install', 'whatsapp-media-provider-conformance', 'serve', '--port', '0', '--quiet', ...args],
      { cwd: scratch, env: cleanEnv({}), detached: true },
    );
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (d) => {
        const m = /listening on (\S+)/.exec(String(d));
        if (m) resolve(m[1]);
      }),
    );
    return { url, stop: () => process.kill(-child.pid!, 'SIGTERM') };
  };
  const good = await started(['--bots', 'bot-a:token-good-1']);
  const faulty = await started(['--bots', 'bot-a:token-bad-1', '--fault', faultOf('POST-VALID-200').id]);
  try {
    const judge = (url: string, token: string, rule: string) =>
      npx(
        [
          '--target',
          url,
          '--bot-id',
          'bot-a',
          '--rule',
          rule,
          '--budget',
          '0',
          '--report-dir',
          join(scratch, `out-${rule}-${token}`),
        ],
        { API_TOKEN: token },
      );
    const passed = await judge(good.url, 'token-good-1', 'POST-VALID-200');
    expect(passed.code, passed.output).toBe(0);
    const failed = await judge(faulty.url, 'token-bad-1', 'POST-VALID-200');
    expect(failed.code, failed.output).toBe(1);
    // No second bot given: the rule that needs one stays undecided.
    const incomplete = await judge(good.url, 'token-good-1', 'AUTH-OTHER-BOT');
    expect(incomplete.code, incomplete.output).toBe(3);
    const aborted = await judge(good.url, 'token-wrong-1', 'POST-VALID-200');
    expect(aborted.code, aborted.output).toBe(4);
    // A base URL one path segment off is a wrong setting, found by asking it: exit 2, naming the URL.
    const wrongUrl = await judge(`${good.url}/api`, 'token-good-1', 'POST-VALID-200');
    expect(wrongUrl.code, wrongUrl.output).toBe(2);
    expect(wrongUrl.output).toContain(`${good.url}/api does not serve the media-provider API`);
    for (const [run, outcome] of [
      [passed, 'passed'],
      [failed, 'failed'],
      [incomplete, 'incomplete'],
      [aborted, 'aborted'],
    ] as const)
      expect(run.output).toContain(`: ${outcome.toUpperCase()}`);
  } finally {
    good.stop();
    faulty.stop();
  }
});

test('--restore with nothing to restore says so and exits 0', async () => {
  const { code, output } = await npx(
    ['--restore', '--target', 'http://127.0.0.1:9', '--bot-id', 'b', '--token', 'restore-token'],
    { CONFORMANCE_STATE_DIR: scratchDir('state') },
  );
  expect(code, output).toBe(0);
  expect(output).toContain('nothing to do');
  const discard = await npx(
    ['restore', '--discard', '--target', 'http://127.0.0.1:9', '--bot-id', 'b', '--token', 'restore-token'],
    { CONFORMANCE_STATE_DIR: scratchDir('state') },
  );
  expect(discard.code, discard.output).toBe(0);
  expect(discard.output).toContain('nothing to give up');
});

for (const profile of ['default', '2020-03-10'] as const) {
  test(`the installed command passes a reference server of the ${profile} profile, with every flag given`, async () => {
    const target = await startTarget(undefined, { profile });
    const { bots } = target;
    const reportDir = join(scratch, `out-${profile}`);
    const { code, output } = await npx([
      '--target',
      target.main.url,
      '--bot-id',
      bots.botA,
      '--token',
      bots.tokenA,
      '--second-bot',
      bots.botB,
      '--second-token',
      bots.tokenB,
      '--other-region-url',
      target.otherRegion.url,
      '--profile',
      profile,
      '--report-dir',
      reportDir,
      '--workers',
      '2',
      '--seed',
      '42',
    ]);
    await target.close();
    expect(code, output).toBe(0);
    expect(output).toMatch(/Conformance \(.*\) of http:\/\/127\.0\.0\.1:\d+: PASSED/);
    expect(output).not.toContain(bots.tokenA);
    const report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as ConformanceReport;
    expect(report).toMatchObject({
      profile,
      seed: 42,
      outcome: 'passed',
      counts: { failed: 0, warning: 0, skipped: 0 },
    });
  });
}

test("a failure under the installed command tells how to rerun it with the command's own flags, and writes its HAR", async () => {
  const target = await startTarget(faultOf('POST-VALID-200').App);
  const reportDir = join(scratch, 'out-failing');
  const { code, output } = await npx(
    [
      '--target',
      target.main.url,
      '--bot-id',
      target.bots.botA,
      '--rule',
      'POST-VALID-200',
      '--budget',
      '0',
      '--seed',
      '9',
      '--report-dir',
      reportDir,
    ],
    { API_TOKEN: target.bots.tokenA },
  );
  await target.close();
  expect(code, output).toBe(1);
  expect(output).toContain(
    "Reproduce: npx whatsapp-media-provider-conformance --seed 9 --rule POST-VALID-200 (with this run's target flags or --config; its tokens in API_TOKEN)",
  );
  expect(output).not.toContain('npx playwright test');
  expect(existsSync(join(reportDir, 'har', 'POST-VALID-200.har'))).toBe(true);
});

test('a configuration file: a misspelt key, a bad value and a YAML syntax error exit 2 with the key, the allowed values, the line and column', async () => {
  const dir = mkdtempSync(join(scratch, 'config-'));
  const json = join(dir, 'conformance.config.json');
  writeFileSync(json, JSON.stringify({ stric: true, profile: '2099' }, null, 2));
  const typo = await npx(['--config', json]);
  expect(typo.code, typo.output).toBe(2);
  expect(typo.output).toContain('stric is not a setting (did you mean strict?)');
  expect(typo.output).toContain('profile must be one of "default", "2020-03-10"');
  const yaml = join(dir, 'conformance.config.yaml');
  writeFileSync(
    yaml,
    'strict: true\nprofile: default\ntargets:\n  - name: eu\n    url: http://127.0.0.1:9\n   bot: { id: b, tokenEnv: T }\n',
  );
  const broken = await npx(['--config', yaml]);
  expect(broken.code, broken.output).toBe(2);
  expect(broken.output).toMatch(new RegExp(`${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+: not YAML: `));
});

test('every setting has a configuration key, and a target may leave rules out on its own (skipRules, singleBot) or be judged on some only (rules)', async () => {
  const target = await startTarget();
  const narrowed = await startTarget();
  const single = await startTarget();
  const dir = mkdtempSync(join(scratch, 'config-'));
  const file = join(dir, 'conformance.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      $schema: './node_modules/whatsapp-media-provider-conformance/schemas/conformance.config.schema.json',
      rules: ['POST-VALID-200', 'AUTH-OTHER-REGION'],
      budget: 0,
      workers: 1,
      reportDir: join(dir, 'out'),
      seed: 5,
      strict: false,
      stateless: false,
      // No other region here: the target leaves the rule that needs one out, on purpose.
      targets: [
        {
          name: 'solo',
          url: target.main.url,
          bot: { id: target.bots.botA, tokenEnv: 'SOLO_TOKEN' },
          skipRules: ['AUTH-OTHER-REGION'],
        },
        {
          name: 'narrowed',
          url: narrowed.main.url,
          otherRegionUrl: narrowed.otherRegion.url,
          bot: { id: narrowed.bots.botA, tokenEnv: 'NARROWED_TOKEN' },
          rules: ['POST-VALID-200'],
        },
        {
          name: 'single',
          url: single.main.url,
          bot: { id: single.bots.botA, tokenEnv: 'SINGLE_TOKEN' },
          singleBot: true,
        },
      ],
    }),
  );
  const { code, output } = await npx(['--config', file], {
    SOLO_TOKEN: target.bots.tokenA,
    NARROWED_TOKEN: narrowed.bots.tokenA,
    SINGLE_TOKEN: single.bots.tokenA,
  });
  await Promise.all([target.close(), narrowed.close(), single.close()]);
  expect(code, output).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'out', 'conformance.json'), 'utf8')) as ConformanceReport;
  expect(report).toMatchObject({ outcome: 'passed', seed: 5 });
  const [solo, only] = ['solo', 'narrowed'].map((name) => report.targets.find((t) => t.name === name)!);
  expect(solo).toMatchObject({ outcome: 'passed', selectedRules: ['POST-VALID-200', 'AUTH-OTHER-REGION'] });
  expect(solo.rules.find((r) => r.id === 'AUTH-OTHER-REGION')).toMatchObject({
    status: 'skipped',
    excluded: true,
    reason: "left out for target 'solo' by its skipRules",
  });
  expect(solo.rules.find((r) => r.id === 'POST-VALID-200')?.status).toBe('passed');
  // The run keeps AUTH-OTHER-REGION, and this target has another region; its own rules leave it out all the same.
  expect(only.outcome).toBe('passed');
  expect(only.rules.find((r) => r.id === 'AUTH-OTHER-REGION')).toMatchObject({
    status: 'skipped',
    excluded: true,
    reason: "left out for target 'narrowed', judged on its rules only (POST-VALID-200)",
  });
  expect(only.rules.find((r) => r.id === 'POST-VALID-200')?.status).toBe('passed');
  // A target of one bot in one region says so once: the rule that needs another region is left out, named.
  const one = report.targets.find((t) => t.name === 'single')!;
  expect(one.outcome).toBe('passed');
  expect(one.rules.find((r) => r.id === 'AUTH-OTHER-REGION')).toMatchObject({
    status: 'skipped',
    excluded: true,
    reason:
      "left out: it needs another region, and the singleBot of target 'single' says the target has a single bot in one region",
  });
});

test('two shards, each with its progress, its verdict on its share and its own blob, merge into the verdict and counts of one unsharded run; merge exits with it', async () => {
  test.setTimeout(240_000);
  const target = await startTarget(faultOf('AUTH-MISSING').App);
  try {
    const state = scratchDir('state');
    const judge = (reports: string, extra: string[]) =>
      npx(['--budget', '3', '--seed', '11', '--report-dir', reports, ...extra], {
        ...target.env,
        CONFORMANCE_STATE_DIR: state,
      });
    const [wholeDir, mergedDir] = [scratchDir('whole'), scratchDir('merged')];
    const whole = await judge(wholeDir, []);
    expect(whole.code, whole.output.slice(-1500)).toBe(1);
    // Both shards write into one report folder, one after the other: neither blob replaces the other.
    const sharded = scratchDir('sharded');
    const shards = [await judge(sharded, ['--shard', '1/2']), await judge(sharded, ['--', '--shard', '2/2'])];
    for (const [i, shard] of shards.entries()) {
      expect(shard.output).toMatch(/^ {2}\[\d+\/\d+\] +(PASSED|FAILED|WARNING|SKIPPED) /m);
      expect(shard.output).toContain(`shard ${i + 1}/2`);
      expect([0, 1], shard.output.slice(-1500)).toContain(shard.code);
    }
    expect(shards.map((s) => s.code)).toContain(1); // the shard that holds the failing check fails
    const blobs = readdirSync(join(sharded, 'blob'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.zip'),
    );
    expect(blobs.sort()).toEqual([
      'conformance-target-shard-1-of-2/conformance-target-shard-1-of-2.zip',
      'conformance-target-shard-2-of-2/conformance-target-shard-2-of-2.zip',
    ]);
    // No run leaves its secret ledger behind.
    expect(readdirSync(state).filter((f) => f.startsWith('secrets-'))).toEqual([]);
    const merged = await npx(['merge', join(sharded, 'blob'), '--report-dir', mergedDir]);
    expect(merged.code, merged.output.slice(-1500)).toBe(whole.code);
    const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
    const [one, two] = [read(wholeDir), read(mergedDir)];
    expect(two.outcome).toBe(one.outcome);
    expect(two.counts).toEqual(one.counts);
    // The budgeted searches are the same; the work after failures is not: a shard whose generated checks
    // meet a rule whose hand-written check is in the other shard finds it broken itself, and shrinks it.
    const budgeted = ({ generated: g }: ConformanceReport) => [g?.checks, g?.runs, g?.requests, g?.replayed];
    expect(budgeted(two)).toEqual(budgeted(one));
    expect(one.generated?.runs).toBeGreaterThan(0);
    const statuses = (r: ConformanceReport) => Object.fromEntries(r.rules.map((x) => [x.id, x.status]));
    expect(statuses(two)).toEqual(statuses(one));
    expect(statuses(one)['AUTH-MISSING']).toBe('failed');
    // A folder without blobs is a usage error, named.
    const empty = await npx(['merge', scratchDir('no-blobs')]);
    expect(empty.code).toBe(2);
    expect(empty.output).toContain('no blob report (.zip) under');
  } finally {
    await target.close();
  }
});

test("one bot: the skip list an incomplete run suggests is complete (it keeps the run's own), and pasted it passes; --single-bot says the same once", async () => {
  test.setTimeout(120_000);
  const target = await startTarget();
  try {
    const judge = (extra: string[]) =>
      npx(['--target', target.main.url, '--bot-id', target.bots.botA, '--budget', '0', ...extra], {
        API_TOKEN: target.bots.tokenA,
        CONFORMANCE_STATE_DIR: scratchDir('state'),
        CONFORMANCE_REPORT_DIR: scratchDir('one-bot'),
      });
    const first = await judge(['--skip-rule', 'AUTH-OTHER-REGION']);
    expect(first.code, first.output.slice(-1500)).toBe(3);
    const suggested = /\(--skip-rule ([A-Z0-9,-]+)\)/.exec(first.output)?.[1];
    expect(suggested?.split(',').sort()).toEqual(['AUTH-OTHER-BOT', 'AUTH-OTHER-REGION', 'DELETE-THIS-BOT-ONLY']);
    expect(first.output).toContain('CONFORMANCE_SINGLE_BOT=1 (--single-bot)');
    const pasted = await judge(['--skip-rule', suggested!]);
    expect(pasted.code, pasted.output.slice(-1500)).toBe(0);
    const once = await judge(['--single-bot']);
    expect(once.code, once.output.slice(-1500)).toBe(0);
    expect(once.output).toMatch(
      /left out: [A-Z, -]*\bAUTH-OTHER-BOT\b[A-Z, -]* \(it needs a second bot, and CONFORMANCE_SINGLE_BOT says/,
    );
    // A single bot given a second one is a contradiction, named.
    const both = await judge(['--single-bot', '--second-bot', target.bots.botB, '--second-token', target.bots.tokenB]);
    expect(both.code).toBe(2);
    expect(both.output).toContain('--single-bot');
  } finally {
    await target.close();
  }
});

// The command line's flags, each with the variable it sets: one table, which --help prints, the
// command maps to the suite's environment, and a failure's Reproduce line speaks back.
import { readBudget, readRules } from './run-flags.ts';
import { readShard } from './run-plan.ts';
import { checkUrl } from './targets.ts';
import { checkHeaderFlag } from './extra-headers.ts';
import { SettingsError, type VARIABLES } from './variables.ts';
import { integerFlag, profileFlag, UsageError } from './command-line.ts';

export type Variable = keyof typeof VARIABLES;

export interface Flag {
  name: string;
  variable: Variable;
  value?: string;
  check?: (flag: string, text: string) => void;
  about?: string;
  /** Given once a value (--header A --header B): the values go to the variable one a line. */
  repeatable?: true;
}

/** A flag checked as the run will read its variable: a setting's error becomes a usage error. */
export const asUsage =
  (read: (text: string, flag: string) => unknown) =>
  (flag: string, text: string): void => {
    try {
      read(text, flag);
    } catch (e) {
      if (!(e instanceof SettingsError)) throw e;
      throw new UsageError(e.message);
    }
  };
const rules = asUsage(readRules);
const budget = asUsage(readBudget);
const url = asUsage((text, flag) => checkUrl(flag, text));

/** Every flag, with its environment-variable twin; --help prints this table. */
export const FLAGS: Flag[] = [
  { name: 'target', variable: 'TARGET_URL', value: 'URL', check: url },
  { name: 'bot-id', variable: 'BOT_ID', value: 'ID' },
  {
    name: 'token',
    variable: 'API_TOKEN',
    value: 'TOKEN',
    about: "that bot's API token (prefer the variable: a flag shows in `ps`)",
  },
  { name: 'second-bot', variable: 'SECOND_BOT_ID', value: 'ID' },
  { name: 'second-token', variable: 'SECOND_API_TOKEN', value: 'TOKEN' },
  { name: 'other-region-url', variable: 'OTHER_REGION_URL', value: 'URL', check: url },
  { name: 'profile', variable: 'CONFORMANCE_PROFILE', value: 'P', check: (f, t) => void profileFlag(f, t) },
  { name: 'strict', variable: 'CONFORMANCE_STRICT' },
  {
    name: 'seed',
    variable: 'CONFORMANCE_SEED',
    value: 'N',
    check: (f, t) => void integerFlag(f, t, Number.MAX_SAFE_INTEGER),
  },
  {
    name: 'rule',
    variable: 'CONFORMANCE_RULES',
    value: 'ID[,ID]',
    about: 'only the checks of these rules (the Reproduce line of a failure names one)',
    check: rules,
  },
  {
    name: 'skip-rule',
    variable: 'CONFORMANCE_SKIP_RULES',
    value: 'ID[,ID]',
    about: 'leave these rules out on purpose (a run passes only when every MUST rule it keeps was decided)',
    check: rules,
  },
  {
    name: 'budget',
    variable: 'CONFORMANCE_BUDGET',
    value: 'B',
    about: "what each generated check may spend: runs ('25'), time ('90s', '5m'), or 0 for none",
    check: budget,
  },
  {
    name: 'timeout-ms',
    variable: 'CONFORMANCE_TIMEOUT_MS',
    value: 'N',
    check: (f, t) => void integerFlag(f, t, 600_000),
  },
  { name: 'ca-file', variable: 'CONFORMANCE_CA_FILE', value: 'FILE' },
  { name: 'insecure', variable: 'CONFORMANCE_INSECURE' },
  {
    name: 'single-bot',
    variable: 'CONFORMANCE_SINGLE_BOT',
    about: 'the target has one bot in one region: the rules that need more are left out, named',
  },
  {
    name: 'client-cert',
    variable: 'CONFORMANCE_CLIENT_CERT',
    value: 'FILE',
    about: 'a PEM client certificate for a target that wants mutual TLS (with --client-key)',
  },
  {
    name: 'client-key',
    variable: 'CONFORMANCE_CLIENT_KEY',
    value: 'FILE',
    about: "its PEM private key (an encrypted one's passphrase in CONFORMANCE_CLIENT_KEY_PASSPHRASE, never a flag)",
  },
  {
    name: 'client-pfx',
    variable: 'CONFORMANCE_CLIENT_PFX',
    value: 'FILE',
    about: 'a PKCS#12 file of client certificate and key instead (passphrase: CONFORMANCE_CLIENT_KEY_PASSPHRASE)',
  },
  {
    name: 'header',
    variable: 'CONFORMANCE_HEADERS',
    value: "'NAME: VALUE'",
    repeatable: true,
    about:
      "a header every request carries (an API gateway's), repeatable; 'NAME: env:VAR' reads the value from VAR and keeps it secret",
    check: asUsage((text, flag) => checkHeaderFlag(flag, text)),
  },
  { name: 'stateless', variable: 'CONFORMANCE_STATELESS' },
  { name: 'report-dir', variable: 'CONFORMANCE_REPORT_DIR', value: 'DIR' },
  {
    name: 'shard',
    variable: 'CONFORMANCE_SHARD',
    value: 'I/N',
    about: 'run shard I of N: its checks, its verdict on them, and a blob report for the merge command',
    check: asUsage((text, flag) => readShard(text, flag)),
  },
  { name: 'workers', variable: 'CONFORMANCE_WORKERS', value: 'N', check: (f, t) => void integerFlag(f, t, 64) },
  {
    name: 'config',
    variable: 'CONFORMANCE_CONFIG',
    value: 'FILE',
    about: 'a configuration file of targets (several in one run) and settings; tokens by variable name',
  },
];

/** The flag that sets `variable`, as a Reproduce line names it. */
export function flagOf(variable: Variable): string {
  const flag = FLAGS.find((f) => f.variable === variable);
  if (!flag) throw new Error(`no flag sets ${variable}`);
  return `--${flag.name}`;
}

// Snapshot and restore of the bots a run writes to, under a lock: one run per target and bot at a
// time. The lock, the snapshot and the run's secret ledger are kept outside reports/, readable by the
// user only; the snapshot stays until a GET has verified the restore (the restore command replays it).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { contractFor } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { ProviderApi } from '../client/api.ts';
import { NetworkError, withoutCredentials, type Exchange } from '../client/http.ts';
import { Secrets } from '../client/redaction.ts';
import { secretsOf } from '../client/credentials.ts';
import { botsOf, type Bot, type Settings } from '../settings/targets.ts';
import { transportFor } from '../client/transport.ts';
import { ledgerPath, lockPath, snapshotPath, type StatePlace } from '../state/paths.ts';
import { noteUnwritable } from '../state/unwritable.ts';
import { firstDifference } from '../verdicts/difference.ts';
import { clip } from '../report/decide.ts';
import { masksEverySecret, namedArray } from '../verdicts/provider-list.ts';

export interface Snapshot {
  targetUrl: string;
  profile: Settings['profile'];
  takenAt: string;
  bots: { id: string; providers: Provider[] }[];
}

/** Stops the run before any test, with one message. */
export class PreflightError extends Error {}

/** A setting is wrong, found by asking the target (TARGET_URL that does not serve the API): the run stops as a usage error does. */
export class WrongSettingError extends PreflightError {}

/** Who holds a target's bot: written atomically when a run starts, removed once its restore is verified. */
export interface Lock {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  target: string;
  bot: string;
  /** Written when the run's restore could not be verified: why, so that the next run says so, not that it died. */
  unverified?: string;
}

function clientFor(settings: Settings, bot: Bot, label: 'snapshot' | 'restore'): ProviderApi {
  return new ProviderApi(
    settings.targetUrl,
    bot,
    contractFor(settings.profile),
    new Secrets(),
    settings.requestTimeoutMs,
    [],
    label,
    transportFor(settings),
  );
}

function readLock(settings: StatePlace): Lock | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(settings), 'utf8')) as Lock;
  } catch {
    return undefined;
  }
}

/** Alive, dead, or on another host (where this machine cannot tell). */
export function holderState(lock: Lock): 'alive' | 'dead' | 'elsewhere' {
  if (lock.host !== hostname()) return 'elsewhere';
  try {
    process.kill(lock.pid, 0);
    return 'alive';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
}

/** The restore command in the form the run was launched: the package's command line, or the repository's npm script. */
export function restoreCommand(settings: Pick<Settings, 'launchedByCli'>, discard = false): string {
  return settings.launchedByCli
    ? `\`npx whatsapp-media-provider-conformance restore${discard ? ' --discard' : ''}\` (with this run's target flags or --config)`
    : `\`npm run restore${discard ? ' -- --discard' : ''}\` (with this run's environment)`;
}

/** What a run that finds a bot held must do about it: restore, or give the snapshot up. */
const recovery = (settings: Settings) =>
  `Run ${restoreCommand(settings)} first; if that bot's data does not matter, ${restoreCommand(settings, true)} gives the snapshot up.`;

const describeHolder = (lock: Lock) => `run ${lock.runId} (pid ${lock.pid} on ${lock.host}, started ${lock.startedAt})`;

/** Why a run may not start on this bot now, or undefined when the bot is free. */
function refusal(settings: Settings, lock: Lock | undefined): string | undefined {
  const snapshot = snapshotPath(settings);
  const hasSnapshot = existsSync(snapshot);
  if (lock) {
    const state = holderState(lock);
    if (state === 'alive')
      return `another ${describeHolder(lock)} is testing bot '${settings.bot.id}' on ${settings.targetUrl} right now. Runs against one bot take turns: wait for it to end (its restore needs the bot to itself).`;
    if (state === 'elsewhere')
      return `${describeHolder(lock)} holds bot '${settings.bot.id}' on ${settings.targetUrl} (lock ${lockPath(settings)}). If that run is over, run ${restoreCommand(settings)}${hasSnapshot ? ' to put back its snapshot' : ' to release it'}.`;
    if (hasSnapshot && lock.unverified)
      return `${describeHolder(lock)} ended, but its restore could not be verified (${lock.unverified}); its snapshot is at ${snapshot}. ${recovery(settings)}`;
    if (hasSnapshot)
      return `${describeHolder(lock)} died before it verified its restore; its snapshot is at ${snapshot}. ${recovery(settings)}`;
    return undefined; // it died after its restore was verified: the lock is stale
  }
  if (hasSnapshot)
    return `an earlier run against ${settings.targetUrl} did not verify its restore; its snapshot is at ${snapshot}. ${recovery(settings)}`;
  return undefined;
}

/** A new run's id: it names the run in locks and its secret ledger. */
export const newRunId = () => randomBytes(8).toString('hex');

/** Takes the bot for this run, atomically: of two runs started at once, one gets it and the other is refused. */
function acquire(settings: Settings, runId: string): Lock {
  mkdirSync(settings.stateDir, { recursive: true, mode: 0o700 });
  const lock: Lock = {
    runId,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    target: settings.targetUrl,
    bot: settings.bot.id,
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath(settings), JSON.stringify(lock, null, 2), { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(settings);
      const why = refusal(settings, held);
      if (why) throw new PreflightError(why);
      rmSync(lockPath(settings), { force: true }); // stale: its run died with nothing left to restore
      continue;
    }
    const why = refusal(settings, undefined);
    if (why) {
      rmSync(lockPath(settings));
      throw new PreflightError(why);
    }
    return lock;
  }
  throw new PreflightError(`cannot take the lock ${lockPath(settings)}: another run took it at the same moment`);
}

/** Why the first request got no answer, in words that say what to do about it. */
function unreachable(settings: Settings, url: string, e: unknown): string {
  if (!(e instanceof NetworkError))
    return `cannot reach the target at ${settings.targetUrl} (GET ${url}: ${(e as Error).message}). Is it running, and is TARGET_URL right?`;
  const { detail } = e;
  switch (e.kind) {
    case 'certificate':
      return `the TLS check of the target at ${settings.targetUrl} failed: ${detail}. If it uses a private CA, trust that CA: --ca-file FILE (CONFORMANCE_CA_FILE) or NODE_EXTRA_CA_CERTS=FILE; --insecure (CONFORMANCE_INSECURE=1) skips the check, and every report then says so.`;
    case 'client-certificate':
      return `the TLS handshake with the target at ${settings.targetUrl} failed: ${detail}. Give the client certificate the target expects: --client-cert FILE --client-key FILE (CONFORMANCE_CLIENT_CERT, CONFORMANCE_CLIENT_KEY) or --client-pfx FILE (CONFORMANCE_CLIENT_PFX), a passphrase in CONFORMANCE_CLIENT_KEY_PASSPHRASE.`;
    case 'host-not-found':
      return `cannot reach the target at ${settings.targetUrl}: ${detail}. Is TARGET_URL's host spelt right, and does this machine's DNS know it?`;
    case 'not-http':
      return `the target at ${settings.targetUrl} does not answer in HTTP the suite can read (GET ${url}): ${detail}. Is TARGET_URL's scheme right (http or https), and its port that of the API?`;
    case 'proxy':
      return `cannot reach the target at ${settings.targetUrl}: ${detail}. Check HTTPS_PROXY / HTTP_PROXY, or list the target in NO_PROXY.`;
    default: {
      const proxy = transportFor(settings).proxyOf(new URL(url));
      return `cannot reach the target at ${settings.targetUrl} (GET ${url}: ${e.kind}${proxy ? `, through the proxy ${withoutCredentials(proxy)}` : ''}). Is it running, and is TARGET_URL right?`;
    }
  }
}

/**
 * Why an answer says the URL is not the API: a 404 or 405, a redirect (to a login, say), or an HTML
 * page. Undefined when it could be the API's.
 */
function notTheApi(x: Exchange): string | undefined {
  const { status, headers, text } = x.received;
  if (status === 404 || status === 405) return String(status);
  if (status >= 300 && status < 400)
    return `a redirect (${status}${headers.location ? ` to ${String(headers.location).slice(0, 200)}` : ''})`;
  if (/html/i.test(String(headers['content-type'] ?? '')) || /^\s*<(!doctype|html)/i.test(text))
    return `an HTML page (${status})`;
  return undefined;
}

/** What the list read for the snapshot gave: the entries of a 200 list, or why the run may write nothing. */
type Read = { providers: Provider[] } | { unwritable: string };

/**
 * Reads a bot's list for the snapshot. A URL that is not the API stops the run as a wrong setting;
 * anything else but a readable list stops it too, except a 404 list on a URL that does serve the API
 * (it answers 401 without credentials): a GET-EMPTY-200 failure for the checks to report, in a run
 * that writes nothing, since it could not know what to put back. `probe`: ask without credentials
 * first (once a target: its first bot).
 */
async function readForSnapshot(settings: Settings, bot: Bot, probe: boolean): Promise<Read> {
  const api = clientFor(settings, bot, 'snapshot');
  let answer: Exchange;
  let anonymous: Exchange | undefined;
  try {
    // At once: a distant target is waited for once, not twice.
    [anonymous, answer] = await Promise.all([probe ? api.list({ authorization: null }) : undefined, api.list()]);
  } catch (e) {
    throw new PreflightError(unreachable(settings, api.listUrl(), e));
  }
  const status = answer.received.status;
  const proxy = transportFor(settings).proxyOf(new URL(api.listUrl()));
  if (status === 407 && proxy) {
    throw new PreflightError(
      `the proxy ${withoutCredentials(proxy)} wants credentials (407 Proxy Authentication Required): put them in the proxy's URL (HTTPS_PROXY=http://user:password@host:port), or list the target in NO_PROXY.`,
    );
  }
  const without = anonymous && notTheApi(anonymous);
  const withToken = notTheApi(answer);
  if (without && withToken)
    throw new WrongSettingError(
      `${settings.targetUrl} does not serve the media-provider API: GET ${api.listUrl()} answered ${without} without credentials and ${withToken} with bot '${bot.id}''s token, where the API answers 401 without them. Check TARGET_URL: its scheme, host, port and path prefix.`,
    );
  if (status === 401 || status === 403) {
    throw new PreflightError(
      `the target refuses the credentials of bot '${bot.id}' (a plain GET got ${status}). Check ${bot === settings.bot ? 'BOT_ID and API_TOKEN' : 'SECOND_BOT_ID and SECOND_API_TOKEN'}, and that the bot resides in the region of ${settings.targetUrl}.`,
    );
  }
  if (status === 404)
    return {
      unwritable: `the run wrote nothing: GET of bot '${bot.id}''s list answered 404, so there was no list to snapshot and put back (GET-EMPTY-200)`,
    };
  try {
    if (status !== 200) throw new Error(`expected 200`);
    const providers = savedEntries(answer);
    if (masksEverySecret(providers))
      return {
        unwritable: `the run wrote nothing: GET of bot '${bot.id}''s list shows every secret masked (${MASKED_EXAMPLE}), so a snapshot of it could not put them back (GET-CONFIG-ROUNDTRIP)`,
      };
    return { providers };
  } catch (e) {
    throw new PreflightError(
      `cannot read bot '${bot.id}''s providers to snapshot them (GET answered ${status}: ${(e as Error).message}). The run writes nothing it cannot restore, so it stops here.`,
    );
  }
}

const MASKED_EXAMPLE = '****';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The entries a GET body lists, read leniently: a GET of the wrong shape (another nesting, entries
 * without type) is for the tests to report, not a reason to stop. Only entries that can be posted
 * back are taken; one without a name or a config stops the run, since it could not be restored.
 */
function savedEntries(x: Exchange): Provider[] {
  const body = x.received.json;
  if (!isObject(body)) throw new Error('the body is not a JSON object');
  const documented = (body as { settings?: { application?: { media?: { providers?: unknown } } } }).settings
    ?.application?.media?.providers;
  const list = Array.isArray(documented) ? documented : namedArray(body, 0);
  return (list ?? []).map((entry) => {
    if (!isObject(entry) || typeof entry.name !== 'string' || !isObject(entry.config))
      throw new Error('an entry without a name or a config cannot be restored');
    // docs/rules.md: `www` is the only type there is.
    return {
      name: entry.name,
      type: typeof entry.type === 'string' ? entry.type : 'www',
      config: entry.config,
    } as Provider;
  });
}

/**
 * Takes a target's lock for run `runId`, snapshots each of its configured bots' lists, and adds the
 * snapshot's secrets to the run's ledger. Anything amiss stops the run with one message. A list
 * that could not be read (a 404 on a URL that is the API) leaves no snapshot: the run's checks then
 * write nothing to the target (state/unwritable.ts), and its lock goes at the end.
 */
export async function takeSnapshot(settings: Settings, runId: string): Promise<void> {
  acquire(settings, runId);
  try {
    const bots = [];
    // Every bot's list read at once, then each taken in turn: what the first bot's read says comes first.
    const all = botsOf(settings);
    const reads = await Promise.allSettled(all.map((bot) => readForSnapshot(settings, bot, bot === settings.bot)));
    for (const [i, bot] of all.entries()) {
      const outcome = reads[i];
      if (outcome.status === 'rejected') throw outcome.reason;
      const read = outcome.value;
      if ('unwritable' in read) {
        noteUnwritable(settings, runId, read.unwritable);
        return;
      }
      bots.push({ id: bot.id, providers: read.providers });
    }
    const snapshot: Snapshot = {
      targetUrl: settings.targetUrl,
      profile: settings.profile,
      takenAt: new Date().toISOString(),
      bots,
    };
    // Whole or not at all: a run killed while writing it leaves no half snapshot, and had written nothing yet.
    const path = snapshotPath(settings);
    const temporary = `${path}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify(snapshot, null, 2), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
    new Secrets(ledgerPath(settings, runId)).collectServed(snapshot);
  } catch (e) {
    rmSync(lockPath(settings), { force: true }); // nothing was written to the target: the bot is free again
    throw e;
  }
}

/** Gives a target back before anything was written to it (another target of the run could not start). */
export function releaseUnwritten(settings: Settings): void {
  rmSync(snapshotPath(settings), { force: true });
  rmSync(lockPath(settings), { force: true });
}

/**
 * Whether `npm run restore` may replay the snapshot: never while the run that took it is alive
 * (the restore would clobber it); a dead run's or an unlocked snapshot is fair game.
 */
export function restoreRefusal(settings: Settings): string | undefined {
  const lock = readLock(settings);
  if (lock && holderState(lock) === 'alive')
    return `${describeHolder(lock)} is still testing bot '${settings.bot.id}'; it restores the bot itself when it ends. Restore only a run that died.`;
  return undefined;
}

export type RestoreOutcome =
  | { verified: true; path: string }
  | { verified: false; path: string; problem: string; left: string };

/** What a snapshot holds, without a secret: what a failed restore leaves for the next one. */
const describeSnapshot = (snapshot: Snapshot) =>
  snapshot.bots.map((b) => `bot '${b.id}': ${b.providers.length} provider(s)`).join(', ');

/** Lets go of a lock whose run is over (this one, or one that died): nothing of it is left to restore. */
function releaseOver(settings: Settings): void {
  const lock = readLock(settings);
  if (lock && (lock.runId === settings.runId || holderState(lock) === 'dead')) {
    // A dead run's ledger goes with its lock; this run's stays until its reports are written.
    if (lock.runId !== settings.runId) rmSync(ledgerPath(settings, lock.runId), { force: true });
    rmSync(lockPath(settings), { force: true });
  }
}

/**
 * Puts every snapshotted bot's list back (DELETE, then one POST per entry) and verifies it with a GET.
 * Undefined when there is no snapshot (the run wrote nothing it could not put back): a lock left by a
 * run that is over goes then. A snapshot that cannot be read is a problem named with its file.
 */
export async function restoreSnapshot(settings: Settings): Promise<RestoreOutcome | undefined> {
  const path = snapshotPath(settings);
  if (!existsSync(path)) {
    releaseOver(settings);
    return undefined;
  }
  const text = readFileSync(path, 'utf8');
  // Empty: its run died while writing it (before this suite wrote snapshots whole), so before any check wrote a thing.
  if (!text.trim()) {
    rmSync(path);
    releaseOver(settings);
    return undefined;
  }
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(text) as Snapshot;
    if (!Array.isArray(snapshot?.bots)) throw new Error('it holds no list of bots');
  } catch (e) {
    const problem = `the snapshot ${path} cannot be read (${(e as Error).message})`;
    return { verified: false, path, problem, left: 'a snapshot that cannot be read, and the lock' };
  }
  try {
    for (const saved of snapshot.bots) {
      const bot = botsOf(settings).find((b) => b.id === saved.id);
      if (!bot) throw new Error(`no token for bot '${saved.id}' in this environment`);
      const api = clientFor(settings, bot, 'restore');
      const cleared = await api.clear();
      if (cleared.received.status !== 200)
        throw new Error(`DELETE for bot '${bot.id}' answered ${cleared.received.status}`);
      for (const provider of saved.providers) {
        const posted = await api.post(provider);
        if (posted.received.status !== 200)
          throw new Error(`POST of '${provider.name}' for bot '${bot.id}' answered ${posted.received.status}`);
      }
      const read = await api.list();
      if (read.received.status !== 200 && read.received.status !== 404)
        throw new Error(`GET for bot '${bot.id}' answered ${read.received.status}`);
      const now = read.received.status === 404 ? [] : savedEntries(read);
      const byName = (list: Provider[]) =>
        Object.fromEntries(list.map((p) => [p.name, { type: p.type, config: p.config }]));
      const difference = firstDifference(byName(now), byName(saved.providers), '$');
      if (difference)
        throw new Error(`bot '${bot.id}''s list after the restore differs from the snapshot: ${difference}`);
    }
  } catch (e) {
    // What differs names what the list holds: a faulty server may list a secret of the run there.
    const problem = secretsOf([{ ...settings, runId: readLock(settings)?.runId ?? settings.runId }]).redact(
      (e as Error).message,
    );
    noteUnverified(settings, problem);
    return { verified: false, path, problem, left: `the snapshot (${describeSnapshot(snapshot)}) and the lock` };
  }
  rmSync(path);
  // A dead run's ledger goes with its lock; a live run's stays until its reports are written.
  const lock = readLock(settings);
  if (lock && lock.runId !== settings.runId) rmSync(ledgerPath(settings, lock.runId), { force: true });
  rmSync(lockPath(settings), { force: true });
  return { verified: true, path };
}

/** Notes in this run's lock why its restore was not verified (a lock of another run is left as it is). */
function noteUnverified(settings: Settings, problem: string): void {
  const lock = readLock(settings);
  if (!lock || lock.runId !== settings.runId) return;
  writeFileSync(lockPath(settings), JSON.stringify({ ...lock, unverified: clip(problem) }, null, 2), { mode: 0o600 });
}

/** Gives a dead run's snapshot up without writing to the target (the user's choice: that bot's data does not matter). */
export function discardSnapshot(settings: Settings): string | undefined {
  const path = snapshotPath(settings);
  const had = existsSync(path) || existsSync(lockPath(settings));
  if (!had) return undefined;
  rmSync(path, { force: true });
  releaseOver(settings);
  rmSync(lockPath(settings), { force: true });
  return path;
}

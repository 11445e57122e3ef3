// Snapshot and restore of the bots a run writes to. The snapshot is kept outside reports/, readable by
// the user only, until a GET has verified the restore; `npm run restore` replays it by hand.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contractFor } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { ProviderApi } from './api.ts';
import { NetworkError } from './http.ts';
import { Secrets } from './redaction.ts';
import type { Bot, Settings } from './settings.ts';
import { providerList, sameValue } from './verdicts.ts';

export interface Snapshot {
  targetUrl: string;
  profile: Settings['profile'];
  takenAt: string;
  bots: { id: string; providers: Provider[] }[];
}

/** Stops the run before any test, with one message. */
export class PreflightError extends Error {}

export function stateDir(): string {
  return resolve(process.env.CONFORMANCE_STATE_DIR?.trim() || '.conformance');
}

export function snapshotPath(settings: Pick<Settings, 'targetUrl' | 'bot'>): string {
  const key = createHash('sha256').update(`${settings.targetUrl}\n${settings.bot.id}`).digest('hex').slice(0, 12);
  return join(stateDir(), `snapshot-${key}.json`);
}

function clientFor(settings: Settings, bot: Bot, label: 'snapshot' | 'restore'): ProviderApi {
  return new ProviderApi(settings.targetUrl, bot, contractFor(settings.profile), new Secrets(), settings.requestTimeoutMs, [], label);
}

const botsOf = (settings: Settings): Bot[] => [settings.bot, ...(settings.secondBot ? [settings.secondBot] : [])];

/** Reads a bot's list for the snapshot; anything but a readable list stops the run. */
async function readForSnapshot(settings: Settings, bot: Bot): Promise<Provider[]> {
  const api = clientFor(settings, bot, 'snapshot');
  let answer;
  try {
    answer = await api.list();
  } catch (e) {
    const detail = e instanceof NetworkError ? e.kind : (e as Error).message;
    throw new PreflightError(`cannot reach the target at ${settings.targetUrl} (GET ${api.listUrl()}: ${detail}). Is it running, and is TARGET_URL right?`);
  }
  const status = answer.received.status;
  if (status === 401 || status === 403) {
    throw new PreflightError(`the target refuses the credentials of bot '${bot.id}' (a plain GET got ${status}). Check ${bot === settings.bot ? 'BOT_ID and API_TOKEN' : 'SECOND_BOT_ID and SECOND_API_TOKEN'}, and that the bot resides in the region of ${settings.targetUrl}.`);
  }
  // An empty list answered 404 is a rule failure for the tests to report, not a reason to stop.
  if (status === 404) return [];
  try {
    return providerList(contractFor(settings.profile), answer).providers;
  } catch (e) {
    throw new PreflightError(`cannot read bot '${bot.id}''s providers to snapshot them (GET answered ${status}: ${(e as Error).message}). The run writes nothing it cannot restore, so it stops here.`);
  }
}

export async function takeSnapshot(settings: Settings): Promise<string> {
  const path = snapshotPath(settings);
  if (existsSync(path)) {
    throw new PreflightError(`an earlier run against ${settings.targetUrl} did not verify its restore; its snapshot is at ${path}. Run \`npm run restore\` (same environment) first, or delete the file if that bot's data does not matter.`);
  }
  const bots = [];
  for (const bot of botsOf(settings)) bots.push({ id: bot.id, providers: await readForSnapshot(settings, bot) });
  const snapshot: Snapshot = { targetUrl: settings.targetUrl, profile: settings.profile, takenAt: new Date().toISOString(), bots };
  mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(snapshot, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export type RestoreOutcome = { verified: true; path: string } | { verified: false; path: string; problem: string };

/** Puts every snapshotted bot's list back (DELETE, then one POST per entry) and verifies it with a GET. */
export async function restoreSnapshot(settings: Settings): Promise<RestoreOutcome | undefined> {
  const path = snapshotPath(settings);
  if (!existsSync(path)) return undefined;
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  try {
    for (const saved of snapshot.bots) {
      const bot = botsOf(settings).find((b) => b.id === saved.id);
      if (!bot) throw new Error(`no token for bot '${saved.id}' in this environment`);
      const api = clientFor(settings, bot, 'restore');
      const cleared = await api.clear();
      if (cleared.received.status !== 200) throw new Error(`DELETE for bot '${bot.id}' answered ${cleared.received.status}`);
      for (const provider of saved.providers) {
        const posted = await api.post(provider);
        if (posted.received.status !== 200) throw new Error(`POST of '${provider.name}' for bot '${bot.id}' answered ${posted.received.status}`);
      }
      const now = providerList(contractFor(settings.profile), await api.list()).providers;
      const byName = (list: Provider[]) => Object.fromEntries(list.map((p) => [p.name, { type: p.type, config: p.config }]));
      sameValue('restore', byName(now), byName(saved.providers), `bot '${bot.id}''s list after the restore`);
    }
  } catch (e) {
    return { verified: false, path, problem: (e as Error).message };
  }
  rmSync(path);
  return { verified: true, path };
}

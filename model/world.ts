// What the rules say each bot's list holds at a point of a generated sequence, and what it lost to
// deletes (so that a delete that did not delete is named as such). Pure: the driver (driver/) sends
// the requests and tells this state what each answer meant.
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { stored, upsert, type ProviderMap } from './rules.ts';

export type BotKey = 'first' | 'second';
export const BOT_NAMES: Record<BotKey, string> = { first: 'the first bot', second: 'the second bot' };

/** What the rules say each bot's list holds, and what it lost to deletes (to name a delete that did not delete). */
export class World {
  readonly lists = new Map<BotKey, ProviderMap>();
  readonly deleted = new Map<BotKey, Map<string, 'list' | 'one'>>();
  /** Every name a POST of this run carried, on any bot, whatever the answer. */
  readonly sent = new Set<string>();
  /** How many providers Grow steps have made: their names stay unique in the run. */
  grown = 0;

  /**
   * `sentBefore`: every body (and config, as JSON) the check has posted so far, kept across the runs of
   * its search, since the server keeps what it remembers across them too.
   */
  constructor(
    readonly profile: Profile,
    readonly bots: BotKey[],
    readonly sentBefore = new Set<string>(),
  ) {
    for (const bot of bots) {
      this.lists.set(bot, new Map());
      this.deleted.set(bot, new Map());
    }
  }

  /** Notes the name and body a POST is about to carry. */
  sending(post: { name?: string; body?: unknown }): void {
    if (post.name !== undefined) this.sent.add(post.name);
    const { body } = post;
    if (body !== undefined) this.sentBefore.add(JSON.stringify(body));
    if (body !== null && typeof body === 'object' && 'config' in body) this.sentBefore.add(JSON.stringify(body.config));
  }

  /** The body was posted before, or its config under another name or on another bot: a repetition or a collision. */
  repeats(body: unknown): boolean {
    if (this.sentBefore.has(JSON.stringify(body))) return true;
    return (
      body !== null && typeof body === 'object' && 'config' in body && this.sentBefore.has(JSON.stringify(body.config))
    );
  }

  /** Every provider a bot took in this run, in order, as posted: what a step may post again. */
  readonly taken: { bot: BotKey; provider: Provider }[] = [];

  take(bot: BotKey, provider: Provider): void {
    upsert(this.lists.get(bot)!, stored(provider));
    this.deleted.get(bot)!.delete(provider.name);
    this.taken.push({ bot, provider });
  }
}

// Data a bot holds before a run, and the check that a run put it back exactly.
import { expect } from '@playwright/test';
import type { Provider } from '../../contract/provider.ts';
import { exchange } from '../../client/http.ts';
import type { Target } from './servers.ts';

export type Saved = Record<string, Provider[]>;

const listUrl = (target: Target, bot: string) => `${target.main.url}/whatsapp/v1/${bot}/provision/provider`;

/** Gives both bots providers of their own, as a real bot would have. */
export async function preload(target: Target): Promise<Saved> {
  const { botA, tokenA, botB, tokenB } = target.bots;
  const saved: Saved = {
    [botA]: [
      { name: 'keep-basic', type: 'www', config: { basic: { username: 'u', password: 'original-password-1' } } },
      { name: 'keep-bearer', type: 'www', config: { bearer: 'original-bearer-1' } },
    ],
    [botB]: [{ name: 'theirs', type: 'www', config: { bearer: 'original-bearer-2' } }],
  };
  for (const [bot, token] of [
    [botA, tokenA],
    [botB, tokenB],
  ]) {
    for (const p of saved[bot]) {
      const x = await exchange(
        {
          method: 'POST',
          url: listUrl(target, bot),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(p),
        },
        5000,
      );
      expect(x.received.status).toBe(200);
    }
  }
  return saved;
}

export async function listOf(target: Target, bot: string, token: string): Promise<Provider[]> {
  const x = await exchange(
    { method: 'GET', url: listUrl(target, bot), headers: { authorization: `Bearer ${token}` }, body: undefined },
    5000,
  );
  return (x.received.json as { settings: { application: { media: { providers: Provider[] } } } }).settings.application
    .media.providers;
}

/** Both bots hold exactly what they held before the run, in the same order. */
export async function expectRestored(target: Target, saved: Saved): Promise<void> {
  expect(await listOf(target, target.bots.botA, target.bots.tokenA)).toEqual(saved[target.bots.botA]);
  expect(await listOf(target, target.bots.botB, target.bots.tokenB)).toEqual(saved[target.bots.botB]);
}

// Servers for the self-tests, in process on 127.0.0.1: the reference, or any subclass of it.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceApp, type AppClass, type ReferenceOptions } from '../../reference/app.ts';
import { serve, type Running, type ServerTls } from '../../reference/serve.ts';
import type { Bots } from '../../faulty/probe.ts';
import { scratchDir } from './scratch.ts';

export function newBots(): Bots {
  return {
    botA: 'bot-a',
    tokenA: `ta-${randomBytes(12).toString('hex')}`,
    botB: 'bot-b',
    tokenB: `tb-${randomBytes(12).toString('hex')}`,
  };
}

export interface Target {
  bots: Bots;
  app: ReferenceApp;
  main: Running;
  otherRegion: Running;
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** A target as the suite sees it: the server on trial with two bots, and an "other region" without them. */
/** `tls`: both servers speak https with this key and certificate. */
export async function startTarget(
  App: AppClass = ReferenceApp,
  options: Partial<ReferenceOptions> = {},
  bots = newBots(),
  tls?: ServerTls,
): Promise<Target> {
  const app = new App({
    bots: new Map([
      [bots.botA, bots.tokenA],
      [bots.botB, bots.tokenB],
    ]),
    ...options,
  });
  const main = await serve(app, 0, tls);
  const otherRegion = await serve(new App({ bots: new Map(), ...options }), 0, tls);
  return {
    bots,
    app,
    main,
    otherRegion,
    env: {
      TARGET_URL: main.url,
      BOT_ID: bots.botA,
      API_TOKEN: bots.tokenA,
      SECOND_BOT_ID: bots.botB,
      SECOND_API_TOKEN: bots.tokenB,
      OTHER_REGION_URL: otherRegion.url,
      CONFORMANCE_PROFILE: options.profile,
    },
    close: async () => {
      await Promise.all([main.close(), otherRegion.close()]);
    },
  };
}

/**
 * A configuration file naming several targets, each with its own bots, and the environment that holds
 * their tokens (the file names the variables, never the values): one suite run judges them all.
 */
export function configFor(named: { name: string; target: Target; rules?: string[] }[]): {
  env: Record<string, string>;
  file: string;
} {
  const env: Record<string, string> = {};
  const targets = named.map(({ name, target, rules }, i) => {
    env[`TARGET_TOKEN_${i}_A`] = target.bots.tokenA;
    env[`TARGET_TOKEN_${i}_B`] = target.bots.tokenB;
    return {
      name,
      url: target.main.url,
      otherRegionUrl: target.otherRegion.url,
      bot: { id: target.bots.botA, tokenEnv: `TARGET_TOKEN_${i}_A` },
      secondBot: { id: target.bots.botB, tokenEnv: `TARGET_TOKEN_${i}_B` },
      ...(rules ? { rules } : {}),
    };
  });
  const file = join(scratchDir('config'), 'conformance.config.json');
  writeFileSync(file, JSON.stringify({ targets }, null, 2));
  return { env: { ...env, CONFORMANCE_CONFIG: file }, file };
}

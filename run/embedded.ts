// With no target, the run judges the reference server: two listeners in the runner's own process
// (the bots' region, and an "other region" where no bot resides), not two server processes. Each of
// those would cost a Node process and its module loading (memory and CPU the run's own processes
// need); requests take the same path over loopback either way.
import type { Env } from '../settings/environment.ts';
import { readFlags } from '../settings/run-flags.ts';
import { EMBEDDED_VARIABLE } from '../settings/variables.ts';
import { startReference } from '../reference/serve.ts';

export interface Embedded {
  /** What the workers and the reporter read: the two listeners' URLs. */
  urls: { TARGET_URL: string; OTHER_REGION_URL: string };
  close(): Promise<void>;
}

/** Starts the embedded reference when the run has no target (the runner chose its bots and tokens); otherwise nothing. */
export async function startEmbedded(env: Env): Promise<Embedded | undefined> {
  if (env[EMBEDDED_VARIABLE] !== '1' || env.TARGET_URL) return undefined;
  const { profile } = readFlags(env);
  const bots = new Map([
    [env.BOT_ID!, env.API_TOKEN!],
    [env.SECOND_BOT_ID!, env.SECOND_API_TOKEN!],
  ]);
  const [main, other] = await Promise.all([
    startReference({ bots, profile }),
    startReference({ bots: new Map(), profile }),
  ]);
  return {
    urls: { TARGET_URL: main.url, OTHER_REGION_URL: other.url },
    close: async () => {
      await Promise.all([main.close(), other.close()]);
    },
  };
}

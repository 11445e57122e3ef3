// How far the targets are, measured before the run starts, so that the checks that wait on the network
// run side by side in proportion to the wait rather than to the machine's cores: a check spends its
// time waiting for answers, and a worker waiting costs no core.
import { exchange, NetworkError } from '../client/http.ts';
import { transportFor } from '../client/transport.ts';
import type { Settings } from '../settings/targets.ts';

/** Timed GETs of a target's base URL (any answer will do), one after another. */
const PROBES = 3;
const PROBE_TIMEOUT_MS = 3000;

/** The median time, in ms, a target takes to answer a GET of its base URL; undefined when it does not answer. */
export async function roundTripMs(settings: Settings): Promise<number | undefined> {
  const transport = transportFor(settings);
  const times: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const started = performance.now();
    try {
      await exchange(
        { method: 'GET', url: settings.targetUrl, headers: { ...transport.options.headers } },
        PROBE_TIMEOUT_MS,
        transport,
      );
    } catch (e) {
      // A target slower than the timeout is at least that far; an unreachable one is the pre-flight's to name.
      if (e instanceof NetworkError && e.kind === 'timeout') return PROBE_TIMEOUT_MS;
      return undefined;
    }
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(PROBES / 2)];
}

/**
 * Workers for targets this far away: two on loopback; one more for every 40 ms of the farthest
 * target's round trip, up to eight (at 50 ms, three; at 150 ms, five). A check of the whole list still
 * runs alone on its target; the others share the wait. Not more: every worker's start costs about a
 * second of CPU, and they all start at once, before the first check. Measured on two cores, 50 ms away:
 * the first check at 3.6 s with three workers, 5.5 s with five, 7.7 s with eight, for runs of 20.9,
 * 22.2 and 23.5 s; 150 ms away, 50.0, 47.5 and 49.1 s with three, five and eight.
 */
export function workersForDistance(ms: number | undefined, least: number): number {
  return Math.max(least, Math.min(8, 2 + Math.floor((ms ?? 0) / 40)));
}

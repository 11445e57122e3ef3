// How a check of many requests waits for the network a few times and not once a request, without
// flooding a distant server: its requests share one window of places, whichever bot they go to; a
// lane of requests that must follow one another holds one place while it runs; and a form that goes
// on a connection that has served waits for one request of its own on that connection, not for all
// the others.
import { sent, type Pending } from '../fixtures/sending.ts';
import type { ProviderApi } from '../client/api.ts';
import { IN_FLIGHT, type Exchange } from '../client/http.ts';
import type { Equivalence } from '../relations/catalogue.ts';
import { type Findings, together } from '../verdicts/failure.ts';

/** The places of one check: at most `size` requests of it in flight. */
export class Window {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  /** Set once a request ended the check (no answer, say): the lanes not yet started are not, as each would pay the same timeout. */
  /** What stopped the window (a request that got no answer): every lane still under way ends with it. */
  #stoppedBy?: { error: unknown };

  constructor(size = IN_FLIGHT) {
    this.#free = size;
  }

  /** Sends lanes side by side, each lane's requests one after another; their answers, lane by lane. */
  lanes(findings: Findings, lanes: Pending[][]): Promise<Exchange[][]> {
    return together(lanes.map((lane) => this.#inPlace(() => this.#lane(findings, lane))));
  }

  /** Sends independent requests side by side; their answers, in the order given. */
  async all(findings: Findings, requests: Pending[]): Promise<Exchange[]> {
    return (
      await this.lanes(
        findings,
        requests.map((r) => [r]),
      )
    ).map(([x]) => x);
  }

  async #lane(findings: Findings, lane: Pending[]): Promise<Exchange[]> {
    const answers: Exchange[] = [];
    for (const r of lane) {
      if (this.#stoppedBy) throw this.#stoppedBy.error;
      try {
        answers.push(await sent(findings, r.what, r.send));
      } catch (e) {
        this.#stoppedBy ??= { error: e };
        throw e;
      }
    }
    return answers;
  }

  /** Runs `work` once a place is free (first come, first served), and frees it after. */
  async #inPlace<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/** A request of one client in a form (or plain, without one), sent by the client it is given. */
export interface FormRequest {
  what: string;
  form?: Equivalence;
  /** Sent with the client's own credentials: on a connection that may serve others (not a new one of its own). */
  own?: boolean;
  send: (client: ProviderApi) => Promise<Exchange>;
}

/**
 * Sends a client's requests in the window; their answers in the order given. Those whose form goes on
 * a connection that has served (`kept`) go one after another on a connection of their own, opened by
 * the first request with the client's own credentials and a form that leaves the connection to the
 * client: so each surely goes on one that has served, without waiting for every other request.
 */
export async function sentInForms(
  findings: Findings,
  window: Window,
  client: ProviderApi,
  requests: FormRequest[],
): Promise<Exchange[]> {
  const kept = requests.filter((r) => r.form?.connection === 'kept');
  const opener = requests.find((r) => r.own && r.form && r.form.connection === undefined);
  if (kept.length && !opener) throw new Error('a form on a kept connection needs a request to open it first');
  const first = kept.length && opener ? [opener, ...kept] : [];
  const rest = requests.filter((r) => !first.includes(r));
  const pool = client.newWirePool();
  const onItsOwn = client.onWire(pool);
  const pending = (r: FormRequest, by: ProviderApi): Pending => ({ what: r.what, send: () => r.send(by) });
  try {
    const [chain, ...singles] = await window.lanes(findings, [
      first.map((r) => pending(r, onItsOwn)),
      ...rest.map((r) => [pending(r, client)]),
    ]);
    const answers = new Map<FormRequest, Exchange>([
      ...first.map((r, i) => [r, chain[i]] as const),
      ...rest.map((r, i) => [r, singles[i][0]] as const),
    ]);
    return requests.map((r) => answers.get(r)!);
  } finally {
    pool.closeAll();
  }
}

/** Two pieces of work side by side: both settle before a failure of either is thrown, so that no request is left on the way. */
export async function side<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await together<unknown>([a, b]);
  return [x as A, y as B];
}

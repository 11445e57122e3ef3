// Raw HTTP for the equivalent-mutant guard: a probe shows, without the suite, that a faulty server's
// fault really happens (a catalogue entry that quietly behaves correctly would be a false score).
import { relationById, type Equivalence } from '../relations/catalogue.ts';
import { plainWire } from '../relations/wire.ts';
import { DIRECT, exchange, NetworkError, type Exchange, type Received } from '../client/http.ts';
import { WirePool, wireExchange } from '../client/raw-http.ts';

/** The two bots of a target on trial, and their tokens. */
export interface Bots {
  botA: string;
  tokenA: string;
  botB: string;
  tokenB: string;
}

/** How an exchange failed: no answer in time, an answer past the cap, or the connection gone. */
export type Failure = 'dropped' | 'timeout' | 'oversized';

export interface Sent {
  status: number;
  json?: unknown;
  text: string;
  headers: Received['headers'];
  /** The request went on a connection that had served one before. */
  reused?: boolean;
}

export class Probe {
  #n = 0;
  constructor(
    readonly url: string,
    readonly bots: Bots,
    readonly otherRegionUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** A fresh valid name (letters only, so that both revisions take it). */
  name(): string {
    return `probe-${'abcdefghij'[this.#n++ % 10]}${String.fromCharCode(97 + Math.floor(Math.random() * 26))}${Math.random()
      .toString(36)
      .replace(/[^a-z]/g, '')
      .slice(0, 8)}`;
  }

  path(bot = this.bots.botA, name?: string): string {
    return `/whatsapp/v1/${encodeURIComponent(bot)}/provision/provider${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  async send(
    method: string,
    options: {
      body?: string;
      auth?: string | null;
      bot?: string;
      name?: string;
      base?: string;
      contentType?: string | null;
      /** Sent in a form of relations/catalogue.ts (its id), written by hand on a connection of its own. */
      form?: string;
      /** The connections a hand-written request goes on (a new one each, by default). */
      pool?: WirePool;
    } = {},
  ): Promise<Sent | Failure> {
    const headers: Record<string, string> = {};
    const auth =
      options.auth === undefined
        ? `Bearer ${options.bot === this.bots.botB ? this.bots.tokenB : this.bots.tokenA}`
        : options.auth;
    if (auth !== null) headers.authorization = auth;
    if (options.body !== undefined && options.contentType !== null)
      headers['content-type'] = options.contentType ?? 'application/json';
    const sent = {
      method,
      url: (options.base ?? this.url) + this.path(options.bot, options.name),
      headers,
      body: options.body,
    };
    try {
      let x: Exchange;
      if (options.form !== undefined || options.pool) {
        const form = options.form === undefined ? undefined : (relationById(options.form) as Equivalence);
        const wire = plainWire(sent);
        x = await wireExchange(
          form ? form.apply(wire) : wire,
          options.pool ? 'kept' : 'fresh',
          options.pool ?? new WirePool(DIRECT, this.timeoutMs),
          DIRECT,
          this.timeoutMs,
        );
      } else x = await exchange(sent, this.timeoutMs);
      return {
        status: x.received.status,
        json: x.received.json,
        text: x.received.text,
        headers: x.received.headers,
        reused: x.reused,
      };
    } catch (e) {
      if (e instanceof NetworkError) return e.kind === 'timeout' || e.kind === 'oversized' ? e.kind : 'dropped';
      throw e;
    }
  }

  post(value: unknown, options: Parameters<Probe['send']>[1] = {}) {
    return this.send('POST', { body: typeof value === 'string' ? value : JSON.stringify(value), ...options });
  }

  /** Status of a request, or the network failure. */
  async status(p: Promise<Sent | Failure>): Promise<number | Failure> {
    const r = await p;
    return typeof r === 'string' ? r : r.status;
  }

  /** The providers of a bot as GET shows them (at the documented nesting), or undefined. */
  async providers(
    bot = this.bots.botA,
  ): Promise<{ name: string; type?: string; config: Record<string, unknown> }[] | undefined> {
    const r = await this.send('GET', { bot });
    if (typeof r === 'string') return undefined;
    return (r.json as { settings?: { application?: { media?: { providers?: [] } } } } | undefined)?.settings
      ?.application?.media?.providers;
  }

  async has(name: string, bot = this.bots.botA): Promise<number> {
    return (await this.providers(bot))?.filter((p) => p.name === name).length ?? 0;
  }

  provider(name = this.name(), config: unknown = { bearer: 'probe-secret' }) {
    return { name, type: 'www', config };
  }
}

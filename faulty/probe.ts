// Raw HTTP for the equivalent-mutant guard: a probe shows, without the suite, that a faulty server's
// fault really happens (a catalogue entry that quietly behaves correctly would be a false score).
import { exchange, NetworkError, type Received } from '../suite/http.ts';

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
    try {
      const x = await exchange(
        { method, url: (options.base ?? this.url) + this.path(options.bot, options.name), headers, body: options.body },
        this.timeoutMs,
      );
      return { status: x.received.status, json: x.received.json, text: x.received.text, headers: x.received.headers };
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

// The API client the tests use: builds every request of the three operations (and the revision's
// per-provider DELETE) once, records each exchange for the report (and each request that got no
// answer), and registers every secret it sends and every altered one it is answered.
import type { Contract } from '../contract/openapi.ts';
import type { Equivalence } from '../relations/catalogue.ts';
import { plainWire } from '../relations/wire.ts';
import type { Bot } from '../settings/targets.ts';
import {
  DIRECT,
  exchange,
  is2xx,
  NetworkError,
  type Exchange,
  type Recorded,
  type Sent,
  type Transport,
  unansweredMark,
} from './http.ts';
import { WirePool, wireExchange } from './raw-http.ts';
import { limitOf } from './connection-limit.ts';
import type { Secrets } from './redaction.ts';

export interface RequestOptions {
  /** The Authorization header: the bot's own bearer token by default, `null` for none. */
  authorization?: string | null;
  /** The Content-Type of a POST: `application/json` by default, `null` for none. */
  contentType?: string | null;
  /** Another bot id in the path (the credentials stay this client's). */
  botId?: string;
  /**
   * The request in a form the standards make equivalent to the plain one (relations/catalogue.ts):
   * its bytes rewritten, and written on a connection of the suite's own (a new one for a request with
   * credentials of its own, so that no connection carries a good request's credentials to it).
   */
  form?: Equivalence;
  /** The request-target written as given on the wire (hostile input: a target that is no URL). */
  target?: string;
}

/** Where a client's requests go when they are written by hand: the connections of a pool, or each on a new one. */
export type Wire = { pool: WirePool; connection: 'kept' | 'fresh' };

/** Requests this process has sent: each exchange's `issued`. */
let issuedSoFar = 0;

export class ProviderApi {
  constructor(
    readonly baseUrl: string,
    readonly bot: Bot,
    private readonly contract: Contract,
    private readonly secrets: Secrets,
    private readonly timeoutMs: number,
    /** Every exchange of the current test, and every request of it that got no answer, in order (shared by the clients of one test). */
    readonly log: Recorded[],
    /** Sent as `x-conformance-check`, so that a server's own log can tell which check sent what. */
    readonly label: string,
    /** How requests leave: trusted certificates, the proxy. */
    readonly transport: Transport = DIRECT,
    /** The connections of the suite's own that forms go on; `onWire` sends every request there. */
    readonly wire: Wire & { always?: boolean } = { pool: new WirePool(transport, timeoutMs), connection: 'kept' },
  ) {
    secrets.add(bot.token);
  }

  /** The same client with some of its parts changed: the one place a client is copied. */
  #with(change: Partial<Pick<ProviderApi, 'baseUrl' | 'bot' | 'log' | 'transport' | 'wire'>>): ProviderApi {
    const { baseUrl, bot, log, transport, wire } = {
      baseUrl: this.baseUrl,
      bot: this.bot,
      log: this.log,
      transport: this.transport,
      wire: this.wire,
      ...change,
    };
    return new ProviderApi(baseUrl, bot, this.contract, this.secrets, this.timeoutMs, log, this.label, transport, wire);
  }

  /**
   * The same client, every request written by hand on the connections of `pool` (each reused while the
   * server keeps it open) or each on a new connection: a check about connections decides which
   * connection a request goes on, no client heuristic.
   */
  onWire(pool: WirePool | 'fresh'): ProviderApi {
    return this.#with({
      wire:
        pool === 'fresh'
          ? { pool: this.wire.pool, connection: 'fresh', always: true }
          : { pool, connection: 'kept', always: true },
    });
  }

  /** The same client, each request on a new connection of its own (none kept alive for another). */
  onFreshConnections(): ProviderApi {
    return this.#with({ transport: this.transport.fresh() });
  }

  /** A pool of connections of the suite's own, for `onWire`. */
  newWirePool(): WirePool {
    return new WirePool(this.transport, this.timeoutMs);
  }

  /** Closes the connections of the suite's own this client (and its copies) kept open. */
  close(): void {
    this.wire.pool.closeAll();
  }

  /** Another bot's credentials on the same target. */
  as(bot: Bot): ProviderApi {
    return this.#with({ bot });
  }

  /** The same client, recording its exchanges in `log` instead. */
  logTo(log: Recorded[]): ProviderApi {
    return this.#with({ log });
  }

  /** The same credentials against another base URL (another region). */
  at(baseUrl: string): ProviderApi {
    return this.#with({ baseUrl });
  }

  /** POSTs a value as JSON. */
  post(provider: unknown, options: RequestOptions = {}): Promise<Exchange> {
    return this.postText(JSON.stringify(provider), options);
  }

  /** POSTs a body exactly as given (malformed JSON, huge bodies). */
  postText(body: string, options: RequestOptions = {}): Promise<Exchange> {
    const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
    return this.send('POST', this.listUrl(options.botId), options, body, contentType);
  }

  /** A GET or DELETE of the list that carries a body anyway (a server may parse it before it checks credentials). */
  withBody(method: 'GET' | 'DELETE', body: string, options: RequestOptions = {}): Promise<Exchange> {
    return this.send(method, this.listUrl(options.botId), options, body, 'application/json');
  }

  list(options: RequestOptions = {}): Promise<Exchange> {
    return this.send('GET', this.listUrl(options.botId), options);
  }

  clear(options: RequestOptions = {}): Promise<Exchange> {
    return this.send('DELETE', this.listUrl(options.botId), options);
  }

  /** The revision's `DELETE .../provider/{provider-name}`. */
  remove(name: string, options: RequestOptions = {}): Promise<Exchange> {
    if (!this.contract.itemPath) throw new Error(`profile ${this.contract.profile} has no per-provider DELETE`);
    return this.send('DELETE', this.url(this.contract.itemPath, options.botId, name), options);
  }

  listUrl(botId?: string): string {
    return this.url(this.contract.listPath, botId);
  }

  /** The URL of provider/{name} under the bot's list, whether or not the profile defines it. */
  itemUrl(name: string, botId?: string): string {
    return `${this.listUrl(botId)}/${encodeURIComponent(name)}`;
  }

  /** A request the API may not define: any method on any URL, a body sent as JSON. */
  request(method: string, url: string, options: RequestOptions = {}, body?: string): Promise<Exchange> {
    return this.send(method, url, options, body, body === undefined ? undefined : 'application/json');
  }

  private url(template: string, botId = this.bot.id, name?: string): string {
    const base = new URL(this.baseUrl);
    // A path prefix in the base URL is kept, and a trailing slash does not double.
    const prefix = base.pathname.replace(/\/+$/, '');
    const path = template
      .replace('{bot-id}', encodeURIComponent(botId))
      .replace('{provider-name}', encodeURIComponent(name ?? ''));
    return `${base.origin}${prefix}${path}`;
  }

  private async send(
    method: string,
    url: string,
    options: RequestOptions,
    body?: string,
    contentType?: string | null,
  ): Promise<Exchange> {
    // The run's extra headers (a gateway's) on every request, those without credentials too: the gateway
    // lets them through to the API, whose answer is what is judged.
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-conformance-check': this.label,
      ...this.transport.options.headers,
    };
    const authorization = options.authorization === undefined ? `Bearer ${this.bot.token}` : options.authorization;
    if (authorization !== null) headers.authorization = authorization;
    if (contentType) headers['content-type'] = contentType;
    this.secrets.addAuthorization(authorization ?? undefined);
    if (body !== undefined) this.collect(body);
    const sent: Sent = { method, url, headers, body };
    const { form, target } = options;
    const onWire = Boolean(form || target || this.wire.always);
    let result: Exchange | undefined;
    // Its turn first (client/connection-limit.ts); its time and place from when it leaves.
    const limit = limitOf(new URL(url).origin);
    const turn = limit.enter();
    if (turn) await turn;
    const started = performance.now();
    const at = Date.now();
    const issued = ++issuedSoFar;
    try {
      result = onWire
        ? await wireExchange(
            { ...(form ? form.apply(plainWire(sent)) : plainWire(sent)), ...(target ? { target } : {}) },
            form?.connection ??
              (this.wire.always ? this.wire.connection : options.authorization === undefined ? 'kept' : 'fresh'),
            this.wire.pool,
            this.transport,
            this.timeoutMs,
          )
        : await exchange(sent, this.timeoutMs, this.transport);
    } catch (e) {
      // The request as it went (in its form on the wire), for the reports: a hang or a drop is replayed too.
      if (e instanceof NetworkError)
        this.log.push({
          sent: e.sent,
          unanswered: unansweredMark(e, this.timeoutMs),
          ms: performance.now() - started,
          at,
          issued,
        });
      throw e;
    } finally {
      // A success to a plain request (on the kept-alive pool, asking nothing of the connection) that closed
      // its connection: a request in a form may have asked for the close, and a server may close only after
      // an error it could not read past.
      limit.leave(!onWire && result?.closedAfter === true && is2xx(result.received.status));
    }
    result.issued = issued;
    this.log.push(result);
    if (result.received.json !== undefined) this.secrets.collectAnswer(result.received.json);
    return result;
  }

  private collect(body: string): void {
    // A JSON text without a string holds no credential (and 1 MiB of '[' takes 70 ms to refuse).
    if (!body.includes('"')) return;
    try {
      this.secrets.collect(JSON.parse(body));
    } catch {
      // not JSON: a malformed body carries no credential of ours
    }
  }
}

// A target that closes its connection after every answer (an HTTP/1.0 server, or one that says
// `Connection: close`) makes each request open a connection of its own. A server that accepts few
// at a time lets the rest wait in its listen queue, and past it their SYNs are dropped and sent again
// by TCP a second later: Python's socketserver listens with a backlog of 5, and the AUTH-BEFORE-BODY
// check took 7.3 s against it instead of 1.1 s (`naive/python-stdlib`, 32 requests in flight). RFC
// 9112 § 9.4: a client ought to limit its simultaneous connections to a server. So against such a
// target a process keeps at most CLOSING_IN_FLIGHT requests in flight; against one that keeps its
// connections, as many as a check sends.
export const CLOSING_IN_FLIGHT = 4;

/** Whether an answer's connection can carry no further request (RFC 9112 § 9.3), by its version and `Connection` field. */
export function closesAfter(httpVersion: string, connection: string | undefined): boolean {
  const options = (connection ?? '')
    .toLowerCase()
    .split(',')
    .map((o) => o.trim());
  return options.includes('close') || (httpVersion === '1.0' && !options.includes('keep-alive'));
}

export class Limit {
  /** Set once an answer showed the target closing its connections: from then on, requests wait their turn. */
  closing = false;
  #inFlight = 0;
  #waiting: (() => void)[] = [];

  /** Takes a place; a promise only when the request must wait for one (the others go out in the same tick as before). */
  enter(): Promise<void> | undefined {
    if (!this.closing || this.#inFlight < CLOSING_IN_FLIGHT) {
      this.#inFlight++;
      return undefined;
    }
    return new Promise<void>((r) => this.#waiting.push(r)).then(() => this.enter());
  }

  /** Gives the place back; `closing`: the answer showed the origin closing its connections after every answer. */
  leave(closing: boolean): void {
    if (closing) this.closing = true;
    this.#inFlight--;
    this.#waiting.shift()?.();
  }
}

const limits = new Map<string, Limit>();

/** The limit of `origin`'s requests in this process. */
export function limitOf(origin: string): Limit {
  const limit = limits.get(origin) ?? new Limit();
  limits.set(origin, limit);
  return limit;
}

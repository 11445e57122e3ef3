// Faulty servers: Robustness: 5xx, dropped connections, hangs, answers that never end.
// Each is the reference with one change, the rule it breaks, one sentence and a probe (faulty/fault.ts).
import type http from 'node:http';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, error, type Answer } from '../reference/app.ts';
import { faultsIn, NO_ANSWER, parseOrUndefined, Unanswering, valid, type Fault } from './fault.ts';

export const ROBUSTNESS: Fault[] = [];
const fault = faultsIn(ROBUSTNESS);

fault(
  '500-on-proto',
  'ROBUST-NO-5XX',
  "Answers 500 to the name '__proto__'.",
  class extends ReferenceApp {
    protected override async upsert(b: string, list: Map<string, Provider>, provider: Provider) {
      if (provider.name === '__proto__') throw new Error('prototype pollution guard tripped');
      await super.upsert(b, list, provider);
    }
  },
  async (p) => (await p.status(p.post(p.provider('__proto__')))) === 500,
);
fault(
  'head-501',
  'ROBUST-NO-5XX',
  "Answers 501 Not Implemented to HEAD, as Python's http.server does for a handler with no do_HEAD: HEAD is not a method a server may leave out (RFC 9110 § 9.1), unlike PUT or PATCH.",
  class extends ReferenceApp {
    override listener(): http.RequestListener {
      const answer = super.listener();
      return (req, res) => {
        if (req.method !== 'HEAD') return answer(req, res);
        this.send(res, error(501, 'Not implemented', 'Unsupported method (HEAD).'));
      };
    }
  },
  async (p) => (await p.status(p.send('HEAD'))) === 501,
);
fault(
  '500-without-content-type',
  'ROBUST-NO-5XX',
  'Answers 500 to a POST without Content-Type.',
  class extends ReferenceApp {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      if (contentType === undefined) throw new TypeError("Cannot read properties of undefined (reading 'split')");
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) => (await p.status(p.post(valid(p), { contentType: null }))) === 500,
);
fault(
  'drop-on-astral',
  'ROBUST-NO-DROP',
  'Drops the connection when a body holds astral-plane characters.',
  class extends Unanswering {
    protected override async readBody(req: http.IncomingMessage) {
      const read = await super.readBody(req);
      if ('raw' in read && /[\u{10000}-\u{10FFFF}]/u.test(read.raw.toString('utf8'))) {
        req.socket.destroy();
        return { answer: NO_ANSWER };
      }
      return read;
    }
  },
  async (p) => (await p.status(p.post(p.provider('𝄞-name')))) === 'dropped',
);
fault(
  'hang-on-deep',
  'ROBUST-NO-HANG',
  'Never answers a body nested more than 1 000 levels deep.',
  class extends Unanswering {
    protected override parseProvider(contentType: string | undefined, raw: Buffer) {
      let depth = 0;
      for (const byte of raw) if (byte === 0x5b && ++depth > 1000) return { answer: NO_ANSWER };
      return super.parseProvider(contentType, raw);
    }
  },
  async (p) =>
    (await p.status(
      p.post(`{"name":"deep","type":"www","config":{"bearer":"x","e":${'['.repeat(2000)}${']'.repeat(2000)}}}`),
    )) === 'timeout',
);

/** The answer that never ends: headers, then body bytes for as long as the client reads. */
const ENDLESS: Answer = { status: 200 };
export class EndlessAnswer extends ReferenceApp {
  /** Bytes written into each endless answer before the client let go. */
  static written: number[] = [];
  protected override parseProvider(contentType: string | undefined, raw: Buffer) {
    const name = (parseOrUndefined(raw) as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && /[\u{10000}-\u{10FFFF}]/u.test(name)
      ? { answer: ENDLESS }
      : super.parseProvider(contentType, raw);
  }
  protected override send(res: http.ServerResponse, answer: Answer): void {
    if (answer !== ENDLESS) {
      super.send(res, answer);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const at = EndlessAnswer.written.push(0) - 1;
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) EndlessAnswer.written[at] += chunk.length;
      if (!res.destroyed)
        res.once('drain', () => {
          EndlessAnswer.written[at] += chunk.length;
          pump();
        });
    };
    pump();
  }
}
fault(
  'endless-answer',
  'ROBUST-NO-HANG',
  'Answers a name with astral-plane characters with a body that never ends.',
  EndlessAnswer,
  async (p) => (await p.status(p.post(p.provider('𝄞-name')))) === 'oversized',
);

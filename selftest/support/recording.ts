// A server that also remembers every secret it was sent (tokens, passwords, bearers), whatever else it
// does: any server of the catalogue, faulty or not, wrapped so that the leak search knows what to seek.
import type http from 'node:http';
import type { AppClass, Answer } from '../../reference/app.ts';
import { ReferenceApp } from '../../reference/app.ts';
import { OBJECT_STRING } from '../../client/credentials.ts';

export type Recording = ReferenceApp & { readonly seen: Set<string> };

export function recording(App: AppClass): new (...args: ConstructorParameters<AppClass>) => Recording {
  return class extends App {
    readonly seen = new Set<string>();

    protected override authorized(botId: string, header: string | undefined): boolean {
      const token =
        /^\S+\s+(\S+)/.exec(header ?? '')?.[1] ?? (header && !/^bearer$/i.test(header) ? header : undefined);
      // The string form of an object is a constant of JavaScript, in every bundle of it: no secret to seek.
      if (token && header !== `Bearer ${OBJECT_STRING}`) this.seen.add(token);
      return super.authorized(botId, header);
    }

    protected override async readBody(req: http.IncomingMessage): Promise<{ raw: Buffer } | { answer: Answer }> {
      const read = await super.readBody(req);
      if ('raw' in read) this.#collect(read.raw.toString('utf8'));
      return read;
    }

    #collect(text: string): void {
      // Parsed only when it may name a secret's member (written plainly, or with an escape in its name):
      // parsing every megabyte body cost a detection batch 3 s.
      if (!/password|bearer|\\u/i.test(text)) return;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return;
      }
      const walk = (node: unknown, depth: number) => {
        if (depth > 20 || !node || typeof node !== 'object') return;
        for (const [k, v] of Object.entries(node)) {
          if ((k === 'password' || k === 'bearer') && typeof v === 'string') this.seen.add(v);
          else walk(v, depth + 1);
        }
      };
      walk(body, 0);
    }
  };
}

export const RecordingApp = recording(ReferenceApp);

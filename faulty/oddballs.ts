// Conforming oddballs: servers that differ from the reference only where docs/rules.md leaves a
// choice open (or the transport does). The suite must pass every one of them.
import type http from 'node:http';
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { ReferenceApp, type Answer, type AppClass, type ReferenceOptions } from '../reference/app.ts';

export interface Oddball {
  id: string;
  sentence: string;
  App: AppClass;
  /** Options the server runs with (latency, the later revision). */
  options?: Partial<ReferenceOptions>;
  /** The profile the suite holds it to. */
  profile: Profile;
}

const withOrder = (order: (p: Provider[]) => Provider[]): AppClass => class extends ReferenceApp {
  protected override render(providers: Provider[]) { return super.render(order([...providers])); }
};

export const ODDBALLS: Oddball[] = [
  { id: 'reference', sentence: 'The reference server itself.', App: ReferenceApp, profile: 'default' },
  { id: 'reversed-order', sentence: 'Lists providers newest first.', App: withOrder((p) => p.reverse()), profile: 'default' },
  { id: 'shuffled-order', sentence: 'Lists providers in a new random order on every GET.', App: withOrder((p) => p.sort(() => Math.random() - 0.5)), profile: 'default' },
  {
    id: 'extra-fields', sentence: 'Adds fields of its own to every level of the list and to error bodies.', profile: 'default',
    App: class extends ReferenceApp {
      protected override render(providers: Provider[]) {
        const entries = providers.map((p) => ({ ...p, id: `id-${p.name.length}`, createdAt: '2020-03-10T00:00:00Z' }));
        return { requestId: 'r-1', settings: { version: 2, application: { id: 'app', media: { count: entries.length, providers: entries } } } };
      }
      protected override send(res: http.ServerResponse, answer: Answer): void {
        const body = answer.body as Record<string, unknown> | undefined;
        super.send(res, answer.status >= 400 && body ? { ...answer, body: { ...body, code: answer.status, traceId: 't-1' } } : answer);
      }
    },
  },
  {
    id: 'charset', sentence: 'Sends JSON as application/json; charset=utf-8.', profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        super.send(res, answer.body === undefined ? answer : { ...answer, headers: { ...answer.headers, 'content-type': 'application/json; charset=utf-8' } });
      }
    },
  },
  {
    id: 'chunked-empty', sentence: 'Sends empty bodies chunked, without Content-Length.', profile: 'default',
    App: class extends ReferenceApp {
      protected override send(res: http.ServerResponse, answer: Answer): void {
        if (answer.body !== undefined) return super.send(res, answer);
        res.writeHead(answer.status, { 'transfer-encoding': 'chunked', ...answer.headers });
        res.end();
      }
    },
  },
  { id: 'latency-50ms', sentence: 'Answers every request 50 ms late.', App: ReferenceApp, options: { latencyMs: 50 }, profile: 'default' },
  {
    id: 'www-authenticate', sentence: 'Adds WWW-Authenticate: Bearer to every 401.', profile: 'default',
    App: class extends ReferenceApp {
      protected override unauthorized(): Answer { return { ...super.unauthorized(), headers: { 'www-authenticate': 'Bearer realm="whatsapp"' } }; }
    },
  },
  { id: 'later-revision', sentence: 'A server of the 2020-03-10 revision, held to the default profile.', App: ReferenceApp, options: { profile: '2020-03-10' }, profile: 'default' },
  { id: 'reference-revision', sentence: 'The reference server of the revision, held to the revision profile.', App: ReferenceApp, options: { profile: '2020-03-10' }, profile: '2020-03-10' },
];

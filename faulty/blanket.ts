// Servers that answer every request alike, whatever its method, path, credentials or body: a URL
// that is not the API (404), a stub that takes everything and stores nothing (200 `{}`), a backend
// that is down (500). No rule can be shown on them, so none may pass (selftest/evidence.spec.ts).
import type http from 'node:http';
import { ReferenceApp, type Answer, type AppClass } from '../reference/app.ts';

/** The reference's class, answering `answer` to everything (after reading the body, as a server does). */
export function answeringAll(answer: Answer): AppClass {
  return class AnsweringAll extends ReferenceApp {
    protected override async handle(req: http.IncomingMessage): Promise<Answer> {
      for await (const _ of req);
      return answer;
    }
  };
}

/** The three, by the name the self-tests and `serve --fault` know them. */
export const BLANKET: Record<string, Answer> = {
  'all-404': { status: 404, body: { message: 'Not found', reason: 'No such resource.' } },
  'all-200-empty-object': { status: 200, body: {} },
  'all-500': { status: 500, body: { message: 'Internal error', reason: 'The backend is down.' } },
};

// Starts a ReferenceApp (or a subclass of it) on 127.0.0.1 and stops it cleanly.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ReferenceApp, type ReferenceOptions } from './app.ts';

export interface Running {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** How a server speaks https: its key and certificate, and, for mutual TLS, the CA its clients' certificates must chain to. */
export type ServerTls = { key: string; cert: string } & Pick<
  https.ServerOptions,
  'ca' | 'requestCert' | 'rejectUnauthorized'
>;

/** `tls`: serve https with this key and certificate (the self-tests' private CA). */
export async function serve(app: ReferenceApp, port = 0, tls?: ServerTls): Promise<Running> {
  const server = tls
    ? (https.createServer({ requestTimeout: 30_000, ...tls }, app.listener()) as unknown as http.Server)
    : http.createServer({ requestTimeout: 30_000 }, app.listener());
  app.configure(server);
  // A malformed request line or header block gets a 400 with a JSON body, not a bare reset.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      const body = JSON.stringify({ message: 'Bad request', reason: 'The HTTP request could not be parsed.' });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function startReference(options: ReferenceOptions, port = 0): Promise<Running> {
  return serve(new ReferenceApp(options), port);
}

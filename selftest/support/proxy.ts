// A forward proxy on loopback for the self-tests: absolute-URI requests for http, CONNECT tunnels for
// https, credentials wanted when given; it counts what it carried.
import http from 'node:http';
import net from 'node:net';

/** A forward proxy: absolute-URI requests for http, CONNECT tunnels for https; wants `user:password` when given. */
export async function forwardProxy(
  credentials?: string,
): Promise<{ url: string; seen: { forwarded: number; tunnels: number }; close(): Promise<void> }> {
  const seen = { forwarded: 0, tunnels: 0 };
  // A tunnel is no longer the server's connection: closeAllConnections does not see it.
  const tunnels = new Set<net.Socket>();
  const allowed = (header: string | undefined) =>
    !credentials || header === `Basic ${Buffer.from(credentials).toString('base64')}`;
  const server = http.createServer((req, res) => {
    if (!allowed(req.headers['proxy-authorization']))
      return void res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
    seen.forwarded++;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(req.url!, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!allowed(req.headers['proxy-authorization']))
      return void socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="proxy"\r\ncontent-length: 0\r\n\r\n',
      );
    seen.tunnels++;
    tunnels.add(socket);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => {
      tunnels.delete(socket);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}

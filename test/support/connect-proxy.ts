import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback forward proxy as self-hosted runners sit behind: it answers HTTP `CONNECT host:port`
 * (the tunnel undici's ProxyAgent opens for every request) by connecting to `resolve(host)`
 * on that port. Hosts under `.test` do not resolve anywhere else, so a request that reaches an
 * emulator through a `.test` name proves it went through this proxy.
 */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for HTTP_PROXY / HTTPS_PROXY. */
  url: string;
  /** `host:port` of every tunnel asked for, in order. */
  tunnels: string[];
  close(): Promise<void>;
}

/** `hosts` maps a name (e.g. `github.test`) to the address it stands for (e.g. `127.0.0.1`). */
export async function startConnectProxy(hosts: Readonly<Record<string, string>>): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('this proxy only tunnels (CONNECT)\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const target = req.url ?? '';
    tunnels.push(target);
    const colon = target.lastIndexOf(':');
    const address = hosts[target.slice(0, colon)];
    if (!address || colon < 0) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(target.slice(colon + 1)), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `url` with its host replaced by `host` (the port stays), e.g. for a `.test` name. */
export function withHost(url: string, host: string): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  return parsed.toString().replace(/\/$/, '');
}

/**
 * A TCP proxy in front of the test Postgres server that a test can cut and restore, to lose the
 * database mid-run for real (no fake driver).
 */
import net from 'node:net';
import { openStore, type Store } from '../../src/store/open-store.ts';

export type TcpProxy = { port: number; cut: () => void; restore: () => void; close: () => Promise<void> };

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A store on `databaseUrl` whose connections go through a proxy the test can cut and restore. */
export async function storeThroughProxy(databaseUrl: string): Promise<{ proxy: TcpProxy; store: Store; storeLog: string[] }> {
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(databaseUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const storeLog: string[] = [];
  const store = await openStore({ databaseUrl: viaProxy.toString(), log: (m) => storeLog.push(m) });
  return { proxy, store, storeLog };
}

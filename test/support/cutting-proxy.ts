// A TCP proxy on 127.0.0.1 in front of the test server that fails connections
// the way networks do: cut a connection once the server has answered a write
// (the write is kept, the client only sees the connection die: an unknown
// outcome), cut it before the write reaches the server (nothing kept), or
// freeze every connection (no reset, no data: only a heartbeat notices).
import { createServer, connect, type Server, type Socket } from "node:net";

// ReadyForQuery: the server sends it once the statement's transaction ended (committed here).
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

interface Armed {
  marker: string;
  when: "afterReply" | "beforeForward";
  done: () => void;
}

/** A proxy to `127.0.0.1:targetPort`; see {@link startProxy}. */
export interface CuttingProxy {
  /** The port to connect to instead of the server's. */
  readonly port: number;
  /** Replaces the host and port of a connection URL with the proxy's. */
  url(serverUrl: string): string;
  /**
   * Cuts the next connection that sends SQL containing `marker`, once the
   * server's reply to it has arrived (dropped, never forwarded) or before the
   * SQL is forwarded. Resolves when the cut happened.
   */
  cutNext(marker: string, when: "afterReply" | "beforeForward"): Promise<void>;
  /** Forgets a cut armed by `cutNext` that has not happened (its promise never resolves). */
  disarm(): void;
  /** Cuts every connection open at this moment (both ends see it close); returns how many. */
  cutOpen(): number;
  /**
   * The local ports of the proxy's connections to the server: the server sees
   * them as `client_port` in `pg_stat_activity`, so they name the backends of
   * the connections made through this proxy.
   */
  serverPorts(): number[];
  /** From now on, connections open at this moment forward nothing and are never closed (new ones work). */
  freezeOpen(): void;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** Starts a proxy in front of `127.0.0.1:targetPort` on a free port. */
export async function startProxy(targetPort: number): Promise<CuttingProxy> {
  const open = new Set<{ client: Socket; server: Socket; frozen: boolean }>();
  let armed: Armed | undefined;
  const proxy: Server = createServer((client) => {
    const server = connect(targetPort, "127.0.0.1");
    const pair = { client, server, frozen: false };
    open.add(pair);
    let cutOnReply: Armed | undefined;
    let reply = Buffer.alloc(0);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (pair.frozen) return;
      if (armed !== undefined && chunk.includes(armed.marker)) {
        const trigger = armed;
        armed = undefined;
        if (trigger.when === "beforeForward") {
          cut();
          return trigger.done();
        }
        cutOnReply = trigger;
      }
      server.write(chunk);
    });
    server.on("data", (chunk: Buffer) => {
      if (pair.frozen) return;
      if (cutOnReply === undefined) return void client.write(chunk);
      reply = Buffer.concat([reply, chunk]);
      if (reply.includes(READY_FOR_QUERY)) {
        cut();
        cutOnReply.done();
      }
    });
    for (const socket of [client, server]) {
      socket.on("error", cut);
      socket.on("close", () => {
        cut();
        open.delete(pair);
      });
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  if (typeof address !== "object" || address === null) throw new Error("the proxy has no port");
  return {
    port: address.port,
    url: (serverUrl) => {
      const url = new URL(serverUrl);
      url.host = `127.0.0.1:${address.port}`;
      return url.toString();
    },
    cutNext: (marker, when) => new Promise<void>((done) => (armed = { marker, when, done })),
    disarm: () => {
      armed = undefined;
    },
    cutOpen: () => {
      const pairs = [...open];
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      return pairs.length;
    },
    serverPorts: () => [...open].flatMap((pair) => (pair.server.localPort === undefined ? [] : [pair.server.localPort])),
    freezeOpen: () => {
      for (const pair of open) pair.frozen = true;
    },
    close: async () => {
      for (const pair of open) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

// A TCP proxy on 127.0.0.1 in front of the test server that, while armed, has
// the server end every new connection the moment it becomes ready: when the
// server's ReadyForQuery arrives, the proxy holds it, terminates that backend
// (pg_terminate_backend on the pid the server announced in BackendKeyData),
// and hands the client ReadyForQuery and the server's FATAL error in one
// write. That is the race the PostgreSQL fleet test found by chance (the error
// arrives before pool.connect()'s caller can listen); here it happens every time.
import { createServer, connect, type Server, type Socket } from "node:net";
import { withClient } from "./pg-schemas.js";

/** A proxy to the server of `serverUrl`; see {@link startTerminatingProxy}. */
export interface TerminatingProxy {
  /** Replaces the host and port of a connection URL with the proxy's. */
  url(serverUrl: string): string;
  /** From now on (until disarmed), every new connection is terminated as it becomes ready. */
  arm(): void;
  /** New connections work again. */
  disarm(): void;
  /** How many connections were terminated as they became ready. */
  terminated(): number;
  /** Cuts every connection open at this moment. */
  cutOpen(): void;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** Starts a proxy in front of the server `serverUrl` names, on a free port. */
export async function startTerminatingProxy(serverUrl: string): Promise<TerminatingProxy> {
  const target = new URL(serverUrl);
  const targetPort = Number(target.port || 5432);
  const open = new Set<Socket>();
  let armed = false;
  let terminated = 0;
  const proxy: Server = createServer((client) => {
    const server = connect(targetPort, "127.0.0.1");
    const terminate = armed;
    // Startup replies are whole messages: a type byte, then a length that counts itself.
    let pending = Buffer.alloc(0);
    let pid: number | undefined;
    // Everything from ReadyForQuery on, once it arrived on a connection to terminate.
    let held: Buffer | undefined;
    open.add(client).add(server);
    const cut = () => {
      client.destroy();
      server.destroy();
    };
    client.on("error", cut);
    server.on("error", cut);
    client.on("close", () => {
      open.delete(client);
      cut();
    });
    server.on("close", () => {
      open.delete(server);
      // The server's FATAL error came after ReadyForQuery: both reach the client in one write.
      if (held !== undefined) client.end(held);
      else cut();
    });
    client.on("data", (chunk: Buffer) => server.write(chunk));
    server.on("data", (chunk: Buffer) => {
      if (!terminate) return void client.write(chunk);
      if (held !== undefined) {
        held = Buffer.concat([held, chunk]);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      for (let offset = 0; offset + 5 <= pending.length; ) {
        const type = String.fromCharCode(pending[offset] as number);
        const end = offset + 1 + pending.readInt32BE(offset + 1);
        if (end > pending.length) break;
        if (type === "K") pid = pending.readInt32BE(offset + 5);
        offset = end;
        if (type === "Z") {
          held = pending;
          void withClient(serverUrl, (admin) => admin.query("SELECT pg_terminate_backend($1)", [pid])).then(() => terminated++, cut);
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: (serverUrlToRoute) => {
      const url = new URL(serverUrlToRoute);
      url.host = `127.0.0.1:${port}`;
      return url.toString();
    },
    arm: () => void (armed = true),
    disarm: () => void (armed = false),
    terminated: () => terminated,
    cutOpen: () => {
      for (const socket of open) socket.destroy();
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

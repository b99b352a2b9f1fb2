// A throwaway PostgreSQL cluster for the tests and `npm run demo:fleet`:
// initdb into a temp folder, a private port on 127.0.0.1, a private socket
// folder, trust auth, no fsync (the data dies with the run anyway). Shared by
// the vitest global setup, the fleet demo and the PostgreSQL tests that
// restart the server, so they all start it the same way.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A running throwaway cluster. */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl restart -m immediate`: a crash-like restart (connections are cut, committed data survives). */
  restart(): Promise<void>;
  /** Stops the server at once and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The server binaries folder (where initdb and pg_ctl live), or an explanation of why none was found. */
export function findPgBin(): { bin: string } | { missing: string } {
  if (process.env.GOAL_STORE_PG_BIN !== undefined) return { bin: process.env.GOAL_STORE_PG_BIN };
  try {
    const listed = execFileSync("dpkg", ["-L", "postgresql-15"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const initdb = listed.split("\n").find((line) => line.endsWith("/bin/initdb"));
    if (initdb !== undefined) return { bin: initdb.slice(0, -"/initdb".length) };
  } catch {
    // Not Debian, or the package is not installed: look in the usual place.
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "initdb"))) return { bin };
  }
  return { missing: "no PostgreSQL server binaries (initdb) found: install postgresql-15 (apt-get install -y postgresql-15) or set GOAL_STORE_PG_BIN" };
}

// initdb refuses to run as root, so as root every server command runs as `postgres`.
function asServerUser(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts a throwaway cluster. Removes everything it created when start-up fails.
 * @throws {Error} with the server log when initdb or pg_ctl fails.
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<PgCluster> {
  const found = findPgBin();
  if ("missing" in found) throw new Error(found.missing);
  const folder = await mkdtemp(join(await reachableTemp(), "goal-store-pg-"));
  const data = join(folder, "data");
  const log = join(folder, "server.log");
  if (userInfo().uid === 0) {
    const { uid, gid } = await postgresIds();
    await chown(folder, uid, gid);
  }
  const server = async (command: string, args: string[]): Promise<void> => {
    const [file, argv] = asServerUser(join(found.bin, command), args);
    await run(file, argv, { timeout: 60_000 });
  };
  let port = 0;
  const start = async (verb: "start" | "restart", extra: string[] = []): Promise<void> => {
    // Tests skip fsync (the data dies with the run); the benchmark asks for a
    // durable server, so PostgreSQL pays a commit's fsync as SQLite FULL does.
    const fsync = options.durable === true ? "on" : "off";
    const settings = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=${fsync} -c max_connections=300`;
    await server("pg_ctl", [verb, "-D", data, "-l", log, "-w", "-t", "60", "-o", settings, ...extra]);
  };
  try {
    await server("initdb", ["-D", data, "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8"]);
    // A port taken between freePort and start-up is retried with another one.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await start("start");
        break;
      } catch (error) {
        if (attempt >= 2) throw error;
      }
    }
  } catch (cause) {
    const serverLog = await readFile(log, "utf8").catch(() => "");
    await rm(folder, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL cluster: ${String(cause)}\n${serverLog}`, { cause });
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: () => start("restart", ["-m", "immediate"]),
    stop: () =>
      (stopped ??= (async () => {
        await server("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => {});
        await rm(folder, { recursive: true, force: true });
      })()),
  };
}

// As root the server runs as `postgres`, which must be able to reach the
// folder: the temp folder may be private to root (0700 /tmp), so fall back to
// the sticky world-writable ones.
async function reachableTemp(): Promise<string> {
  if (userInfo().uid !== 0) return tmpdir();
  for (const candidate of [tmpdir(), "/var/tmp", "/dev/shm"]) {
    const reachable = await run("runuser", ["-u", "postgres", "--", "test", "-w", candidate, "-a", "-x", candidate]).then(
      () => true,
      () => false,
    );
    if (reachable) return candidate;
  }
  throw new Error(`the postgres user can write to none of ${tmpdir()}, /var/tmp, /dev/shm`);
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

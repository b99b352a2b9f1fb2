// One fresh schema per test keeps PostgreSQL tests apart on a shared server;
// every schema a file made is dropped after it (a server given through
// GOAL_STORE_PG_URL is left as it was found).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";

const made = new Map<string, string[]>();

/** A schema name not used before; dropped (with its tables) after the file's tests. */
export function freshSchema(url: string): string {
  const name = `gs_test_${randomBytes(6).toString("hex")}`;
  const list = made.get(url) ?? [];
  list.push(name);
  made.set(url, list);
  return name;
}

/** Runs `body` with a plain pg client on `url`, for checks and setup outside the adapter. */
export async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const [url, schemas] of made) {
    await withClient(url, async (client) => {
      for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  }
});

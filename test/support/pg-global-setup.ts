// vitest global setup: one throwaway PostgreSQL cluster for the whole run,
// removed afterwards (also when tests fail: vitest runs the teardown either
// way). GOAL_STORE_PG_URL points the tests at an existing server instead. When
// no server can be started the reason is provided instead of a URL, and the
// PostgreSQL tests report it (see pg-target.ts).
import type { TestProject } from "vitest/node";
import { startCluster, type PgCluster } from "./pg-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server the PostgreSQL tests use, or why there is none. */
    postgres: { url: string } | { unavailable: string };
  }
}

let cluster: PgCluster | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.GOAL_STORE_PG_URL;
  if (given !== undefined && given !== "") {
    project.provide("postgres", { url: given });
  } else {
    try {
      cluster = await startCluster();
      project.provide("postgres", { url: cluster.url });
    } catch (error) {
      project.provide("postgres", { unavailable: error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error) });
    }
  }
  return async () => {
    await cluster?.stop();
  };
}

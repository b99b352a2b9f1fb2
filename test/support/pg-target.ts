// The PostgreSQL server the tests use, from the global setup, and the guard
// that makes a missing server loud: locally a visible skip with the reason and
// how to enable the tests; under CI=true a failing test, never a silent pass.
import { inject, it } from "vitest";

const HOW = "install postgresql-15 (apt-get install -y postgresql-15) so the tests can start a throwaway cluster, or set GOAL_STORE_PG_URL";

/**
 * The URL of the test server, or `undefined` after registering the test that
 * reports why there is none (call it at the top of a describe block and
 * register nothing else when it returns `undefined`).
 */
export function pgUrl(): string | undefined {
  const postgres = inject("postgres");
  if ("url" in postgres) return postgres.url;
  const line = `PostgreSQL tests SKIPPED: ${postgres.unavailable}. To run them: ${HOW}.`;
  it("a PostgreSQL server is available", (context) => {
    if (process.env.CI === "true") throw new Error(`${line} Under CI=true this is a failure.`);
    console.warn(`\n!!! ${line}\n`);
    context.skip(line);
  });
  return undefined;
}


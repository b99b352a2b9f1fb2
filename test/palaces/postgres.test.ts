import { describe, it } from "vitest";
import { PostgresGoalMemory } from "../../src/palace/postgres/index.js";
import { palaceConformance } from "../../src/testing/index.js";
import { freshSchema } from "../support/pg-schemas.js";
import { pgUrl } from "../support/pg-target.js";

const url = pgUrl();

// Each palace gets its own schema; connect and reopen open another adapter on it.
const schemas = new WeakMap<PostgresGoalMemory, string>();

function openPalace(server: string, schema = freshSchema(server)): PostgresGoalMemory {
  const palace = new PostgresGoalMemory(server, { schema });
  schemas.set(palace, schema);
  return palace;
}

if (url !== undefined) {
  describe("PostgresGoalMemory passes the palace conformance suite on a real server", () => {
    palaceConformance(it, () => openPalace(url), {
      reopen: async (palace) => {
        await palace.close();
        return openPalace(url, schemas.get(palace));
      },
      // Another adapter on the same table, as another process would open. The
      // first one's feed, if any, is listening before the second writes, so the
      // feed rule sees entries rather than only the gap of its first connect.
      connect: async (palace) => {
        await palace.feedReady();
        return openPalace(url, schemas.get(palace));
      },
      breakPalace: (palace) => palace.close(),
      dispose: (palace) => palace.close(),
    });
  });
}

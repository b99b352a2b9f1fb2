export { PostgresGoalMemory, type PostgresGoalMemoryOptions } from "./postgres-goal-memory.js";
export type { PgNotification, PgPool, PgPoolClient, PgQueryResult } from "./pg-client.js";

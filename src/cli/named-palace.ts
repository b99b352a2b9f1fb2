import type { CliRequest } from "./args.js";
import type { PalaceSource } from "./palace-source.js";
import { postgresSource } from "./postgres/postgres-source.js";
import { sqliteSource } from "./sqlite-source.js";

/**
 * The palace named by --sqlite or --postgres (the parser allows one), or
 * undefined when neither is given. Nothing is read or connected yet.
 * @throws {UsageError} when the palace's options are malformed.
 */
export function openNamedPalace(request: Pick<CliRequest, "sqlite" | "postgres">): PalaceSource | undefined {
  if (request.sqlite !== undefined) return sqliteSource(request.sqlite);
  if (request.postgres !== undefined) return postgresSource(request.postgres);
  return undefined;
}

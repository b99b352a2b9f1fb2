import type { CliRequest } from "./args.js";
import { readPostgresSource } from "./postgres/postgres-source.js";
import { postgresFlags } from "./postgres/postgres-target.js";
import { readPalaceSource, type SourceReading } from "./sources.js";

/** The palace the command line names, ready to be read (again: watch reads it on every change). */
export interface NamedPalace {
  /** Reads every goal entry, read-only. */
  read(): Promise<SourceReading>;
  /** The options that name it, for a hint such as "goal-store check --sqlite FILE explains why"; no password. */
  flag: string;
}

/** The palace named by --sqlite or --postgres (the parser allows one), or undefined when neither is given. */
export function readNamedPalace(request: Pick<CliRequest, "sqlite" | "postgres">): NamedPalace | undefined {
  const { sqlite, postgres } = request;
  if (sqlite !== undefined) return { read: () => readPalaceSource(sqlite), flag: `--sqlite ${sqlite}` };
  if (postgres !== undefined) return { read: () => readPostgresSource(postgres), flag: postgresFlags(postgres) };
  return undefined;
}

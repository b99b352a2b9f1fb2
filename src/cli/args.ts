import { parseArgs } from "node:util";

/** What the command line asked for. */
export interface CliRequest {
  command: "list" | "show" | "check";
  goalId: string | undefined;
  root: string | undefined;
  sqlite: string | undefined;
  json: boolean;
}

/** A command line that cannot be run: print usage and exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The usage text printed for `--help` and for any bad command line. */
export const USAGE = `Usage: goal-store <command> [options]

Inspect the goals of a goal-store data root or SQLite palace, without changing them.

Commands:
  list          a table of every goal: id, status, progress, sessions verified/total, updated
  show <id>     one goal in full
  check         validate every entry; report skipped or corrupt entries and any
                difference between goals.json and the palace; exit 1 if anything is wrong

Options:
  --root DIR      a data root: reads DIR/sm/goals.json
  --sqlite FILE   a SQLite palace written by goal-store/sqlite (preferred over --root for list/show)
  --json          machine-readable output
  -h, --help      this text

Exit codes: 0 fine, 1 a goal not found or check found problems, 2 bad command line.`;

/**
 * Parses argv (without node and the script).
 * @throws {UsageError} for an unknown command or flag, a missing argument, or no source.
 */
export function parseCommandLine(argv: readonly string[]): CliRequest | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        root: { type: "string" },
        sqlite: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [command, ...rest] = positionals;
  if (command !== "list" && command !== "show" && command !== "check") {
    throw new UsageError(command === undefined ? "no command given" : `unknown command ${JSON.stringify(command)}`);
  }
  const expected = command === "show" ? 1 : 0;
  if (rest.length !== expected) {
    throw new UsageError(command === "show" ? "show takes exactly one goal id" : `${command} takes no arguments`);
  }
  if (values.root === undefined && values.sqlite === undefined) throw new UsageError("give --root DIR, --sqlite FILE, or both");
  return { command, goalId: rest[0], root: values.root, sqlite: values.sqlite, json: values.json };
}

import { parseCommandLine, UsageError, type CliRequest } from "./args.js";
import { checkCommand } from "./check-command.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { reportLine, type CliIo } from "./io.js";
import { listCommand } from "./list-command.js";
import { openNamedPalace } from "./named-palace.js";
import type { PalaceSource } from "./palace-source.js";
import { showCommand } from "./show-command.js";
import { COMMAND_HELP, USAGE } from "./usage.js";
import { watchCommand } from "./watch/watch-command.js";

/**
 * Runs the `goal-store` command line and returns its exit code (see
 * {@link ExitCode}). Never rejects: an unexpected error is reported as an
 * internal error (70), so that 1 keeps meaning "found a problem".
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  let request: CliRequest;
  let palace: PalaceSource | undefined;
  try {
    request = parseCommandLine(argv, io.env);
    palace = openNamedPalace(request);
  } catch (error) {
    if (!(error instanceof UsageError)) return internalError(error, io);
    // A bare `goal-store` gets the whole usage; any other mistake one line.
    if (argv.length === 0) io.err(`${USAGE}\n`);
    else reportLine(io, error.message);
    return ExitCode.usage;
  }
  try {
    return await dispatch(request, palace, io);
  } catch (error) {
    return internalError(error, io);
  } finally {
    await palace?.close().catch(() => {});
  }
}

async function dispatch(request: CliRequest, palace: PalaceSource | undefined, io: CliIo): Promise<ExitCodeValue> {
  switch (request.command) {
    case "help":
      await io.out(`${request.topic === undefined ? USAGE : (COMMAND_HELP[request.topic] ?? USAGE)}\n`);
      return ExitCode.ok;
    case "version":
      await io.out(`${io.version}\n`);
      return ExitCode.ok;
    case "list":
      return listCommand(request, palace, io);
    case "show":
      return showCommand(request, palace, io);
    case "check":
      return checkCommand(request, palace, io);
    case "watch":
      return watchCommand(request, palace, io);
  }
}

function internalError(error: unknown, io: CliIo): ExitCodeValue {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`goal-store: internal error (a bug in goal-store, please report it):\n${detail}\n`);
  return ExitCode.internal;
}

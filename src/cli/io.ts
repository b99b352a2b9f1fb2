import type { ReadStream, WriteStream } from "node:tty";
import { terminalSafe } from "../format/terminal-safe.js";

/** An interactive terminal: keys come in on `input`, the screen is `output`. */
export interface Terminal {
  input: ReadStream;
  output: WriteStream;
}

/** Where the CLI reads and writes; injectable so that it can be tested in process. */
export interface CliIo {
  /** Writes to stdout; resolves when more may be written (backpressure). */
  out(text: string): Promise<void>;
  /** Writes to stderr. */
  err(text: string): void;
  /** Whether human output may use ANSI colour (stdout is a TTY and NO_COLOR is unset). */
  colour: boolean;
  /** Present when stdin and stdout are both a terminal: `watch` then runs its live view. */
  terminal: Terminal | undefined;
  /** The process environment (GOAL_STORE_ROOT). */
  env: Readonly<Record<string, string | undefined>>;
  /** goal-store's version, for --version. */
  version: string;
}

/**
 * One line on stderr, `goal-store: ` first. Made terminal-safe like goal data:
 * it may echo what the operator typed or what a file held (a name, a path, a
 * server's message), and a control character there must not act on the terminal.
 */
export function reportLine(io: Pick<CliIo, "err">, text: string): void {
  io.err(`goal-store: ${terminalSafe(text)}\n`);
}

const CHUNK = 64 * 1024;

/**
 * Writes `lines` to stdout in chunks of about 64 KiB, each line followed by a
 * newline, waiting for the stream between chunks: a million goals go out
 * without one huge string and without outrunning a slow reader.
 */
export async function writeLines(io: Pick<CliIo, "out">, lines: Iterable<string>): Promise<void> {
  let chunk = "";
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK) {
      await io.out(chunk);
      chunk = "";
    }
  }
  if (chunk !== "") await io.out(chunk);
}

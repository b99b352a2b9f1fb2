#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { ReadStream, WriteStream } from "node:tty";
import { runCli } from "./run.js";

// The reader of a pipe may go away early (`goal-store list | head -2`); that is
// normal use, not a failure, so the process ends quietly with 0 instead of an
// unhandled EPIPE stack trace and exit 1.
let stdoutClosed = false;
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  stdoutClosed = true;
  process.exit(0);
});

function writeOut(text: string): Promise<void> {
  if (stdoutClosed) return Promise.resolve();
  const drained = process.stdout.write(text);
  // Yield between chunks either way, so an EPIPE is seen before the next chunk.
  return new Promise((resolve) => (drained ? setImmediate(resolve) : process.stdout.once("drain", resolve)));
}

// dist/cli.js (or a chunk beside it) sits one folder below package.json.
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
const interactive = process.stdin instanceof ReadStream && process.stdout instanceof WriteStream && process.stdin.isTTY && process.stdout.isTTY;

process.exitCode = await runCli(process.argv.slice(2), {
  out: writeOut,
  err: (text) => process.stderr.write(text),
  colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
  terminal: interactive ? { input: process.stdin as ReadStream, output: process.stdout as WriteStream } : undefined,
  env: process.env,
  version,
});

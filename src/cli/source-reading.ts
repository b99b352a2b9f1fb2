import { describeError } from "../../errors.js";

/**
 * One line for a failure to reach or query PostgreSQL. Node reports a refused
 * connection to a name with several addresses (localhost: ::1 and 127.0.0.1)
 * as an AggregateError with an empty message, which alone would say nothing;
 * its parts are joined instead. Newlines are folded so the line stays one.
 */
export function describeConnectionError(error: unknown): string {
  let text = describeError(error);
  if (text === "" && error instanceof AggregateError) {
    text = [...new Set(error.errors.map((part) => describeError(part)))].join("; ");
  }
  if (text === "") text = (error as { code?: unknown } | null)?.code?.toString() ?? "unknown error";
  return text.replace(/\s*\n\s*/g, " ");
}

import { GoalStoreError, type RebuildResult } from "../index.js";

/** What one source held: its goals, or why it could not be read at all. */
export interface SourceReading {
  /** `goals.json` or `palace`, for messages. */
  name: "goals.json" | "palace";
  path: string;
  result: RebuildResult | undefined;
  error: string | undefined;
}

/** A source's failure as one sentence. */
export function unreadable(source: SourceReading): string {
  return `${source.name} ${source.path} could not be read: ${source.error ?? "unknown error"}`;
}

/**
 * Why reading failed, in one line. goal-store's own errors lead with their
 * code. Node reports a refused connection to a name with several addresses
 * (localhost: ::1 and 127.0.0.1) as an AggregateError with an empty message,
 * which alone would say nothing; its parts are joined instead. Newlines are
 * folded so the line stays one.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof GoalStoreError) return `${error.code}: ${messageOf(error)}`;
  let text = messageOf(error);
  if (text === "" && error instanceof AggregateError) {
    text = [...new Set(error.errors.map((part) => messageOf(part)))].join("; ");
  }
  if (text === "") text = (error as { code?: unknown } | null)?.code?.toString() ?? "unknown error";
  return text.replace(/\s*\n\s*/g, " ");
}

// Any of these can throw for a hostile value (a getter, a null prototype).
function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return "unprintable error";
  }
}

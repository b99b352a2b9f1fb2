import { readFile } from "node:fs/promises";
import type { LogRecord, WriterLog } from "./multi-writer-check.js";

/**
 * Reads every writer's JSON-lines log after a fleet run. A SIGKILL can only
 * cut a log between lines (one write per line), but the victim's last line is
 * read leniently in case its tail is torn; anything else unreadable throws.
 */
export async function readWriterLogs(
  writers: readonly number[],
  logPath: (writer: number) => string,
  victim: number | undefined,
): Promise<WriterLog[]> {
  const logs: WriterLog[] = [];
  for (const writer of writers) {
    const text = await readFile(logPath(writer), "utf8").catch(() => "");
    const lines = text.split("\n").filter((line) => line.length > 0);
    const records: LogRecord[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch (error) {
        if (!(writer === victim && i === lines.length - 1)) throw error;
      }
    }
    logs.push({ writer, records, killed: writer === victim });
  }
  return logs;
}

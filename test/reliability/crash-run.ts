import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GoalStore } from "../../src/index.js";
import { decodeGoal } from "../../src/wire/index.js";
import { SqliteGoalMemory } from "../../src/palace/sqlite/index.js";

const CHILD = fileURLToPath(new URL("./crash-child.mjs", import.meta.url));

/** Totals over a run of {@link runCrashTrials}. */
export interface CrashStats {
  kills: number;
  acknowledged: number;
  lost: number;
  strayTempFiles: number;
  goals: number;
}

/**
 * Starts a child that commits into a SQLite palace, SIGKILLs it at a random
 * moment, and checks what it left: goals.json absent or valid, at most one temp
 * file, and a reload from the palace holding every acknowledged mutation. The
 * next child starts over the same files, so each also recovers from the last kill.
 * Throws on the first violation.
 */
export async function runCrashTrials(kills: number): Promise<CrashStats> {
  const stats: CrashStats = { kills: 0, acknowledged: 0, lost: 0, strayTempFiles: 0, goals: 0 };
  const root = await mkdtemp(join(tmpdir(), "goal-store-crash-"));
  const dbPath = join(root, "palace.sqlite");
  const newest = new Map<string, number>();
  try {
    for (let trial = 0; trial < kills; trial++) {
      const acknowledged = await runAndKill(dbPath, root, 20 + Math.random() * 250);
      for (const [id, revision] of acknowledged) newest.set(id, Math.max(newest.get(id) ?? 0, revision));
      stats.kills++;
      stats.acknowledged += acknowledged.length;

      const folder = join(root, "sm");
      const names = await readdir(folder).catch(() => [] as string[]);
      // write-file-atomic's temp names: goals.json.<uint32>.
      const temps = names.filter((name) => /^goals\.json\.\d+$/.test(name));
      if (temps.length > 1) throw new Error(`kill ${trial}: ${temps.length} temp files left: ${temps.join(", ")}`);
      stats.strayTempFiles += temps.length;
      // The next load sweeps only temp files older than an hour (a younger one
      // may be another live store's); this one's writer is dead, so age it.
      const anHourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      for (const temp of temps) await utimes(join(folder, temp), anHourAgo, anHourAgo);
      if (names.includes("goals.json")) {
        const parsed: unknown = JSON.parse(await readFile(join(folder, "goals.json"), "utf8"));
        if (!Array.isArray(parsed)) throw new Error(`kill ${trial}: goals.json is not an array`);
        parsed.forEach((entry) => decodeGoal(entry));
      }

      const palace = new SqliteGoalMemory(dbPath);
      try {
        const reloaded = await GoalStore.load(palace, await mkdtemp(join(root, "check-")));
        for (const [id, revision] of newest) {
          const goal = reloaded.get(id);
          if (goal === undefined || goal.revision < revision) {
            stats.lost++;
            throw new Error(`kill ${trial}: acknowledged ${id} revision ${revision}, reload has ${goal?.revision ?? "nothing"}`);
          }
        }
        stats.goals = reloaded.all().length;
        await reloaded.flush();
      } finally {
        palace.close();
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return stats;
}

function runAndKill(dbPath: string, root: string, afterMs: number): Promise<[string, number][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dbPath, root], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged: [string, number][] = [];
    let buffered = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") setTimeout(() => child.kill("SIGKILL"), afterMs);
        else {
          const [id, revision] = line.split(" ");
          acknowledged.push([id as string, Number(revision)]);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      // Only a line the child finished writing was an acknowledgement.
      if (signal === "SIGKILL") resolve(acknowledged);
      else reject(new Error(`child exited ${code ?? signal} before the kill: ${stderr}`));
    });
  });
}

import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempRoot } from "./helpers.js";

const repo = resolve(import.meta.dirname, "..");

async function runDemo(dataDir: string): Promise<string> {
  // TMPDIR inside a tempRoot(): tsx keeps its cache and IPC pipe in tsx-<uid> there.
  const tmp = await tempRoot();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(repo, "node_modules", "tsx", "dist", "cli.mjs"), join(repo, "examples", "orchestrator.ts")],
    { cwd: repo, env: { ...process.env, GOAL_STORE_DEMO_DIR: dataDir, TMPDIR: tmp, TMP: tmp, TEMP: tmp }, timeout: 60_000 },
  );
  return stdout;
}

describe("the demo (npm run demo)", () => {
  it("runs to completion, rebuilds from the palace, falls back to goals.json, and keeps goals across runs", async () => {
    const dataDir = await tempRoot();
    const first = await runDemo(dataDir);
    expect(first).toContain("0 goal(s) from earlier runs");
    expect(first).toMatch(/The gate refused an early close: goal g-[0-9a-f]{16} has 1\/3 sessions verified/);
    expect(first).toContain("Restarted: 2 goal(s) rebuilt from the palace (source: palace)");
    expect(first).toMatch(/Palace outage: 2 goal\(s\) read from .*goals\.json \(source: cache\)/);
    const ids = [...new Set(first.match(/g-[0-9a-f]{16}/g))];
    expect(ids).toHaveLength(2);
    const rebuilt = first.slice(first.indexOf("Restarted:"));
    for (const id of ids) expect(rebuilt).toMatch(new RegExp(`${id}\\s+done\\s+100%\\s+\\d/\\d`));

    const second = await runDemo(dataDir);
    expect(second).toContain("2 goal(s) from earlier runs");
    for (const id of ids) expect(second.slice(0, second.indexOf("Operator intent"))).toContain(id);
    expect(second).toContain("Restarted: 4 goal(s) rebuilt from the palace (source: palace)");
  }, 120_000);
});

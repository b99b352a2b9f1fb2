import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { takeoverClaim, withFileLock } from "../../src/cache/lock.js";
import { removeStrayTempFiles } from "../../src/cache/stray-temp.js";
import { tempRoot } from "../helpers.js";

const repo = resolve(import.meta.dirname, "../..");
const child = join(import.meta.dirname, "lock-takeover-child.ts");
// Above Linux's PID_MAX_LIMIT (2^22): no process ever has it.
const DEAD_PID = 2 ** 22 + 1;
const deadOwner = (token: string) => JSON.stringify({ pid: DEAD_PID, host: hostname(), token });

describe("goals.json.lock taken over from a dead holder", () => {
  it("regression (issue 19.7): 4 processes × 300 takeovers of a dead pid's lock, never two holders at once", { timeout: 120_000 }, async () => {
    const root = await tempRoot();
    const target = join(root, "goals.json");
    const marker = join(root, "inside");
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        promisify(execFile)(process.execPath, ["--import", "tsx", child, target, marker, "300"], { cwd: repo }),
      ),
    );
    const results = runs.map(({ stdout }) => JSON.parse(stdout) as { overlaps: number; planted: number; rounds: number });
    const sum = (field: "overlaps" | "planted" | "rounds") => results.reduce((total, result) => total + result[field], 0);
    // A run that stalls (a released lock put back in place) stops early: fewer rounds.
    expect({ overlaps: sum("overlaps"), rounds: sum("rounds") }).toEqual({ overlaps: 0, rounds: 1200 });
    // Most rounds go through a takeover (a round finding a live lock plants nothing).
    expect(sum("planted")).toBeGreaterThan(300);
  });

  it("a takeover claim left by a contender that died is taken over too: the lock is not stuck", async () => {
    const root = await tempRoot();
    const target = join(root, "goals.json");
    await writeFile(`${target}.lock`, deadOwner("a".repeat(32)));
    const { dev, ino } = await stat(`${target}.lock`);
    const claim = takeoverClaim(`${target}.lock`, { dev, ino, content: await readFile(`${target}.lock`, "utf8") });
    await writeFile(claim, deadOwner("b".repeat(32)));
    expect(await withFileLock(target, async () => "held")).toBe("held");
    expect(await readdir(root)).toEqual([]);
  });

  it("claims and their drafts left by dead contenders are swept like other temp files", async () => {
    const root = await tempRoot();
    const target = join(root, "goals.json");
    const hex = "0123456789abcdef".repeat(2);
    const leftovers = [`goals.json.lock.${hex}.takeover`, `goals.json.lock.${hex}.takeover.${hex}.takeover`, `goals.json.lock.${hex}.takeover.${hex}.tmp`];
    for (const name of [...leftovers, "goals.json.lock.takeover"]) await writeFile(join(root, name), deadOwner(hex));
    expect(await removeStrayTempFiles(target, 0)).toBe(leftovers.length);
    expect(await readdir(root)).toEqual(["goals.json.lock.takeover"]);
  });
});

import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { rustGoal, tempRoot } from "../helpers.js";

const repo = resolve(import.meta.dirname, "../..");
const child = join(import.meta.dirname, "read-cache-child.ts");

describe("reading goals.json takes memory for one element, not for the file", () => {
  it("regression (issue 19.11): 32 MB of 1 MB elements and two goals are read with a 24 MB heap", { timeout: 60_000 }, async () => {
    // Each element is within the size bound (so it is parsed) but is no goal: a
    // long string beside nested arrays, which a parse multiplies in memory. The
    // old reader kept every parsed element to the end: about 32 MB of strings
    // alone, past the heap limit; decoding each element as it ends keeps one.
    const junk = JSON.stringify(["x".repeat(1_000_000), JSON.parse("[".repeat(1000) + "]".repeat(1000)) as unknown]);
    const elements = [JSON.stringify(rustGoal({ id: "g-00000001" })), ...Array<string>(32).fill(junk), JSON.stringify(rustGoal({ id: "g-00000002" }))];
    const path = join(await tempRoot(), "goals.json");
    await writeFile(path, `[\n${elements.join(",\n")}\n]\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ["--max-old-space-size=24", "--import", "tsx", child, path], { cwd: repo });
    expect(JSON.parse(stdout)).toMatchObject({ goals: 2, skipped: 32 });
  });
});

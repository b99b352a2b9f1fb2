import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import type { CliIo } from "../../src/cli/io.js";
import { tempRoot } from "../helpers.js";
import { wireGoal, writeGoalsJson } from "./cli-helpers.js";

// In process: a bug cannot be provoked through the bin on purpose.
describe("goal-store CLI exit codes", () => {
  it("an internal error exits 70, not 1, which means \"found a problem\" (regression: uncaught, exit 1)", async () => {
    const root = await tempRoot();
    await writeGoalsJson(root, [wireGoal("g-00000001")]);
    let stderr = "";
    const io: CliIo = {
      out: () => Promise.reject(new TypeError("a bug")),
      err: (text) => void (stderr += text),
      colour: false,
      terminal: undefined,
      env: {},
      version: "0.0.0",
    };
    expect(await runCli(["list", "--root", root], io)).toBe(70);
    expect(stderr).toContain("internal error");
  });

});

import { describe, expect, it } from "vitest";
import { runCrashTrials } from "./crash-run.js";

describe("crash safety: SIGKILL while committing and rewriting goals.json", () => {
  it("20 kills: goals.json valid or absent, at most one temp file, nothing acknowledged lost", async () => {
    const stats = await runCrashTrials(20);
    expect(stats).toMatchObject({ kills: 20, lost: 0 });
    expect(stats.acknowledged).toBeGreaterThan(0);
  }, 120_000);
});

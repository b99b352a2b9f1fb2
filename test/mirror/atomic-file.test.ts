import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { removeStrayTempFiles, tempPathFor, writeFileAtomically } from "../../src/mirror/atomic-file.js";
import { GoalCache, GoalStore } from "../../src/index.js";
import { InMemoryGoalMemory } from "../../src/testing/index.js";
import { settleAfterTest, tempRoot } from "../helpers.js";

// Lets a test make the "random" temp name predictable, as an attacker would wish.
const forcedBytes = vi.hoisted(() => ({ value: undefined as Buffer | undefined }));
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return {
    ...actual,
    randomBytes: (size: number) => forcedBytes.value?.subarray(0, size) ?? actual.randomBytes(size),
  };
});

describe("writeFileAtomically", () => {
  it("writes the text with the exact mode and leaves no temp file", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    await writeFile(path, "old");
    await writeFileAtomically(path, "new text\n", 0o600);
    expect(await readFile(path, "utf8")).toBe("new text\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(root)).toEqual(["goals.json"]);
  });

  it("temp names are unpredictable: 128 random bits each", () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempPathFor("/x/goals.json")));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^\/x\/goals\.json\.[0-9a-f]{32}\.tmp$/);
  });

  it("a symlink planted at the temp name is not followed", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    const victim = join(root, "victim.txt");
    await writeFile(victim, "precious", { mode: 0o644 });
    await writeFile(path, "[]\n");
    forcedBytes.value = Buffer.alloc(16, 0xab);
    try {
      await symlink(victim, tempPathFor(path));
      const error: unknown = await writeFileAtomically(path, "attacker wins", 0o600).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "EEXIST" });
    } finally {
      forcedBytes.value = undefined;
    }
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    expect(await readFile(path, "utf8")).toBe("[]\n");
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
  });

  it("a planted regular file at the temp name is neither truncated nor renamed into place", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    forcedBytes.value = Buffer.alloc(16, 0xcd);
    try {
      await writeFile(tempPathFor(path), "planted");
      await expect(writeFileAtomically(path, "[]\n", 0o600)).rejects.toMatchObject({ code: "EEXIST" });
      expect(await readFile(tempPathFor(path), "utf8")).toBe("planted");
    } finally {
      forcedBytes.value = undefined;
    }
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("goals.json being a symlink replaces the link, never its target", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    const victim = join(root, "victim.txt");
    await writeFile(victim, "precious");
    await symlink(victim, path);
    await writeFileAtomically(path, "[]\n", 0o600);
    expect(await readFile(victim, "utf8")).toBe("precious");
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
    expect(await readFile(path, "utf8")).toBe("[]\n");
  });

  it("a failed rename removes its temp file", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    // A non-empty folder cannot be replaced by a file, so the rename fails.
    await mkdir(path);
    await writeFile(join(path, "inside"), "x");
    await expect(writeFileAtomically(path, "[]\n", 0o600)).rejects.toMatchObject({ code: "EISDIR" });
    expect(await readdir(root)).toEqual(["goals.json"]);
  });
});

describe("stray temp files", () => {
  it("removeStrayTempFiles removes only this module's temp names for that file", async () => {
    const root = await tempRoot();
    const path = join(root, "goals.json");
    const strays = [tempPathFor(path), tempPathFor(path)];
    for (const stray of strays) await writeFile(stray, "half a write");
    const keep = ["goals.json", "goals.json.bak", "goals.json.abc.tmp", "other.json." + "0".repeat(32) + ".tmp"];
    for (const name of keep) await writeFile(join(root, name), "keep");
    expect(await removeStrayTempFiles(path)).toBe(2);
    expect((await readdir(root)).sort()).toEqual([...keep].sort());
  });

  it("GoalStore.load sweeps the strays a killed writer left", async () => {
    const root = await tempRoot();
    const cache = new GoalCache(join(root, "sm", "goals.json"));
    await cache.writeContent("[]\n");
    await writeFile(tempPathFor(cache.path), "[{");
    settleAfterTest(await GoalStore.load(new InMemoryGoalMemory(), root));
    expect(await readdir(join(root, "sm"))).toEqual(["goals.json"]);
  });

});

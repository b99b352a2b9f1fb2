// Packs the tarball, installs it into a scratch project outside the repo, and
// loads every subpath both with import and with require, creating a goal each
// way. This is what a user gets from the registry, so it catches a broken
// exports map, a missing file in `files`, or a dependency that cannot load.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const scratch = mkdtempSync(join(tmpdir(), "goal-store-smoke-"));

try {
  run(npm, ["pack", "--pack-destination", scratch], process.cwd());
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "smoke", private: true }));
  run(npm, ["install", "--no-audit", "--no-fund", join(scratch, tarball)], scratch);

  const body = (load) => `
    const { mkdtempSync } = ${load("node:fs")};
    const { tmpdir } = ${load("node:os")};
    const { join } = ${load("node:path")};
    const { GoalStore, VerificationGateError } = ${load("goal-store")};
    const { InMemoryGoalMemory } = ${load("goal-store/testing")};
    const store = new GoalStore(new InMemoryGoalMemory(), mkdtempSync(join(tmpdir(), "smoke-")));
    store.create("smoke goal").then(async (goal) => {
      const refused = await store.close(goal.id).catch((error) => error instanceof VerificationGateError);
      await store.flush();
      console.log(goal.id, goal.status, "gate refused:", refused);
    });`;
  writeFileSync(join(scratch, "esm.mjs"), body((name) => `await import(${JSON.stringify(name)})`));
  writeFileSync(join(scratch, "cjs.cjs"), body((name) => `require(${JSON.stringify(name)})`));
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const output = run(process.execPath, [file], scratch).trim();
    if (!/^g-[0-9a-f]{16} pending gate refused: true$/.test(output)) throw new Error(`${file} printed: ${output}`);
    console.log(`${file.padEnd(8)} ${output}`);
  }
  console.log(`pack smoke: ${tarball} imports and requires cleanly`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

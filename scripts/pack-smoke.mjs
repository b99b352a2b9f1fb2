// Packs the tarball, installs it into a scratch project outside the repo, and
// checks what a user gets from the registry: every subpath loads with import and
// with require and does real work, the `goal-store` bin runs, and a TypeScript
// consumer (ESM and CommonJS, strict, no skipLibCheck) type-checks against the
// installed declarations. Catches a broken exports map, a file missing from
// `files`, a dependency that cannot load, or declarations that do not resolve.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const repo = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), "goal-store-smoke-"));

try {
  run(npm, ["pack", "--pack-destination", scratch], repo);
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "smoke", private: true }));
  run(npm, ["install", "--no-audit", "--no-fund", join(scratch, tarball)], scratch);
  // The optional peer better-sqlite3 compiles from source for a minute here, so
  // lend the scratch project the repo's build of it (and the types TS needs).
  for (const name of ["better-sqlite3", "bindings", "file-uri-to-path", "@types/node"]) {
    mkdirSync(join(scratch, "node_modules", name, ".."), { recursive: true });
    symlinkSync(resolve(repo, "node_modules", name), join(scratch, "node_modules", name), "dir");
  }

  const body = (load) => `
    const { mkdtempSync } = ${load("node:fs")};
    const { join } = ${load("node:path")};
    const { GoalStore, VerificationGateError } = ${load("goal-store")};
    const { InMemoryGoalMemory } = ${load("goal-store/testing")};
    const { SqliteGoalMemory } = ${load("goal-store/sqlite")};
    const { PostgresGoalMemory } = ${load("goal-store/postgres")};
    const { decodeGoal, encodeGoal } = ${load("goal-store/wire")};
    const { version } = ${load("goal-store/package.json", "json")};
    (async () => {
      // Inside the scratch project, which is removed afterwards.
      const root = mkdtempSync(join(process.cwd(), "root-"));
      const store = new GoalStore(new InMemoryGoalMemory(), root);
      const goal = decodeGoal(JSON.parse(encodeGoal(await store.create("smoke goal"))));
      const refused = await store.close(goal.id).catch((error) => error instanceof VerificationGateError);
      await store.flush();
      const sqlite = new SqliteGoalMemory(join(root, "palace.sqlite"));
      const durable = await GoalStore.load(sqlite, root);
      await durable.create("durable goal");
      const reloaded = (await GoalStore.load(sqlite, root)).all().length;
      sqlite.close();
      // No server here: a pool-shaped object proves the subpath loads and constructs.
      const pool = { connect: async () => { throw new Error("no server"); }, query: async () => { throw new Error("no server"); } };
      const postgres = new PostgresGoalMemory(pool, { schema: "smoke" });
      const pgRefused = await postgres.listGoals("sm-goal").then(() => false, (error) => error.message === "no server");
      await postgres.close();
      if (!pgRefused) throw new Error("PostgresGoalMemory did not use the pool it was given");
      console.log(goal.id, goal.status, "gate refused:", refused, "sqlite goals:", reloaded, "version:", version);
    })();`;
  writeFileSync(
    join(scratch, "esm.mjs"),
    body((name, type) => `(await import(${JSON.stringify(name)}${type ? `, { with: { type: "${type}" } }` : ""}))${type ? ".default" : ""}`),
  );
  writeFileSync(join(scratch, "cjs.cjs"), body((name) => `require(${JSON.stringify(name)})`));
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const output = run(process.execPath, [file], scratch).trim();
    if (!/^g-[0-9a-f]{16} pending gate refused: true sqlite goals: 1 version: \d+\.\d+\.\d+$/.test(output)) {
      throw new Error(`${file} printed: ${output}`);
    }
    console.log(`${file.padEnd(8)} ${output}`);
  }

  const help = run(join(scratch, "node_modules", ".bin", "goal-store"), ["--help"], scratch);
  if (!help.startsWith("Usage: goal-store <command>")) throw new Error(`the bin printed: ${help}`);
  console.log("bin      goal-store --help prints usage");

  const consumer = `
    import { GoalStore, GoalStoreError, type Goal, type GoalChange } from "goal-store";
    import { InMemoryGoalMemory, palaceConformance } from "goal-store/testing";
    import { SqliteGoalMemory } from "goal-store/sqlite";
    import { PostgresGoalMemory, type PgPool } from "goal-store/postgres";
    import { decodeGoal, type WireGoal } from "goal-store/wire";
    export async function typed(): Promise<Goal> {
      const store: GoalStore = await GoalStore.load(new InMemoryGoalMemory({ mode: "append" }), "/tmp/x");
      store.subscribe((change: GoalChange) => void change.previous?.revision);
      const palace: SqliteGoalMemory = new SqliteGoalMemory(":memory:");
      palace.close();
      const pool: PgPool = { connect: () => Promise.reject(new Error("none")), query: () => Promise.reject(new Error("none")) };
      await new PostgresGoalMemory(pool, { table: "goals" }).close();
      void palaceConformance;
      const goal = await store.create("typed");
      const wire: WireGoal = { id: goal.id, description: "", status: "done", acceptance: [], sessions: [], progress: 0, created: "", updated: "", notes: [], revision: 0 };
      void decodeGoal(wire);
      // @ts-expect-error: the status is a closed union
      await store.setStatus(goal.id, "closed").catch((error: unknown) => error instanceof GoalStoreError);
      return goal;
    }`;
  writeFileSync(join(scratch, "consumer.mts"), consumer);
  writeFileSync(join(scratch, "consumer.cts"), consumer.replace("export async function typed", "export async function typedCjs"));
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
      files: ["consumer.mts", "consumer.cts"],
    }),
  );
  run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", scratch], scratch);
  console.log("types    consumer.mts and consumer.cts type-check against the installed package");
  console.log(`pack smoke: ${tarball} imports and requires cleanly`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

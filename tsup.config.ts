import { defineConfig } from "tsup";

// One entry per public subpath; each entry file only re-exports.
const entries = {
  index: "src/index.ts",
  wire: "src/wire/index.ts",
  testing: "src/testing/index.ts",
  sqlite: "src/palace/sqlite/index.ts",
  postgres: "src/palace/postgres/index.ts",
};

// ESM only: Node >= 20.19 can require() an ES module, so CommonJS callers are
// served by this one build and can never load a second copy of the error
// classes (which would break `instanceof`).
export default defineConfig({
  entry: { ...entries, cli: "src/cli/main.ts" },
  format: ["esm"],
  target: "node20",
  // The CLI is a program, not an API: no declarations for it.
  dts: { entry: entries },
  sourcemap: true,
  clean: true,
  splitting: true,
});

import { defineConfig } from "tsup";

// ESM only: Node >= 20.19 can require() an ES module, so CommonJS callers are
// served by this one build and can never load a second copy of the error
// classes (which would break `instanceof`).
export default defineConfig({
  entry: { index: "src/index.ts", testing: "src/testing/index.ts", sqlite: "src/sqlite/index.ts", cli: "src/cli/main.ts" },
  format: ["esm"],
  target: "node20",
  // The CLI is a program, not an API: no declarations for it.
  dts: { entry: { index: "src/index.ts", testing: "src/testing/index.ts", sqlite: "src/sqlite/index.ts" } },
  sourcemap: true,
  clean: true,
  splitting: true,
});

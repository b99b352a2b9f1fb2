import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import layers from "./eslint/layer-imports.js";

// The folders of src/ and what each may import, bottom up: a module imports
// only modules listed for it (and the single files in `entries`), never one
// above it. model.ts and errors.ts at the bottom; util/ (neutral helpers:
// callback containment, backoff, the write scheduler); wire/ (the stored
// format, limits, bounded decoding); palace/ (the GoalMemory contract and the
// adapters) and cache/ (goals.json), which know nothing of the store; store/
// (GoalStore, queue, committer, rules, committed goals); format/, testing/,
// the public entry index.ts; the CLI, which uses the package as a user does:
// through its public entry points only.
const BELOW_STORE = ["model", "errors", "util", "wire"];
const LAYERS = {
  model: { may: [] },
  errors: { may: ["model"] },
  util: { may: ["model", "errors"] },
  wire: { may: ["model", "errors", "util"] },
  palace: { may: BELOW_STORE },
  cache: { may: BELOW_STORE },
  store: { may: [...BELOW_STORE, "palace", "cache"] },
  format: { may: BELOW_STORE },
  testing: { may: [...BELOW_STORE, "palace", "cache", "store"] },
  index: { may: [...BELOW_STORE, "palace", "cache", "store", "format"] },
  cli: {
    may: ["format", "util"],
    entries: ["index.ts", "wire/index.ts", "palace/sqlite/index.ts", "palace/postgres/index.ts"],
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "coverage/**", "node_modules/**", ".goal-store-demo/**", "docs/api/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Rules that need type information, for the TypeScript sources: a promise
  // nobody awaits or catches is how an acknowledged write goes missing.
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { layers },
    rules: { "layers/imports-downward": ["error", { root: "src", layers: LAYERS }] },
  },
);

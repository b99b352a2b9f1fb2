import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import layers from "../../eslint/layer-imports.js";

// The rule behind `npm run lint`'s layer check (eslint.config.js holds the
// real table). A small table here: bottom, middle, top, and a user of entry points.
const TABLE = {
  model: { may: [] },
  wire: { may: ["model"] },
  store: { may: ["model", "wire"] },
  cli: { may: [], entries: ["index.ts", "wire/index.ts"] },
  index: { may: ["model", "wire", "store"] },
};

const linter = new Linter({ cwd: "/project" });
const config: Linter.Config[] = [
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { layers },
    rules: { "layers/imports-downward": ["error", { root: "src", layers: TABLE }] },
  },
];

function problems(file: string, code: string): string[] {
  return linter.verify(code, config, { filename: `/project/${file}` }).map((message) => message.message);
}

describe("layers/imports-downward", () => {
  it("lets a module import the modules below it and itself", () => {
    expect(problems("src/store/a.ts", 'import { x } from "../wire/codec.js";\nimport { y } from "./b.js";\nimport type { Goal } from "../model.js";')).toEqual([]);
  });

  it("fails a back edge, also type-only, re-exported or dynamic, naming both files", () => {
    expect(problems("src/wire/codec.ts", 'import { GoalStore } from "../store/goal-store.js";')).toEqual([
      "src/wire/codec.ts may not import src/store/goal-store.ts: wire may import only model (layers in eslint.config.js)",
    ]);
    expect(problems("src/wire/codec.ts", 'import type { S } from "../store/s.js";')).toHaveLength(1);
    expect(problems("src/wire/codec.ts", 'export { S } from "../store/s.js";')).toHaveLength(1);
    expect(problems("src/wire/codec.ts", 'export * from "../store/s.js";')).toHaveLength(1);
    expect(problems("src/wire/codec.ts", 'const s = await import("../store/s.js");')).toHaveLength(1);
  });

  it("judges the file an import reaches, however deep the importer sits", () => {
    expect(problems("src/wire/deep/er/x.ts", 'import { s } from "../../../store/s.js";')).toHaveLength(1);
    expect(problems("src/store/deep/x.ts", 'import { w } from "../../wire/w.js";')).toEqual([]);
  });

  it("lets the CLI import only its entry points, not the files behind them", () => {
    expect(problems("src/cli/watch/x.ts", 'import { GoalStore } from "../../index.js";\nimport { decodeGoal } from "../../wire/index.js";')).toEqual([]);
    expect(problems("src/cli/x.ts", 'import { decodeGoal } from "../wire/codec.js";')).toEqual([
      "src/cli/x.ts may not import src/wire/codec.ts: cli may import only src/index.ts, src/wire/index.ts (layers in eslint.config.js)",
    ]);
  });

  it("asks for a place in the table for a module it does not know", () => {
    expect(problems("src/extra/x.ts", 'import { m } from "../model.js";')).toEqual([
      "extra (of src/extra/x.ts) is not in the layer table of eslint.config.js: give it a place there",
    ]);
  });

  it("ignores package imports and files outside the root", () => {
    expect(problems("src/model.ts", 'import { z } from "zod";\nimport { readFile } from "node:fs/promises";')).toEqual([]);
    expect(problems("bench/x.ts", 'import { s } from "../src/store/s.js";')).toEqual([]);
  });
});

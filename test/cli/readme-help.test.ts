import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./cli-helpers.js";

describe("README command line", () => {
  it("quotes goal-store --help exactly", async () => {
    const readme = await readFile(resolve(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Command line\n")).split(/\n## (?!#)/)[1] as string;
    const blocks = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toContain(cli(["--help"]).stdout);
  });
});

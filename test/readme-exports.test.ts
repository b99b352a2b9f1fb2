import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entryExports, repo } from "./support/entry-exports.js";
import { codeSpans, tableUnder } from "./support/markdown.js";

// README's Exports table promises users exactly what each entry point gives
// them. It is compared with the entry files as the compiler reads them (types
// included), both ways: an export without a row is undocumented, a row without
// an export documents something that is not there.

/** Per import specifier, the names README's Exports table lists for it. */
async function documentedExports(): Promise<Map<string, string[]>> {
  const readme = await readFile(join(repo, "README.md"), "utf8");
  const documented = new Map<string, string[]>();
  for (const [entryCell, namesCell] of tableUnder(readme, "Exports")) {
    const [entry, ...extra] = codeSpans(entryCell ?? "");
    if (entry === undefined || extra.length > 0) throw new Error(`an Exports row must name one entry point, got "${entryCell}"`);
    documented.set(entry, [...(documented.get(entry) ?? []), ...codeSpans(namesCell ?? "")]);
  }
  return documented;
}

// Building a compiler program over the sources takes seconds on a busy machine.
const COMPILING = 60_000;

describe("README exports table", () => {
  it("lists every name each entry point exports, and nothing else", async () => {
    const [documented, actual] = await Promise.all([documentedExports(), entryExports()]);
    expect([...documented.keys()].sort(), "entry points in the table").toEqual([...actual.keys()].sort());
    for (const [entry, names] of actual) {
      const listed = documented.get(entry) ?? [];
      expect(
        {
          entry,
          exportedButNotInReadme: names.filter((name) => !listed.includes(name)),
          inReadmeButNotExported: listed.filter((name) => !names.includes(name)),
          listedTwice: listed.filter((name, i) => listed.indexOf(name) !== i),
        },
        `README "Exports" table for ${entry}`,
      ).toEqual({ entry, exportedButNotInReadme: [], inReadmeButNotExported: [], listedTwice: [] });
    }
  }, COMPILING);
});

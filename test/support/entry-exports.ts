// What each public entry point of the package exports, read with the
// TypeScript compiler (values and types alike, through every re-export), and
// where each entry's source lives. The README tests compare it with what the
// README documents.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";

export const repo = resolve(import.meta.dirname, "..", "..");

/** The compiler options of the repository's tsconfig.json. */
export function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(resolve(repo, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (parsed === undefined) throw new Error("tsconfig.json could not be read");
  return parsed.options;
}

/**
 * Each import specifier of the package (`goal-store`, `goal-store/wire`, …) and
 * its source entry file, from tsconfig.json's `paths`, which map them for the
 * tests and examples. Throws when `paths` and package.json's `exports` do not
 * name the same subpaths, so a new subpath cannot escape the comparison.
 */
export function entryFiles(): Map<string, string> {
  const paths = compilerOptions().paths ?? {};
  const entries = new Map(Object.entries(paths).map(([specifier, [file]]) => [specifier, resolve(repo, file as string)]));
  const manifest = JSON.parse(readFileSync(resolve(repo, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
  const exported = Object.keys(manifest.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`));
  const mapped = [...entries.keys()];
  if ([...exported].sort().join() !== [...mapped].sort().join()) {
    throw new Error(`package.json exports ${exported.join(", ")} but tsconfig.json paths map ${mapped.join(", ")}`);
  }
  return entries;
}

/** Per import specifier, every name its entry file exports, sorted. */
export function entryExports(): Map<string, string[]> {
  const entries = entryFiles();
  const program = ts.createProgram([...entries.values()], { ...compilerOptions(), noEmit: true });
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const [specifier, file] of entries) {
    const source = program.getSourceFile(file);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`${file} is not a module the compiler can read`);
    result.set(specifier, checker.getExportsOfModule(module).map((symbol) => symbol.name).sort());
  }
  return result;
}

// Reading the README and docs/*.md the way the documentation tests need:
// fenced code blocks with the headings they sit under, and tables.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The file, relative to the repository (`README.md`, `docs/palaces.md`). */
  readonly file: string;
  /** The `## ` section it sits in (`""` before the first one). */
  readonly section: string;
  /** The nearest heading above it, of any level. */
  readonly heading: string;
  /** The fence's info string (`js`, `ts`, `sh`, …; `""` when none). */
  readonly language: string;
  readonly code: string;
}

/** README.md and every Markdown file directly in docs/ (docs/api/ is generated HTML). */
export function documentationFiles(repo: string): string[] {
  const docs = readdirSync(join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(repo, "docs", name));
  return [join(repo, "README.md"), ...docs];
}

/** Every fenced code block of `path`, in order. */
export function codeBlocks(repo: string, path: string): CodeBlock[] {
  const file = relative(repo, path);
  const blocks: CodeBlock[] = [];
  let section = "";
  let heading = "";
  let fence: { language: string; lines: string[] } | undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (fence !== undefined) {
      if (line.startsWith("```")) {
        blocks.push({ file, section, heading, language: fence.language, code: `${fence.lines.join("\n")}\n` });
        fence = undefined;
      } else {
        fence.lines.push(line);
      }
    } else if (line.startsWith("```")) {
      fence = { language: line.slice(3).trim(), lines: [] };
    } else if (/^#{1,6} /.test(line)) {
      heading = line.replace(/^#+ /, "");
      if (line.startsWith("## ")) section = heading;
    }
  }
  if (fence !== undefined) throw new Error(`${file}: a code block under "${heading}" is never closed`);
  return blocks;
}

/**
 * The rows of the first table under the heading `heading` (any level) of
 * `markdown`, each as its cells, without the header and separator rows.
 */
export function tableUnder(markdown: string, heading: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, "") === heading);
  if (start === -1) throw new Error(`no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6} /.test(line)) break;
    if (line.startsWith("|")) {
      rows.push(line.slice(1, line.endsWith("|") ? -1 : undefined).split(/(?<!\\)\|/).map((cell) => cell.trim()));
    } else if (rows.length > 0) {
      break;
    }
  }
  // rows[0] is the header, rows[1] the |---| separator.
  return rows.slice(2);
}

/** The `code spans` of a table cell. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}

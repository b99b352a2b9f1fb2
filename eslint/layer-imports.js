// An ESLint rule that keeps the imports between the folders of src/ pointing
// one way: each module (a folder of src/, or a file at its top: model.ts,
// errors.ts, index.ts) may import only the modules its entry in the layer
// table names, plus, if listed, single entry files of others. Relative imports
// are resolved against the importing file, so the rule judges the file a
// specifier reaches, not how the specifier is spelled.
import { dirname, relative, resolve, sep } from "node:path";

/** The module of a path relative to the source root: its first folder, or its file name without extension. */
function moduleOf(fromRoot) {
  const [first, ...rest] = fromRoot.split(sep);
  return rest.length === 0 ? first.replace(/\.[cm]?[jt]s$/, "") : first;
}

// `./x.js` in TypeScript source names `./x.ts`.
function sourcePath(fromRoot) {
  return fromRoot.split(sep).join("/").replace(/\.[cm]?js$/, ".ts");
}

const rule = {
  meta: {
    type: "problem",
    docs: { description: "imports between the folders of src/ only go down the layers" },
    schema: [
      {
        type: "object",
        properties: {
          root: { type: "string" },
          layers: {
            type: "object",
            additionalProperties: {
              type: "object",
              properties: {
                may: { type: "array", items: { type: "string" } },
                entries: { type: "array", items: { type: "string" } },
              },
              required: ["may"],
              additionalProperties: false,
            },
          },
        },
        required: ["root", "layers"],
        additionalProperties: false,
      },
    ],
    messages: {
      backEdge: "{{from}} may not import {{target}}: {{module}} may import only {{allowed}} (layers in eslint.config.js)",
      unknown: "{{module}} (of {{from}}) is not in the layer table of eslint.config.js: give it a place there",
    },
  },
  create(context) {
    const { root: rootOption, layers } = context.options[0];
    const root = resolve(context.cwd, rootOption);
    const file = context.filename;
    const fileFromRoot = relative(root, file);
    if (fileFromRoot.startsWith("..")) return {};
    const from = moduleOf(fileFromRoot);
    const layer = layers[from];

    function check(node, specifier) {
      if (typeof specifier !== "string" || !specifier.startsWith(".")) return;
      const targetFromRoot = relative(root, resolve(dirname(file), specifier));
      if (targetFromRoot.startsWith("..")) return;
      const target = moduleOf(targetFromRoot);
      if (target === from) return;
      if (layer === undefined) {
        context.report({ node, messageId: "unknown", data: { module: from, from: `${rootOption}/${sourcePath(fileFromRoot)}` } });
        return;
      }
      const targetPath = sourcePath(targetFromRoot);
      if (layer.may.includes(target) || (layer.entries ?? []).includes(targetPath)) return;
      const allowed = [...layer.may, ...(layer.entries ?? []).map((entry) => `${rootOption}/${entry}`)];
      context.report({
        node,
        messageId: "backEdge",
        data: {
          from: `${rootOption}/${sourcePath(fileFromRoot)}`,
          target: `${rootOption}/${targetPath}`,
          module: from,
          allowed: allowed.length === 0 ? "nothing of the package" : allowed.join(", "),
        },
      });
    }

    const fromSource = (node) => check(node.source, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: (node) => node.source && fromSource(node),
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
      TSImportType: (node) => {
        const literal = node.argument?.type === "TSLiteralType" ? node.argument.literal : node.argument;
        if (literal?.type === "Literal") check(literal, literal.value);
      },
    };
  },
};

/** The plugin: `layers/imports-downward`. */
export default { rules: { "imports-downward": rule } };

import type { ESLint } from "eslint";

/** The `layers` plugin: its rule `imports-downward` keeps imports between the folders of src/ pointing down the layers. */
declare const plugin: ESLint.Plugin;
export default plugin;

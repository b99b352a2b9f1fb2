import { defaultCacheFile, GoalCache } from "../index.js";
import { notARegularFile } from "./file-checks.js";
import { describeFailure, type SourceReading } from "./source-reading.js";

/** Reads `<root>/sm/goals.json`; a missing file reads as an error here, since the user named it. */
export async function readCacheSource(root: string): Promise<SourceReading> {
  const path = defaultCacheFile(root);
  const refused = await notARegularFile(path);
  if (refused !== undefined) {
    const hint = refused === "file not found" ? ` (is ${root} a goal-store data root?)` : "";
    return { name: "goals.json", path, result: undefined, error: `${refused}${hint}` };
  }
  try {
    return { name: "goals.json", path, result: await new GoalCache(path).read(), error: undefined };
  } catch (error) {
    return { name: "goals.json", path, result: undefined, error: describeFailure(error) };
  }
}

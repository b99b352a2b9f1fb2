import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { ChangeSource } from "./change-source.js";

/** Options of {@link cacheFileChanges}. */
export interface CacheFileChangesOptions {
  /**
   * How often the file's identity is compared besides fs.watch, in ms.
   * @default 1000
   */
  pollMs?: number;
}

/**
 * Changes of goals.json. The writer replaces the file by rename, which a watch
 * on the file itself stops seeing after the first replace, so the folder is
 * watched; fs.watch can also miss events (network file systems, a folder that
 * does not exist yet), so the file's inode, size and mtime are polled as well.
 */
export function cacheFileChanges(path: string, options: CacheFileChangesOptions = {}): ChangeSource {
  return {
    start(onChange) {
      let watcher: FSWatcher | undefined;
      let last = "";
      let stopped = false;
      const compare = async () => {
        const signature = await stat(path).then(
          (info) => `${info.ino}:${info.size}:${info.mtimeMs}`,
          () => "missing",
        );
        if (stopped || signature === last) return;
        last = signature;
        // Also on the first look: a change between watch's first read and
        // this baseline would otherwise go unseen.
        onChange();
      };
      void compare();
      const watchFolder = () => {
        if (watcher !== undefined) return;
        try {
          watcher = watch(dirname(path), (_event, name) => {
            if (name === null || name === basename(path)) void compare();
          });
          watcher.on("error", () => {
            watcher?.close();
            watcher = undefined;
          });
        } catch {
          // The folder may not exist yet; the poll retries.
        }
      };
      watchFolder();
      const timer = setInterval(() => {
        watchFolder();
        void compare();
      }, options.pollMs ?? 1000);
      return () => {
        stopped = true;
        clearInterval(timer);
        watcher?.close();
      };
    },
  };
}

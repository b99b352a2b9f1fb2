import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach } from "vitest";

/** A program running in a terminal of its own. */
export interface TmuxTerminal {
  /** The screen as it is now, with its escape sequences. */
  screen: () => string;
  /** Types keys (tmux key names: "q", "Enter", "Escape"). */
  keys: (...keys: string[]) => void;
  /** Whether the program still runs (the session ends with it). */
  alive: () => boolean;
}

const servers: string[] = [];
afterEach(() => {
  for (const socket of servers.splice(0)) {
    try {
      execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" });
    } catch {
      // Already gone: the view quit and took the session with it.
    }
  }
});

/** A tmux server of its own (so tests never touch the user's), running `command` in a 120x20 terminal; killed after the test. */
export function terminal(command: string[], env: Record<string, string> = {}): TmuxTerminal {
  const socket = `goal-store-test-${randomBytes(6).toString("hex")}`;
  servers.push(socket);
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const exports = Object.entries(env).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const shellCommand = ["env", "-u", "GOAL_STORE_ROOT", ...exports, ...command.map((word) => JSON.stringify(word))].join(" ");
  tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "20", shellCommand);
  return {
    screen: () => tmux("capture-pane", "-p", "-e", "-t", "t"),
    keys: (...keys) => void tmux("send-keys", "-t", "t", ...keys),
    alive: () => {
      try {
        tmux("has-session", "-t", "t");
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** `text` without its colour and video attributes. */
// eslint-disable-next-line no-control-regex
export const stripSgr = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, "");

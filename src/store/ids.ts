import { v4 as uuidv4 } from "uuid";

/**
 * A new goal id: `g-` and the first 16 hex digits of a v4 UUID (64 random bits),
 * retried while `taken(id)` says the id is already in use.
 */
export function mintGoalId(taken: (id: string) => boolean = () => false): string {
  for (;;) {
    const id = `g-${uuidv4().replaceAll("-", "").slice(0, 16)}`;
    if (!taken(id)) return id;
  }
}

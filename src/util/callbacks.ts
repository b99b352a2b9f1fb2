import { describeError } from "../errors.js";

/**
 * Calls a caller-supplied callback (a `subscribe` listener, `onCacheError`)
 * so that nothing it does reaches the store: a throw of any value (even one
 * without a string form) and a returned promise that rejects are reported with
 * `process.emitWarning` under `code`, never rethrown and never left unhandled.
 */
export function callContained(what: string, code: string, call: () => unknown): void {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    warn(what, code, error);
    return;
  }
  containRejection(what, code, result);
}

function containRejection(what: string, code: string, result: unknown): void {
  if ((typeof result !== "object" && typeof result !== "function") || result === null) return;
  try {
    // Reading `then` can itself throw (a getter); a thenable gets a handler so a
    // rejection is reported here instead of crashing the process.
    const then: unknown = (result as { then?: unknown }).then;
    if (typeof then === "function") {
      then.call(result, undefined, (error: unknown) => warn(what, code, error));
    }
  } catch (error) {
    warn(what, code, error);
  }
}

function warn(what: string, code: string, error: unknown): void {
  process.emitWarning(`goal-store: ${what} failed: ${describeError(error)}`, { code });
}

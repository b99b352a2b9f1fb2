/**
 * Runs async tasks one at a time, in the order they were submitted, whether or
 * not their callers await each other. A failed task does not stop the ones
 * behind it.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

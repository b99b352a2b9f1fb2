/**
 * The store's order of work: mutations and exclusive tasks (a load, a remote
 * commit from the feed, a flush barrier) run in call order, one step at a
 * time. Mutations waiting next to each other are handed over together, so a
 * palace that can write several entries at once gets them as one batch
 * (group commit); a task is never part of a batch and waits for the batch
 * before it. A failed task or item does not stop the ones behind it.
 */
export class CommitQueue<Item> {
  readonly #handle: (items: Item[]) => Promise<readonly Item[]>;
  readonly #maxBatch: number;
  readonly #jobs: ({ kind: "item"; item: Item } | { kind: "task"; run: () => Promise<void> })[] = [];
  #pumping = false;

  /**
   * @param handle settles the items it is given (each item carries its own
   *   resolve/reject) and returns those to run again; they go back to the head
   *   of the queue in the order returned, so a retry keeps its place.
   * @param maxBatch most items handed over at once.
   */
  constructor(handle: (items: Item[]) => Promise<readonly Item[]>, maxBatch: number) {
    this.#handle = handle;
    this.#maxBatch = maxBatch;
  }

  /** Queues a mutation. */
  add(item: Item): void {
    this.#jobs.push({ kind: "item", item });
    this.#pump();
  }

  /** Runs `task` alone, after everything queued before it. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ kind: "task", run: () => task().then(resolve, reject) });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    // Started on the next turn of the event loop, not a microtask: callers that
    // each wake in their own callback (an await on I/O, a setImmediate) all
    // queue up first and travel together.
    void new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
          if (job.kind === "task") {
            await job.run();
            continue;
          }
          const items = [job.item];
          while (items.length < this.#maxBatch && this.#jobs[0]?.kind === "item") {
            items.push((this.#jobs.shift() as { item: Item }).item);
          }
          const again = await this.#handle(items).catch((): readonly Item[] => []);
          this.#jobs.unshift(...again.map((item) => ({ kind: "item" as const, item })));
        }
      })
      .finally(() => {
        this.#pumping = false;
        if (this.#jobs.length > 0) this.#pump();
      });
  }
}

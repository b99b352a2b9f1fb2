import { describe, expect, it } from "vitest";
import { WriteScheduler, type WriteSchedulerOptions } from "../../src/util/write-scheduler.js";

const HOUR = 60 * 60 * 1000;

// A run the test lets finish (or fail) when it wants, and what the runs saw.
function controlledRuns() {
  const runs: { finish: () => void; fail: (error: unknown) => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const run = () =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const settle = (end: () => void) => () => {
        inFlight--;
        end();
      };
      runs.push({ finish: settle(resolve), fail: (error) => settle(() => reject(error))() });
    });
  return { run, runs, mostInFlight: () => mostInFlight };
}

const turns = async (count = 5) => {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

// A scheduler over controlled runs, asked once, its first run started.
async function firstRunStarted(options?: WriteSchedulerOptions) {
  const controlled = controlledRuns();
  const scheduler = new WriteScheduler(controlled.run, options);
  scheduler.request();
  await turns();
  return { scheduler, ...controlled };
}

describe("WriteScheduler", () => {
  it("runs one at a time: requests during a run cause exactly one more run", async () => {
    const { scheduler, runs, mostInFlight } = await firstRunStarted();
    expect(runs).toHaveLength(1);
    scheduler.request();
    scheduler.request();
    scheduler.request();
    await turns();
    expect(runs).toHaveLength(1);
    runs[0]?.finish();
    await turns();
    expect(runs).toHaveLength(2);
    runs[1]?.finish();
    await turns();
    expect(runs).toHaveLength(2);
    expect(mostInFlight()).toBe(1);
  });

  it("flush with nothing requested resolves without running", async () => {
    const { run, runs } = controlledRuns();
    await new WriteScheduler(run).flush();
    expect(runs).toHaveLength(0);
  });

  it("flush resolves once a run that started after the call has finished", async () => {
    const { scheduler, runs } = await firstRunStarted();
    scheduler.request();
    let flushed = false;
    const flush = scheduler.flush().then(() => (flushed = true));
    runs[0]?.finish();
    await turns();
    expect(flushed).toBe(false);
    expect(runs).toHaveLength(2);
    runs[1]?.finish();
    await flush;
    expect(flushed).toBe(true);
  });

  it("flush rejects with the error of its own run, and onError is told", async () => {
    const { run, runs } = controlledRuns();
    const reported: unknown[] = [];
    const scheduler = new WriteScheduler(run, { onError: (error) => reported.push(error) });
    const failure = new Error("disk full");
    scheduler.request();
    const flush = scheduler.flush().catch((error: unknown) => error);
    await turns();
    runs[0]?.fail(failure);
    expect(await flush).toBe(failure);
    expect(reported).toEqual([failure]);
    expect(runs).toHaveLength(1);
  });

  it("a run that started before flush and fails is retried by flush, which resolves on the retry", async () => {
    const reported: unknown[] = [];
    const { scheduler, runs } = await firstRunStarted({ onError: (error) => reported.push(error) });
    const flush = scheduler.flush();
    runs[0]?.fail(new Error("disk being repaired"));
    await turns();
    expect(runs).toHaveLength(2);
    runs[1]?.finish();
    await flush;
    expect(reported).toHaveLength(1);
  });

  it("after a failed run nothing runs again until the next request or flush", async () => {
    const { scheduler, runs } = await firstRunStarted();
    runs[0]?.fail(new Error("down"));
    await turns(20);
    expect(runs).toHaveLength(1);
    scheduler.request();
    await turns();
    expect(runs).toHaveLength(2);
  });

  it("rests minIntervalMs after a run, and flush ends the rest at once", async () => {
    const { scheduler, runs } = await firstRunStarted({ minIntervalMs: HOUR });
    runs[0]?.finish();
    await turns();
    scheduler.request();
    await turns(20);
    expect(runs).toHaveLength(1);
    const flush = scheduler.flush();
    await turns();
    expect(runs).toHaveLength(2);
    runs[1]?.finish();
    await flush;
  });
});

/** Helpers for the DAG tests: a store on PGlite in memory and a fake clock (captured output: ../../helpers). */
import { before } from "node:test";
import { openSql } from "../../../lib/sql";
import type { SqlDatabase } from "../../../lib/sql";
import { openDagStore, type DagStore } from "../../../lib/dag/store";
import type { Clock } from "../../../lib/dag/clock";

export { captured } from "../../helpers";

/**
 * One in-memory PGlite for a whole test file; tests use distinct DAG ids. It is opened in a
 * `before` hook with its own generous limit: opening PGlite takes seconds, and close to a minute on
 * a loaded 2-core machine, which must not count against the first test's time limit. Close it in
 * the file's `after`:
 *   const shared = sharedStore(); after(() => shared.close());
 */
export function sharedStore(): { get(): Promise<{ store: DagStore; db: SqlDatabase }>; close(): Promise<void> } {
  let opened: Promise<{ store: DagStore; db: SqlDatabase }> | undefined;
  const get = () => (opened ??= openSql({ memory: true }).then(async (db) => ({ db, store: await openDagStore({ db }) })));
  before(async () => {
    await get();
  }, { timeout: 300_000 });
  return {
    get,
    close: async () => {
      if (opened) await (await opened).db.close();
    },
  };
}

/** A clock whose sleep advances its time at once (after yielding to other callbacks). */
export interface FakeClock extends Clock {
  sleeps: number[];
}

export function fakeClock(start = "2024-06-01T00:00:00Z"): FakeClock {
  let now = Date.parse(start);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: async (ms, signal) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** Resolves after a few ms (a task that takes a little time). */
export function pause(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Task id -> state of a run. */
export function statesOf(run: { tasks: { taskId: string; state: string }[] }): Record<string, string> {
  return Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
}

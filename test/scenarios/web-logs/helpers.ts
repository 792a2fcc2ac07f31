/** Test helpers for the web-logs scenario: a real embedded broker, a lake in a temp folder, an in-memory warehouse and DAG store. */
import * as path from "node:path";
import type { TestContext } from "node:test";
import { openDagStore, type DagStore } from "../../../lib/dag";
import { openLake } from "../../../lib/lake";
import type { Lake } from "../../../lib/lake/lake";
import { openSql } from "../../../lib/sql";
import { openWarehouse } from "../../../lib/warehouse";
import type { Warehouse } from "../../../lib/warehouse/warehouse";
import { defer, tempDir, testBroker } from "../../lib/stream/helpers";
import { publishLogLines } from "../../../scenarios/web-logs/producer";
import { markStreamEnded, startLakeWriter } from "../../../scenarios/web-logs/lake-writer";

type Ctx = Pick<TestContext, "after">;

export async function testLake(t: Ctx): Promise<{ lake: Lake; dir: string }> {
  const dir = tempDir(t, "weblogs-test-");
  const lake = await openLake({ root: path.join(dir, "lake") });
  defer(t, () => lake.close());
  return { lake, dir };
}

export async function testWarehouse(t: Ctx): Promise<Warehouse> {
  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  return wh;
}

export async function testStore(t: Ctx): Promise<DagStore> {
  const db = await openSql({ memory: true });
  defer(t, () => db.close());
  const store = await openDagStore({ db });
  defer(t, () => store.close());
  return store;
}

export { defer, tempDir, testBroker };

/** Streams `lines` through a real broker and the stream writer into `lake`; marks the stream ended unless told not to. */
export async function fillLake(t: Ctx, lake: Lake, lines: readonly string[], options: { end?: boolean } = {}): Promise<void> {
  const { kafka } = await testBroker(t);
  const topic = `web-logs-${Math.random().toString(36).slice(2, 10)}`;
  await publishLogLines(kafka, topic, lines);
  const writer = await startLakeWriter({ kafka, lake, topic, checkpointDir: path.join(tempDir(t, "weblogs-ck-"), "ck") });
  try {
    await writer.drain();
  } finally {
    await writer.close();
  }
  if (options.end ?? true) await markStreamEnded(lake);
}

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

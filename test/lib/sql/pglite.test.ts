import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openSql } from "../../../lib/sql";
import { sqlSuite } from "./suite";

sqlSuite("PGlite in memory", () => openSql({ memory: true }));

test("PGlite in a data folder keeps its tables across close and open", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = await openSql({ dataDir: dir });
  assert.equal(a.kind, "pglite");
  await a.exec("CREATE TABLE kept (x int PRIMARY KEY)");
  await a.upsert("kept", [{ x: 1 }, { x: 41 }], { key: ["x"] });
  await a.close();
  const b = await openSql({ dataDir: dir });
  t.after(() => b.close());
  assert.deepEqual((await b.query("SELECT sum(x)::int AS s FROM kept")).rows, [{ s: 42 }]);
});

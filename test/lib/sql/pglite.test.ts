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

test("PGlite loads the contrib extensions it is asked for: unaccent and pg_trgm work after CREATE EXTENSION", async (t) => {
  const db = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  t.after(() => db.close());
  await db.exec("CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm");
  const { rows } = await db.query<{ u: string; s: number }>("SELECT unaccent('Nymphéas Étude') AS u, similarity('water lilies', 'water lilys') AS s");
  assert.equal(rows[0].u, "Nympheas Etude");
  assert.ok(rows[0].s > 0.5 && rows[0].s < 1, `similarity ${rows[0].s}`);
});

test("PGlite without extensions has no unaccent, and an unknown extension name is refused with the list", async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  await assert.rejects(db.exec("CREATE EXTENSION unaccent"));
  await assert.rejects(openSql({ memory: true, extensions: ["postgis" as never] }), (err: Error) => /unaccent, pg_trgm/.test(err.message));
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { batchRecompute } from "../../../scenarios/netflix/oracle";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import type { Title } from "../../../scenarios/netflix/titles";
import { tempDir } from "../../helpers";

test("batchRecompute in a given warehouse uses temporary tables only: the warehouse's own titles, lines and valid stay", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, "part-0.csv");
  fs.writeFileSync(source, `${RATING_HEADER}\n2005-01-03,1,10,5\n2005-01-04,1,11,4\n2005-01-04,2,12,3\nbad line\n`);
  const titles = new Map<number, Title>([[1, { movieId: 1, year: 2001, title: "One" }], [2, { movieId: 2, year: 2002, title: "Two, too" }]]);
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  for (const table of ["titles", "lines", "valid"]) await wh.query(`CREATE TABLE ${table} AS SELECT 'mine' AS owner`);

  const result = await batchRecompute(source, titles, {}, { warehouse: wh });
  assert.deepEqual([result.lines, result.valid, result.movieRatings.length], [4, 3, 2]);
  for (const table of ["titles", "lines", "valid"]) assert.deepEqual((await wh.query(`SELECT owner FROM ${table}`)).rows, [{ owner: "mine" }], table);
  const temp = await wh.query("SELECT table_name FROM duckdb_tables() WHERE temporary");
  assert.deepEqual(temp.rows, [], "the work tables were dropped");
});

/** The PostgreSQL operations every backend must support; run by pglite.test.ts and postgres.test.ts. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { SqlDatabase } from "../../../lib/sql";
import { SqlError } from "../../../lib/errors";

let counter = 0;
/** A table name no other test (or run) uses. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

export function sqlSuite(name: string, open: () => Promise<SqlDatabase>, skip: string | false = false): void {
  let db: SqlDatabase | undefined;
  const get = async (): Promise<SqlDatabase> => (db ??= await open());
  const tables: string[] = [];
  const table = async (ddl: (t: string) => string): Promise<string> => {
    const t = uniqueTable("ratings");
    tables.push(t);
    await (await get()).exec(ddl(t));
    return t;
  };
  after(() => db?.close());
  const ratingsDdl = (t: string): string =>
    `CREATE TABLE ${t} (window_start date NOT NULL, movie_id int8 NOT NULL, n int NOT NULL, total numeric, title text, updated timestamptz, PRIMARY KEY (window_start, movie_id));\nCREATE INDEX ON ${t} (movie_id);`;

  test(`${name}: parameterised query returns normalised values`, { skip }, async () => {
    const sql = await get();
    const t1 = await table(ratingsDdl);
    const when = new Date("2021-03-26T14:02:11.000Z");
    const inserted = await sql.query(`INSERT INTO ${t1} VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12)`, ["1999-11-11", 1, 3, 12.5, "Dinosaur Planet, Part 1", when, "1999-11-11", 2, 1, null, null, null]);
    assert.equal(inserted.rowCount, 2);
    const r = await sql.query(`SELECT * FROM ${t1} WHERE movie_id = $1`, [1]);
    assert.deepEqual(r.columns, ["window_start", "movie_id", "n", "total", "title", "updated"]);
    assert.deepEqual(r.rows, [{ window_start: "1999-11-11", movie_id: 1, n: 3, total: 12.5, title: "Dinosaur Planet, Part 1", updated: when }]);
    const big = await sql.query<{ b: bigint }>("SELECT 9007199254740993::int8 AS b");
    assert.equal(big.rows[0].b, 9007199254740993n);
  });

  test(`${name}: upsert inserts new keys and updates existing ones`, { skip }, async () => {
    const sql = await get();
    const t1 = await table(ratingsDdl);
    const n1 = await sql.upsert(t1, [
      { window_start: "1999-11-11", movie_id: 1, n: 1, total: 5 },
      { window_start: "1999-11-11", movie_id: 2, n: 1, total: 3 },
    ], { key: ["window_start", "movie_id"] });
    assert.equal(n1, 2);
    const n2 = await sql.upsert(t1, [
      { window_start: "1999-11-11", movie_id: 1, n: 2, total: 9 },
      { window_start: "1999-12-11", movie_id: 1, n: 1, total: 4 },
    ], { key: ["window_start", "movie_id"] });
    assert.equal(n2, 2);
    const { rows } = await sql.query(`SELECT window_start, movie_id, n, total FROM ${t1} ORDER BY window_start, movie_id`);
    assert.deepEqual(rows, [
      { window_start: "1999-11-11", movie_id: 1, n: 2, total: 9 },
      { window_start: "1999-11-11", movie_id: 2, n: 1, total: 3 },
      { window_start: "1999-12-11", movie_id: 1, n: 1, total: 4 },
    ]);
    // update: [] keeps the old row
    await sql.upsert(t1, [{ window_start: "1999-11-11", movie_id: 2, n: 99 }], { key: ["window_start", "movie_id"], update: [] });
    assert.equal((await sql.query<{ n: number }>(`SELECT n FROM ${t1} WHERE movie_id = 2`)).rows[0].n, 1);
    await assert.rejects(sql.upsert(t1, [{ movie_id: 3, n: 1 }], { key: ["window_start", "movie_id"] }), /key column "window_start" is not in the rows/);
  });

  test(`${name}: a large upsert is split under the parameter limit`, { skip }, async () => {
    const sql = await get();
    const t1 = await table(ratingsDdl);
    const rows = Array.from({ length: 15_000 }, (_, i) => ({ window_start: "2000-01-01", movie_id: i, n: i % 7, total: i / 2 }));
    assert.equal(await sql.upsert(t1, rows, { key: ["window_start", "movie_id"] }), 15_000);
    const { rows: sum } = await sql.query<{ c: number; s: number }>(`SELECT count(*) AS c, sum(n) AS s FROM ${t1}`);
    assert.deepEqual(sum[0], { c: 15_000, s: rows.reduce((a, r) => a + r.n, 0) });
  });

  test(`${name}: a transaction commits on success and rolls back on error`, { skip }, async () => {
    const sql = await get();
    const t1 = await table(ratingsDdl);
    const result = await sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${t1} (window_start, movie_id, n) VALUES ($1, $2, $3)`, ["2001-01-01", 1, 1]);
      await tx.upsert(t1, [{ window_start: "2001-01-01", movie_id: 1, n: 2 }], { key: ["window_start", "movie_id"] });
      return (await tx.query<{ n: number }>(`SELECT n FROM ${t1}`)).rows[0].n;
    });
    assert.equal(result, 2);
    await assert.rejects(sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM ${t1}`);
      await tx.query(`INSERT INTO ${t1} (window_start, movie_id, n) VALUES ($1, $2, $3)`, ["2001-01-02", 2, null]);
    }), (err: Error) => err instanceof SqlError && /null value in column "n"/.test(err.message));
    const { rows } = await sql.query(`SELECT movie_id, n FROM ${t1}`);
    assert.deepEqual(rows, [{ movie_id: 1, n: 2 }]);
  });

  test(`${name}: SQL errors carry the SQL text and the position`, { skip }, async () => {
    const sql = await get();
    const text = "SELECT 1 AS a,\n       no_such_column\nFROM generate_series(1, 3)";
    await assert.rejects(sql.query(text), (err: Error) => {
      assert.ok(err instanceof SqlError);
      assert.equal(err.sql, text);
      assert.equal(err.position?.line, 2);
      assert.equal(err.position?.column, 8);
      assert.match(err.message, /no_such_column/);
      assert.match(err.message, /\n {4} \| {8}\^/);
      return true;
    });
    await assert.rejects(sql.exec("CREATE TABLE ok_name (a int);\nCREAT TABLE"), (err: Error) => err instanceof SqlError && err.position?.line === 2);
    // the database is still usable after errors
    assert.deepEqual((await sql.query("SELECT 2 AS two")).rows, [{ two: 2 }]);
  });

  test(`${name}: close releases the database`, { skip }, async () => {
    const sql = await get();
    for (const t of tables) await sql.exec(`DROP TABLE IF EXISTS ${t}`);
    await sql.exec("DROP TABLE IF EXISTS ok_name");
    await sql.close();
    await sql.close();
    await assert.rejects(sql.query("SELECT 1"), /closed/);
  });
}

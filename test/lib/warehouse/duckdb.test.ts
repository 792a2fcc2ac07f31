import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openWarehouse } from "../../../lib/warehouse";
import { DuckDBWarehouse } from "../../../lib/warehouse/duckdb";
import type { TableSchema, Warehouse } from "../../../lib/warehouse";
import { dialect } from "../../../lib/warehouse/dialect";
import { SqlError } from "../../../lib/errors";
import { isWorkbookError } from "../../../lib/errors";

const VISITS: TableSchema = {
  columns: [
    { name: "day", type: "DATE", mode: "REQUIRED" },
    { name: "ts", type: "TIMESTAMP" },
    { name: "state", type: "STRING" },
    { name: "pid", type: "INT64" },
    { name: "price", type: "NUMERIC" },
    { name: "score", type: "FLOAT64" },
    { name: "cart", type: "BOOL" },
  ],
  partitionBy: "day",
  clusterBy: ["state"],
};

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${++counter}`;
}

async function memoryWarehouse(t: TestContext): Promise<Warehouse> {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  return wh;
}

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wh-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function countByDay(wh: Warehouse, table: string): Promise<Record<string, number>> {
  const { rows } = await wh.query<{ day: string; n: number }>(`SELECT day, count(*) AS n FROM ${table} GROUP BY day ORDER BY day`);
  return Object.fromEntries(rows.map((r) => [r.day, r.n]));
}

test("createDataset and createTable keep partitioning and clustering, listTables lists them", async (t) => {
  const wh = await memoryWarehouse(t);
  const ds = unique("lake");
  await wh.createDataset(ds);
  await wh.createTable(`${ds}.visits`, VISITS);
  await wh.createTable(`${ds}.other`, { columns: [{ name: "x", type: "STRING" }] });
  await wh.createTable(`${ds}.visits`, VISITS); // idempotent
  const info = await wh.describeTable(`${ds}.visits`);
  assert.equal(info.dataset, ds);
  assert.equal(info.schema.partitionBy, "day");
  assert.deepEqual(info.schema.clusterBy, ["state"]);
  assert.deepEqual(info.schema.columns.map((c) => c.name), VISITS.columns.map((c) => c.name));
  assert.deepEqual(await wh.listTables(ds), ["other", "visits"]);
  assert.deepEqual(await wh.listTables(), []);
});

test("createTable on a table that exists keeps its schema, as BigQuery does", { timeout: 60_000 }, async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", { columns: [{ name: "day", type: "DATE" }] });
  await wh.createTable("visits", VISITS);
  const info = await wh.describeTable("visits");
  assert.deepEqual(info.schema.columns.map((c) => c.name), ["day"], "the stored schema still describes the real columns");
  assert.equal(info.schema.partitionBy, undefined);
  await assert.rejects(wh.loadRows("visits", [{ day: "2021-03-26", state: "Ohio" }]), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "state", which is not in the table's schema \(day\)/.test(err.message));
});

test("createTable rejects a partition column that is not DATE or TIMESTAMP", async (t) => {
  const wh = await memoryWarehouse(t);
  await assert.rejects(wh.createTable("bad", { columns: [{ name: "s", type: "STRING" }], partitionBy: "s" }), (err: Error) => isWorkbookError(err, "SCHEMA_INVALID") && /partitionBy "s"/.test(err.message));
});

test("loadRows appends, truncates, and query returns normalised values", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  const ts = new Date("2021-03-26T14:02:11.000Z");
  const first = await wh.loadRows("visits", [
    { day: "2021-03-26", ts, state: "Ohio", pid: 1532, price: 12.5, score: 0.25, cart: true },
    { day: "2021-03-26", state: "Iowa" },
  ]);
  assert.deepEqual(first, { table: "workbook.visits", rows: 2, write: "APPEND" });
  await wh.loadRows("visits", [{ day: "2021-03-27", state: "Utah" }]);
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 2, "2021-03-27": 1 });
  const { rows, columns } = await wh.query("SELECT * FROM visits WHERE pid = @pid", { pid: 1532 });
  assert.deepEqual(columns, VISITS.columns.map((c) => c.name));
  assert.deepEqual(rows, [{ day: "2021-03-26", ts, state: "Ohio", pid: 1532, price: 12.5, score: 0.25, cart: true }]);
  const truncated = await wh.loadRows("visits", [{ day: "2021-03-28", state: "Texas" }], { write: "TRUNCATE" });
  assert.equal(truncated.write, "TRUNCATE");
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-28": 1 });
});

test("a partition overwrite replaces exactly that day and is idempotent", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  await wh.loadRows("visits", [
    { day: "2021-03-25", state: "Ohio" },
    { day: "2021-03-26", state: "Ohio" },
    { day: "2021-03-26", state: "Iowa" },
    { day: "2021-03-27", state: "Utah" },
  ]);
  const day = [{ day: "2021-03-26", state: "Texas", pid: 1 }, { day: "2021-03-26", state: "Maine", pid: 2 }, { day: "2021-03-26", state: "Idaho", pid: 3 }];
  const r1 = await wh.loadRows("visits", day, { partition: "2021-03-26" });
  assert.deepEqual(r1, { table: "workbook.visits", rows: 3, write: "TRUNCATE", partition: "2021-03-26" });
  await wh.loadRows("visits", day, { partition: "2021-03-26" });
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-25": 1, "2021-03-26": 3, "2021-03-27": 1 });
  const states = await wh.query<{ state: string }>("SELECT state FROM visits WHERE day = @d ORDER BY state", { d: "2021-03-26" }, { types: { d: "DATE" } });
  assert.deepEqual(states.rows.map((r) => r.state), ["Idaho", "Maine", "Texas"]);
});

test("mergeRows replaces rows by their key, inserts new keys, deletes the delete keys and leaves every other row alone", { timeout: 60_000 }, async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  const key = ["state", "pid"];
  const ts = new Date("2021-03-26T14:02:11.000Z");
  await wh.loadRows("visits", [
    { day: "2021-03-25", state: "Ohio", pid: 1, score: 0.1 },
    { day: "2021-03-26", state: "Iowa", pid: 1, score: 0.2 },
    { day: "2021-03-26", state: "Utah", pid: 2, score: 0.3 },
  ]);
  // Ohio 1 moves to another day (a key, not a day, says which row it is), Iowa 1 is deleted, Maine 3 is new.
  const rows = [{ day: "2021-03-27", ts, state: "Ohio", pid: 1, score: 0.9 }, { day: "2021-03-26", state: "Maine", pid: "3", price: 2.5, cart: true }];
  const result = await wh.mergeRows("visits", rows, { key, delete: [{ state: "Iowa", pid: 1 }, { state: "Texas", pid: 9 }] });
  assert.deepEqual(result, { table: "workbook.visits", rows: 2, deleted: 2 });
  const all = "SELECT day, ts, state, pid, price, score, cart FROM visits ORDER BY state, pid";
  const expected = [
    { day: "2021-03-26", ts: null, state: "Maine", pid: 3, price: 2.5, score: null, cart: true },
    { day: "2021-03-27", ts, state: "Ohio", pid: 1, price: null, score: 0.9, cart: null },
    { day: "2021-03-26", ts: null, state: "Utah", pid: 2, price: null, score: 0.3, cart: null },
  ];
  assert.deepEqual((await wh.query(all)).rows, expected);
  // the same merge again changes nothing: idempotent by the key
  await wh.mergeRows("visits", rows, { key, delete: [{ state: "Iowa", pid: 1 }] });
  assert.deepEqual((await wh.query(all)).rows, expected);
  // nothing to merge is a no-op
  assert.deepEqual(await wh.mergeRows("visits", [], { key }), { table: "workbook.visits", rows: 0, deleted: 0 });
});

test("mergeRows checks the key and the rows first and writes nothing when they are wrong", { timeout: 60_000 }, async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  await wh.loadRows("visits", [{ day: "2021-03-26", state: "Ohio", pid: 7 }]);
  const key = ["state", "pid"];
  await assert.rejects(wh.mergeRows("visits", [{ day: "2021-03-26", state: "Iowa", pid: 1 }], { key: ["nope"] }), (err: Error) => isWorkbookError(err, "OPTIONS_INVALID") && /key column "nope" is not in the table's schema/.test(err.message));
  await assert.rejects(wh.mergeRows("visits", [{ day: "2021-03-26", state: "Iowa" }], { key }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /row 1 has no value for key column "pid"/.test(err.message));
  await assert.rejects(wh.mergeRows("visits", [{ day: "2021-03-26", state: "Iowa", pid: 1 }, { day: "2021-03-27", state: "Iowa", pid: "1" }], { key }), (err: Error) =>
    isWorkbookError(err, "WAREHOUSE_LOAD") && /row 1 and row 2 have the same key \(state "Iowa", pid "1"\)/.test(err.message));
  await assert.rejects(wh.mergeRows("visits", [{ day: "2021-03-26", state: "Iowa", pid: 1 }], { key, delete: [{ state: "Ohio", pid: 7, day: "2021-03-26" }] }), (err: Error) =>
    isWorkbookError(err, "OPTIONS_INVALID") && /delete key 1 has column "day", which is not in the key/.test(err.message));
  await assert.rejects(wh.mergeRows("visits", [{ day: "2021-03-26", state: "Iowa", pid: "x" }], { key }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "pid" is INT64/.test(err.message));
  assert.deepEqual((await wh.query("SELECT state, pid FROM visits")).rows, [{ state: "Ohio", pid: 7 }]);
});

test("a partition load with a row from another day fails and names the column", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  await wh.loadRows("visits", [{ day: "2021-03-26", state: "Ohio" }]);
  await assert.rejects(
    wh.loadRows("visits", [{ day: "2021-03-26", state: "Iowa" }, { day: "2021-03-27", state: "Utah" }], { partition: "2021-03-26" }),
    (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /row 2, column "day"/.test(err.message) && /outside that day/.test(err.message),
  );
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 1 });
});

test("a load that does not match the schema fails, names the column, and writes nothing", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  await wh.loadRows("visits", [{ day: "2021-03-26", state: "Ohio", pid: 7 }]);
  const bad = [{ day: "2021-03-26", state: "Iowa", pid: 8 }, { day: "2021-03-26", state: "Utah", pid: "abc" }];
  await assert.rejects(wh.loadRows("visits", bad, { partition: "2021-03-26" }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "pid" is INT64/.test(err.message) && /"abc"/.test(err.message));
  await assert.rejects(wh.loadRows("visits", [{ day: "2021-03-26", colour: "red" }]), /column "colour", which is not in the table's schema/);
  await assert.rejects(wh.loadRows("visits", [{ state: "Ohio" }]), /REQUIRED column "day"/);
  const { rows } = await wh.query("SELECT state, pid FROM visits");
  assert.deepEqual(rows, [{ state: "Ohio", pid: 7 }]);
});

test("loadFile reads NDJSON (offsets in timestamps honoured) and rejects a bad value naming the column", async (t) => {
  const wh = await memoryWarehouse(t);
  const dir = tempDir(t);
  await wh.createTable("visits", VISITS);
  const good = path.join(dir, "good.ndjson");
  fs.writeFileSync(good, [
    JSON.stringify({ day: "2021-03-26", ts: "2021-03-26T23:30:00-02:00", state: "Ohio", pid: "12", cart: false }),
    JSON.stringify({ day: "2021-03-26", state: "Iowa", score: 1.5 }),
  ].join("\n") + "\n");
  assert.equal((await wh.loadFile("visits", good)).rows, 2);
  const { rows } = await wh.query<{ ts: Date; pid: number }>("SELECT ts, pid FROM visits WHERE state = 'Ohio'");
  assert.equal(rows[0].ts.toISOString(), "2021-03-27T01:30:00.000Z");
  assert.equal(rows[0].pid, 12);

  const bad = path.join(dir, "bad.ndjson");
  fs.writeFileSync(bad, [JSON.stringify({ day: "2021-03-26", pid: 1 }), JSON.stringify({ day: "2021-03-26", pid: "x1" })].join("\n") + "\n");
  await assert.rejects(wh.loadFile("visits", bad, { write: "TRUNCATE" }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "pid" is INT64/.test(err.message) && /"x1"/.test(err.message));
  const extra = path.join(dir, "extra.ndjson");
  fs.writeFileSync(extra, JSON.stringify({ day: "2021-03-26", sub_cat: "shoes" }) + "\n");
  await assert.rejects(wh.loadFile("visits", extra), /column "sub_cat", which is not in the table's schema/);
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 2 });
});

test("loadFile reads Parquet with APPEND, TRUNCATE and a partition, and rejects a mismatched column", async (t) => {
  const wh = await memoryWarehouse(t);
  const dir = tempDir(t);
  await wh.createTable("visits", VISITS);
  const file = path.join(dir, "visits.parquet");
  await wh.query(`COPY (SELECT DATE '2021-03-26' + (i % 2)::INTEGER AS day, 'S' || (i % 3) AS state, i AS pid FROM range(10) t(i)) TO '${file}' (FORMAT parquet)`);
  assert.equal((await wh.loadFile("visits", file)).rows, 10);
  assert.equal((await wh.loadFile("visits", file, { write: "APPEND" })).rows, 10);
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 10, "2021-03-27": 10 });
  assert.equal((await wh.loadFile("visits", file, { write: "TRUNCATE" })).rows, 10);
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 5, "2021-03-27": 5 });

  const oneDay = path.join(dir, "day.parquet");
  await wh.query(`COPY (SELECT DATE '2021-03-27' AS day, 'X' AS state FROM range(2)) TO '${oneDay}' (FORMAT parquet)`);
  await wh.loadFile("visits", oneDay, { partition: "2021-03-27" });
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 5, "2021-03-27": 2 });

  const wrong = path.join(dir, "wrong.parquet");
  await wh.query(`COPY (SELECT DATE '2021-03-27' AS day, 'not a number' AS pid) TO '${wrong}' (FORMAT parquet)`);
  await assert.rejects(wh.loadFile("visits", wrong, { partition: "2021-03-27" }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "pid" is INT64/.test(err.message));
  assert.deepEqual(await countByDay(wh, "visits"), { "2021-03-26": 5, "2021-03-27": 2 });
});

test("a load that fails inside the transaction rolls back the partition delete", async (t) => {
  const wh = await memoryWarehouse(t);
  // A table made outside the workbook with a CHECK constraint the schema check cannot see.
  await wh.query("CREATE TABLE guarded (day DATE NOT NULL, n BIGINT CHECK (n < 100))");
  await wh.query(`COMMENT ON TABLE guarded IS '${JSON.stringify({ columns: [{ name: "day", type: "DATE", mode: "REQUIRED" }, { name: "n", type: "INT64" }], partitionBy: "day" })}'`);
  await wh.loadRows("guarded", [{ day: "2021-03-26", n: 1 }, { day: "2021-03-26", n: 2 }, { day: "2021-03-27", n: 3 }]);
  await assert.rejects(wh.loadRows("guarded", [{ day: "2021-03-26", n: 5 }, { day: "2021-03-26", n: 500 }], { partition: "2021-03-26" }), (err: Error) => err instanceof SqlError && /CHECK constraint/i.test(err.message));
  const { rows } = await wh.query<{ n: number }>("SELECT n FROM guarded ORDER BY n");
  assert.deepEqual(rows.map((r) => r.n), [1, 2, 3]);
  // the connection is usable again (no transaction left open)
  await wh.loadRows("guarded", [{ day: "2021-03-26", n: 9 }], { partition: "2021-03-26" });
  assert.deepEqual(await countByDay(wh, "guarded"), { "2021-03-26": 1, "2021-03-27": 1 });
});

test("SQL errors surface with the SQL text and the position", async (t) => {
  const wh = await memoryWarehouse(t);
  const sql = "SELECT 1 AS a,\n       missing_column\nFROM range(3)";
  await assert.rejects(wh.query(sql), (err: Error) => {
    assert.ok(err instanceof SqlError);
    assert.equal(err.code, "SQL_ERROR");
    assert.equal(err.sql, sql);
    assert.deepEqual(err.position && { line: err.position.line, column: err.position.column }, { line: 2, column: 8 });
    assert.match(err.message, /missing_column/);
    assert.match(err.message, /\n {3}2 \| {8}missing_column\n {4} \| {8}\^/);
    return true;
  });
});

test("query with named parameters keeps @ inside strings and returns a DataFrame", async (t) => {
  const wh = await memoryWarehouse(t);
  await wh.createTable("visits", VISITS);
  await wh.loadRows("visits", [{ day: "2021-03-26", state: "Ohio", pid: 1 }, { day: "2021-03-26", state: "Ohio", pid: 2 }, { day: "2021-03-26", state: "Iowa", pid: 3 }]);
  const { rows } = await wh.query("SELECT '@state' AS literal, count(*) AS n FROM visits WHERE state = @state AND pid >= @min", { state: "Ohio", min: 2 });
  assert.deepEqual(rows, [{ literal: "@state", n: 1 }]);
  const df = await wh.queryFrame("SELECT state, count(*) AS n FROM visits GROUP BY state ORDER BY state");
  assert.deepEqual(df.columns, ["state", "n"]);
  assert.deepEqual(df.values, [["Iowa", 1], ["Ohio", 2]]);
});

test("dialect-specific SQL runs the DuckDB text on DuckDB", async (t) => {
  const wh = await memoryWarehouse(t);
  const sql = dialect({
    duckdb: "SELECT CAST(date_trunc('month', DATE '2021-03-26') AS DATE) AS month",
    bigquery: "SELECT DATE_TRUNC(DATE '2021-03-26', MONTH) AS month",
  });
  const { rows } = await wh.query(sql);
  assert.deepEqual(rows, [{ month: "2021-03-01" }]);
});

test("a DuckDB file warehouse keeps tables across close and open", async (t) => {
  const file = path.join(tempDir(t), "sub", "warehouse.duckdb");
  const a = await openWarehouse({ path: file });
  await a.createTable("kept", { columns: [{ name: "x", type: "INT64" }] });
  await a.loadRows("kept", [{ x: 41 }, { x: 1 }]);
  await a.close();
  await assert.rejects(a.query("SELECT 1"), /closed/);
  const b = await openWarehouse({ path: file });
  t.after(() => b.close());
  assert.deepEqual((await b.query("SELECT sum(x) AS s FROM kept")).rows, [{ s: 42 }]);
});

test("a second process waits for the database file's lock instead of failing", { timeout: 120_000 }, async (t) => {
  const { spawn } = await import("node:child_process");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "duckdb-lock-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "wh.duckdb");
  const first = await DuckDBWarehouse.create({ path: file });
  await first.query("CREATE TABLE t AS SELECT 1 AS x");
  // Another process opens the same file while this one holds it. It first checks that the file is
  // locked (and says so), then opens the warehouse, which waits; only then is the lock released, so
  // the waiting is really exercised however slowly the child starts.
  const duckdbApi = require.resolve("@duckdb/node-api");
  const warehouseModule = path.join(__dirname, "../../../lib/warehouse/duckdb.js");
  const script = `
    const { DuckDBInstance } = require(${JSON.stringify(duckdbApi)});
    const { DuckDBWarehouse } = require(${JSON.stringify(warehouseModule)});
    (async () => {
      try {
        await DuckDBInstance.create(${JSON.stringify(file)});
        console.log("not locked");
        process.exit(3);
      } catch (err) {
        console.log(/lock/i.test(err.message) ? "locked" : "error: " + err.message);
      }
      const wh = await DuckDBWarehouse.create({ path: ${JSON.stringify(file)} });
      const r = await wh.query("SELECT count(*)::INT AS n FROM t");
      console.log("rows " + r.rows[0].n);
      await wh.close();
    })();`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const sawLocked = new Promise<void>((resolve) => child.stdout.on("data", (d) => {
    out += d;
    if (/^locked$/m.test(out)) resolve();
  }));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  await Promise.race([sawLocked, exited]);
  assert.match(out, /^locked$/m, "the child found the file locked");
  await first.close();
  assert.equal(await exited, 0, out);
  assert.match(out, /^rows 1$/m, "and, once released, opened it and read the table");
});

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openWarehouse } from "../../../lib/warehouse";
import type { TableSchema, Warehouse } from "../../../lib/warehouse";
import { dialect } from "../../../lib/warehouse/dialect";
import { SqlError } from "../../../lib/errors";
import { isWorkbookError } from "../../../lib/errors";
import { fakeAuthClient, startStandIn, type StandIn } from "../../cloud/bigquery-stand-in";

const VISITS: TableSchema = {
  columns: [
    { name: "day", type: "DATE", mode: "REQUIRED" },
    { name: "state", type: "STRING" },
    { name: "category", type: "STRING" },
    { name: "visits", type: "INT64" },
  ],
  partitionBy: "day",
  clusterBy: ["state", "category"],
};

async function setup(t: TestContext): Promise<{ wh: Warehouse; standIn: StandIn; auth: ReturnType<typeof fakeAuthClient> }> {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  const auth = fakeAuthClient();
  const wh = await openWarehouse({ kind: "bigquery", project: standIn.project, dataset: "web_logs", location: "EU", apiEndpoint: standIn.url, authClient: auth });
  t.after(() => wh.close());
  return { wh, standIn, auth };
}

test("BigQuery contract: createTable sends the schema, day partitioning and clustering", async (t) => {
  const { wh, standIn, auth } = await setup(t);
  await wh.createTable("hourly", VISITS);
  const dataset = standIn.requests.find((r) => r.path.endsWith("/datasets"));
  assert.deepEqual(dataset?.json, { datasetReference: { datasetId: "web_logs" }, location: "EU" });
  const create = standIn.requests.find((r) => r.method === "POST" && r.path === "/bigquery/v2/projects/test-project/datasets/web_logs/tables");
  assert.ok(create?.json);
  assert.deepEqual(create.json.tableReference, { projectId: "test-project", datasetId: "web_logs", tableId: "hourly" });
  assert.deepEqual(create.json.timePartitioning, { type: "DAY", field: "day" });
  assert.deepEqual(create.json.clustering, { fields: ["state", "category"] });
  assert.deepEqual((create.json.schema as { fields: unknown[] }).fields, [
    { name: "day", type: "DATE", mode: "REQUIRED" },
    { name: "state", type: "STRING", mode: "NULLABLE" },
    { name: "category", type: "STRING", mode: "NULLABLE" },
    { name: "visits", type: "INT64", mode: "NULLABLE" },
  ]);
  await wh.createTable("hourly", VISITS); // 409 Already Exists is fine
  const info = await wh.describeTable("hourly");
  assert.equal(info.schema.partitionBy, "day");
  assert.deepEqual(info.schema.clusterBy, ["state", "category"]);
  assert.deepEqual(await wh.listTables(), ["hourly"]);
  // every request carried the fake token and reached the stand-in, none went to Google
  assert.ok(auth.calls >= standIn.requests.length);
  for (const r of standIn.requests) assert.equal(r.headers.authorization, "Bearer stand-in-token");
});

test("BigQuery contract: a partition overwrite is a WRITE_TRUNCATE load into table$YYYYMMDD", async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  const rows = [{ day: "2021-03-26", state: "Ohio", category: "products", visits: 3 }, { day: "2021-03-26", state: "Iowa", category: "sales", visits: 1 }];
  const result = await wh.loadRows("hourly", rows, { partition: "2021-03-26" });
  assert.deepEqual(result, { table: "web_logs.hourly", rows: 2, write: "TRUNCATE", partition: "2021-03-26" });
  const upload = standIn.requests.find((r) => r.path === "/upload/bigquery/v2/projects/test-project/jobs");
  assert.ok(upload?.json);
  assert.equal(upload.query.get("uploadType"), "multipart");
  const load = (upload.json.configuration as { load: Record<string, unknown> }).load;
  assert.deepEqual(load.destinationTable, { projectId: "test-project", datasetId: "web_logs", tableId: "hourly$20210326" });
  assert.equal(load.writeDisposition, "WRITE_TRUNCATE");
  assert.equal(load.sourceFormat, "NEWLINE_DELIMITED_JSON");
  assert.deepEqual(load.timePartitioning, { type: "DAY", field: "day" });
  assert.deepEqual(load.clustering, { fields: ["state", "category"] });
  assert.deepEqual((load.schema as { fields: { name: string }[] }).fields.map((f) => f.name), ["day", "state", "category", "visits"]);
  assert.equal((upload.json.jobReference as { location: string }).location, "EU");
  assert.deepEqual(upload.upload?.trim().split("\n").map((l) => JSON.parse(l) as unknown), rows);
});

test("BigQuery contract: APPEND and TRUNCATE loads of NDJSON and Parquet files", async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ndjson = path.join(dir, "hour.ndjson");
  fs.writeFileSync(ndjson, `${JSON.stringify({ day: "2021-03-26", state: "Ohio", visits: 2 })}\n`);
  const parquet = path.join(dir, "hour.parquet");
  fs.writeFileSync(parquet, "PAR1 not really parquet PAR1");
  await wh.loadFile("hourly", ndjson);
  await wh.loadFile("hourly", parquet, { write: "TRUNCATE" });
  const loads = standIn.requests.filter((r) => r.path.startsWith("/upload/")).map((r) => (r.json?.configuration as { load: Record<string, unknown> }).load);
  assert.deepEqual(loads.map((l) => [l.writeDisposition, l.sourceFormat, (l.destinationTable as { tableId: string }).tableId]), [
    ["WRITE_APPEND", "NEWLINE_DELIMITED_JSON", "hourly"],
    ["WRITE_TRUNCATE", "PARQUET", "hourly"],
  ]);
});

test("BigQuery contract: a bad row fails before any job, naming the column; a failed job is reported", async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: "many" }]), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "visits" is INT64/.test(err.message));
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-27" }], { partition: "2021-03-26" }), /outside that day/);
  assert.equal(standIn.requests.filter((r) => r.path.startsWith("/upload/")).length, 0);
  standIn.nextLoadError = "Provided Schema does not match Table web_logs.hourly. Field visits has changed type from INTEGER to STRING";
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }]), (err: Error) => isWorkbookError(err, "WAREHOUSE_LOAD") && /Field visits has changed type/.test(err.message));
});

test("BigQuery contract: query sends named parameters and the default dataset, and parses typed results", async (t) => {
  const { wh, standIn } = await setup(t);
  standIn.nextQuery = {
    fields: [{ name: "day", type: "DATE" }, { name: "state", type: "STRING" }, { name: "n", type: "INTEGER" }, { name: "share", type: "FLOAT" }, { name: "amount", type: "NUMERIC" }, { name: "cart", type: "BOOLEAN" }, { name: "first_seen", type: "TIMESTAMP" }],
    rows: [["2021-03-26", "Ohio", "12", "0.25", "10.5", "true", "1616767331000000"], ["2021-03-26", null, "9007199254740993", "1", null, "false", null]],
  };
  const sql = dialect({
    duckdb: "SELECT day, state, count(*) AS n FROM hourly WHERE day = @day AND visits >= @min GROUP BY ALL",
    bigquery: "SELECT day, state, COUNT(*) AS n FROM hourly WHERE day = @day AND visits >= @min GROUP BY day, state",
  });
  const { rows, columns } = await wh.query(sql, { day: "2021-03-26", min: 2, label: null }, { types: { day: "DATE" } });
  const q = standIn.requests.find((r) => r.path === "/bigquery/v2/projects/test-project/queries");
  assert.ok(q?.json);
  assert.equal(q.json.query, sql.bigquery);
  assert.equal(q.json.useLegacySql, false);
  assert.equal(q.json.parameterMode, "named");
  assert.equal(q.json.location, "EU");
  assert.deepEqual(q.json.defaultDataset, { projectId: "test-project", datasetId: "web_logs" });
  assert.deepEqual(q.json.queryParameters, [
    { name: "day", parameterType: { type: "DATE" }, parameterValue: { value: "2021-03-26" } },
    { name: "min", parameterType: { type: "INT64" }, parameterValue: { value: 2 } },
    { name: "label", parameterType: { type: "STRING" }, parameterValue: { value: null } },
  ]);
  assert.deepEqual(columns, ["day", "state", "n", "share", "amount", "cart", "first_seen"]);
  assert.deepEqual(rows, [
    { day: "2021-03-26", state: "Ohio", n: 12, share: 0.25, amount: 10.5, cart: true, first_seen: new Date("2021-03-26T14:02:11.000Z") },
    { day: "2021-03-26", state: null, n: 9007199254740993n, share: 1, amount: null, cart: false, first_seen: null },
  ]);
});

test("BigQuery contract: a query error surfaces the SQL text and the [line:column] position", async (t) => {
  const { wh, standIn } = await setup(t);
  const sql = "SELECT state,\n  COUNT(*) AS n FROM hourly GROUP BY stat";
  standIn.nextQuery = { error: "Unrecognized name: stat; Did you mean state? at [2:41]" };
  await assert.rejects(wh.query(sql), (err: Error) => {
    assert.ok(err instanceof SqlError);
    assert.equal(err.engine, "BigQuery");
    assert.equal(err.sql, sql);
    assert.deepEqual(err.position, { line: 2, column: 41, offset: 14 + 40 });
    assert.match(err.message, /Unrecognized name: stat/);
    return true;
  });
});

test("BigQuery contract: a missing table is reported with how to create it", async (t) => {
  const { wh } = await setup(t);
  await assert.rejects(wh.loadRows("nope", [{ a: 1 }]), (err: Error) => isWorkbookError(err, "WAREHOUSE_NO_TABLE") && /createTable\("nope"/.test(err.message));
});

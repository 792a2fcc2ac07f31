import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openWarehouse } from "../../../lib/warehouse";
import type { TableSchema } from "../../../lib/warehouse";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { dialect } from "../../../lib/warehouse/dialect";
import { SqlError } from "../../../lib/errors";
import { isWorkbookError } from "../../../lib/errors";
import { fakeAuthClient, noSuchField, schemaChanged, startStandIn, type StandIn, type StandInOptions } from "../../cloud/bigquery-stand-in";

const TIMEOUT = { timeout: 30_000 };

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

/** A stand-in (jobs take `pollsUntilDone` look-ups, 3 by default) and a warehouse on it in EU that polls every few ms. */
async function setup(t: TestContext, options: StandInOptions = {}): Promise<{ wh: BigQueryWarehouse; standIn: StandIn; auth: ReturnType<typeof fakeAuthClient> }> {
  const standIn = await startStandIn(options);
  t.after(() => standIn.close());
  const auth = fakeAuthClient();
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "web_logs", location: "EU", apiEndpoint: standIn.url, authClient: auth, pollMs: 5 });
  t.after(() => wh.close());
  return { wh, standIn, auth };
}

/** Sets an environment variable for the rest of the test, and puts the old value back after it. */
function setEnv(t: TestContext, name: string, value: string): void {
  const saved = process.env[name];
  process.env[name] = value;
  t.after(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}

const jobLookUps = (standIn: StandIn) => standIn.requests.filter((r) => r.method === "GET" && /\/(jobs|queries)\/[\w-]+$/.test(r.path));

test("BigQuery contract: openWarehouse picks BigQuery and its settings", TIMEOUT, async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  const wh = await openWarehouse({ kind: "bigquery", project: standIn.project, dataset: "web_logs", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient() });
  t.after(() => wh.close());
  assert.ok(wh instanceof BigQueryWarehouse);
  assert.deepEqual([wh.kind, wh.project, wh.dataset, wh.location], ["bigquery", "test-project", "web_logs", "EU"]);
});

test("BigQuery contract: createTable sends the schema, day partitioning and clustering", TIMEOUT, async (t) => {
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
  const info = await wh.describeTable("hourly");
  assert.equal(info.schema.partitionBy, "day");
  assert.deepEqual(info.schema.clusterBy, ["state", "category"]);
  assert.deepEqual(await wh.listTables(), ["hourly"]);
  // every request carried the fake token and reached the stand-in, none went to Google
  assert.ok(auth.calls >= standIn.requests.length);
  for (const r of standIn.requests) assert.equal(r.headers.authorization, "Bearer stand-in-token");
});

test("BigQuery contract: creating a dataset or table that exists (409 Already Exists) is fine", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  assert.deepEqual(standIn.requests.map((r) => r.status), [200, 200]);
  await wh.createTable("hourly", VISITS);
  await wh.createDataset();
  await wh.createDataset("web_logs");
  // the stand-in really answered 409 each time, and nothing was thrown
  const conflicts = standIn.requests.filter((r) => r.status === 409).map((r) => r.path.replace("/bigquery/v2/projects/test-project", ""));
  assert.deepEqual(conflicts, ["/datasets", "/datasets/web_logs/tables", "/datasets", "/datasets"]);
  assert.deepEqual(await wh.listTables(), ["hourly"]);
  // other errors still fail: a bad schema never reaches the API
  await assert.rejects(wh.createTable("other", { columns: [] }), (err: Error) => isWorkbookError(err, "SCHEMA_INVALID"));
});

test("BigQuery contract: a partition overwrite is a WRITE_TRUNCATE load into table$YYYYMMDD", TIMEOUT, async (t) => {
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

test("BigQuery contract: mergeRows loads into a staging table, runs one MERGE by the key, then drops the staging table", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 2 });
  await wh.createTable("hourly", VISITS);
  const before = standIn.requests.length;
  const rows = [{ day: "2021-03-26", state: "Ohio", category: "products", visits: 4 }, { day: "2021-03-27", state: "Iowa", category: "sales", visits: 1 }];
  const result = await wh.mergeRows("hourly", rows, { key: ["day", "state", "category"], delete: [{ day: "2021-03-26", state: "Utah", category: "sales" }] });
  assert.deepEqual(result, { table: "web_logs.hourly", rows: 2, deleted: 1 });
  const sent = standIn.requests.slice(before);

  // 1. the staging table: beside the target, every column NULLABLE plus the flag, expiring within the hour
  const create = sent.find((r) => r.method === "POST" && r.path.endsWith("/datasets/web_logs/tables"));
  assert.ok(create?.json);
  const staging = (create.json.tableReference as { tableId: string }).tableId;
  assert.match(staging, /^hourly_merge_[0-9a-f]{12}$/);
  assert.deepEqual((create.json.schema as { fields: unknown[] }).fields, [
    { name: "day", type: "DATE", mode: "NULLABLE" },
    { name: "state", type: "STRING", mode: "NULLABLE" },
    { name: "category", type: "STRING", mode: "NULLABLE" },
    { name: "visits", type: "INT64", mode: "NULLABLE" },
    { name: "_merge_delete", type: "BOOL", mode: "NULLABLE" },
  ]);
  assert.equal(create.json.timePartitioning, undefined);
  const expires = Number(create.json.expirationTime);
  assert.ok(expires > Date.now() && expires <= Date.now() + 3_600_000, String(create.json.expirationTime));

  // 2. one load job into it: the rows, then the key to delete, each with its flag
  const upload = sent.find((r) => r.path.startsWith("/upload/"));
  const load = (upload?.json?.configuration as { load: Record<string, unknown> }).load;
  assert.deepEqual(load.destinationTable, { projectId: "test-project", datasetId: "web_logs", tableId: staging });
  assert.equal(load.writeDisposition, "WRITE_TRUNCATE");
  assert.deepEqual(upload?.upload?.trim().split("\n").map((l) => JSON.parse(l) as unknown), [
    { ...rows[0], _merge_delete: false },
    { ...rows[1], _merge_delete: false },
    { day: "2021-03-26", state: "Utah", category: "sales", visits: null, _merge_delete: true },
  ]);

  // 3. one MERGE statement on the key, in the dataset's location
  const queries = sent.filter((r) => r.method === "POST" && r.path.endsWith("/queries"));
  assert.equal(queries.length, 1);
  assert.equal(queries[0].json?.location, "EU");
  assert.equal(queries[0].json?.query, [
    "MERGE INTO `web_logs.hourly` AS t",
    `USING \`web_logs.${staging}\` AS s`,
    "ON t.`day` = s.`day` AND t.`state` = s.`state` AND t.`category` = s.`category`",
    "WHEN MATCHED AND s.`_merge_delete` THEN DELETE",
    "WHEN MATCHED THEN UPDATE SET `day` = s.`day`, `state` = s.`state`, `category` = s.`category`, `visits` = s.`visits`",
    "WHEN NOT MATCHED AND NOT s.`_merge_delete` THEN INSERT (`day`, `state`, `category`, `visits`) VALUES (s.`day`, s.`state`, s.`category`, s.`visits`)",
  ].join("\n"));

  // 4. the staging table is dropped, last; the target was never truncated or loaded directly
  const last = sent[sent.length - 1];
  assert.deepEqual([last.method, last.path, last.status], ["DELETE", `/bigquery/v2/projects/test-project/datasets/web_logs/tables/${staging}`, 204]);
  assert.deepEqual(await wh.listTables(), ["hourly"]);
  const order = sent.map((r) => (r.path.startsWith("/upload/") ? "load" : r.method === "POST" && r.path.endsWith("/queries") ? "merge" : r.method === "DELETE" ? "drop" : r.method === "POST" ? "create" : undefined)).filter(Boolean);
  assert.deepEqual(order, ["create", "load", "merge", "drop"]);
});

test("BigQuery contract: a merge whose MERGE fails still drops its staging table; a bad merge sends nothing", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 1 });
  await wh.createTable("hourly", VISITS);
  standIn.nextQuery = { error: "UPDATE/MERGE must match at most one source row for each target row" };
  await assert.rejects(wh.mergeRows("hourly", [{ day: "2021-03-26", state: "Ohio", visits: 1 }], { key: ["day", "state"] }), (err: Error) => err instanceof SqlError && /at most one source row/.test(err.message));
  const drops = standIn.requests.filter((r) => r.method === "DELETE");
  assert.equal(drops.length, 1);
  assert.equal(drops[0].status, 204);
  assert.deepEqual(await wh.listTables(), ["hourly"]);

  // checked before any request: the key, a missing key value, a key twice, a bad row
  const sent = standIn.requests.length;
  const merge = (rows: Record<string, unknown>[], options: { key: string[]; delete?: Record<string, unknown>[] }) => wh.mergeRows("hourly", rows, options);
  await assert.rejects(merge([{ day: "2021-03-26" }], { key: [] }), (err: Error) => isWorkbookError(err, "OPTIONS_INVALID") && /needs key/.test(err.message));
  await assert.rejects(merge([{ day: "2021-03-26" }], { key: ["nope"] }), (err: Error) => isWorkbookError(err, "OPTIONS_INVALID") && /key column "nope" is not in the table's schema/.test(err.message));
  await assert.rejects(merge([{ day: "2021-03-26", visits: 1 }], { key: ["day", "state"] }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /row 1 has no value for key column "state"/.test(err.message));
  await assert.rejects(merge([{ day: "2021-03-26", state: "Ohio" }, { day: "2021-03-26", state: "Ohio", visits: 2 }], { key: ["day", "state"] }), (err: Error) =>
    isWorkbookError(err, "WAREHOUSE_LOAD") && /row 1 and row 2 have the same key \(day "2021-03-26", state "Ohio"\)/.test(err.message));
  await assert.rejects(merge([{ day: "2021-03-26", state: "Ohio" }], { key: ["day", "state"], delete: [{ day: "2021-03-26", state: "Ohio" }] }), (err: Error) =>
    isWorkbookError(err, "WAREHOUSE_LOAD") && /row 1 and delete key 1 have the same key/.test(err.message));
  await assert.rejects(merge([{ day: "2021-03-26", state: "Ohio", visits: "many" }], { key: ["day", "state"] }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "visits" is INT64/.test(err.message));
  // nothing to merge: no job either
  assert.deepEqual(await merge([], { key: ["day", "state"] }), { table: "web_logs.hourly", rows: 0, deleted: 0 });
  assert.deepEqual(standIn.requests.slice(sent).map((r) => r.method), Array(7).fill("GET"), "only the table's metadata was read");
});

test("BigQuery contract: a load job is looked up (in its location) until it is DONE", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 4 });
  await wh.createTable("hourly", VISITS);
  const result = await wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }, { day: "2021-03-26", visits: 2 }, { day: "2021-03-26", visits: 3 }]);
  assert.equal(result.rows, 3);
  const upload = standIn.requests.find((r) => r.path.startsWith("/upload/"));
  const jobId = (upload?.json?.jobReference as { jobId: string }).jobId;
  assert.deepEqual(standIn.jobStates.get(jobId), ["PENDING", "RUNNING", "DONE"]);
  const lookUps = jobLookUps(standIn);
  assert.equal(lookUps.length, 4, "one look-up per poll, and none after DONE");
  for (const r of lookUps) {
    assert.equal(r.path, `/bigquery/v2/projects/test-project/jobs/${jobId}`);
    assert.equal(r.query.get("location"), "EU");
    assert.equal(r.status, 200);
  }
});

test("BigQuery contract: a load job that fails with a schema error names the column, not the credentials", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  const loads = () => standIn.requests.filter((r) => r.path.startsWith("/upload/")).length;

  standIn.nextLoadFailure = schemaChanged("test-project", "web_logs.hourly", "visits", "STRING", "INTEGER");
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }]), (err: Error) => {
    assert.ok(isWorkbookError(err, "SCHEMA_MISMATCH"), String(err));
    assert.match(err.message, /load into "web_logs\.hourly" failed: column "visits" is STRING in the table but INT64 in the load's schema/);
    assert.match(err.message, /Field visits has changed type from STRING to INTEGER/, "BigQuery's own words are kept");
    assert.match(err.message, /Nothing was written/);
    assert.doesNotMatch(err.message, /credentials/);
    return true;
  });
  assert.equal(loads(), 1);
  // the failure was read from the DONE job, after polling
  const failed = standIn.requests.find((r) => r.path.startsWith("/upload/"));
  assert.deepEqual(standIn.jobStates.get((failed?.json?.jobReference as { jobId: string }).jobId), ["PENDING", "RUNNING", "DONE"]);

  standIn.nextLoadFailure = noSuchField("foo");
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }], { partition: "2021-03-26" }), (err: Error) => {
    assert.ok(isWorkbookError(err, "SCHEMA_MISMATCH"), String(err));
    assert.match(err.message, /load into "web_logs\.hourly" partition 2021-03-26 failed: the data has column "foo", which the table does not have/);
    assert.match(err.message, /No such field: foo/);
    assert.doesNotMatch(err.message, /credentials/);
    return true;
  });

  // any other failure keeps BigQuery's reason and messages (errorResult and errors[])
  standIn.nextLoadFailure = { errorResult: { reason: "quotaExceeded", message: "Quota exceeded: too many table update operations" }, errors: [{ reason: "quotaExceeded", location: "table.write", message: "Quota exceeded: too many table update operations" }] };
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }]), (err: Error) =>
    isWorkbookError(err, "WAREHOUSE_LOAD") && /failed \(quotaExceeded\).*BigQuery said: Quota exceeded: too many table update operations$/.test(err.message) && !/credentials/.test(err.message));
  assert.equal(loads(), 3);
});

test("BigQuery contract: APPEND and TRUNCATE loads of NDJSON and Parquet files", TIMEOUT, async (t) => {
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

test("BigQuery contract: a bad row fails before any job, naming the column", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-26", visits: "many" }]), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /column "visits" is INT64/.test(err.message));
  await assert.rejects(wh.loadRows("hourly", [{ day: "2021-03-27" }], { partition: "2021-03-26" }), /outside that day/);
  assert.equal(standIn.requests.filter((r) => r.path.startsWith("/upload/")).length, 0);
});

test("BigQuery contract: the NDJSON check accepts a good file and rejects a bad one, naming the line, before any upload", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 1 });
  await wh.createTable("hourly", VISITS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bq-ndjson-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const uploads = () => standIn.requests.filter((r) => r.path.startsWith("/upload/")).length;
  const row = (visits: unknown, day = "2021-03-26") => JSON.stringify({ day, state: "Ohio", visits });

  // good: blank lines and CRLF line ends are fine; the count is of rows
  const good = write("good.ndjson", `${row(1)}\r\n\r\n${row("2")}\n   \n${row(null)}\n`);
  assert.equal((await wh.loadFile("hourly", good, { partition: "2021-03-26" })).rows, 3);
  assert.equal(uploads(), 1);

  // bad: each rejected with SCHEMA_MISMATCH naming the file's line (blank lines counted) and what is wrong
  const bad: [string, RegExp][] = [
    [`${row(1)}\n\n{"day": "2021-03-26", "visits": 2\n`, /line 3 of .*not-json\.ndjson is not JSON \(.+\); fix the file: one JSON object per line/],
    [`${row(1)}\n\n\n${row("many")}\n`, /line 4 of .*wrong-type\.ndjson, column "visits" is INT64 but the value is "many" \(string\)/],
    [`${row(1)}\n{"day": "2021-03-26", "vists": 2}\n`, /line 2 of .*unknown-column\.ndjson has column "vists", which is not in the table's schema/],
    [`[1, 2]\n`, /line 1 of .*not-object\.ndjson is \[1,2\] \(array\), not an object/],
    [`{"state": "Ohio"}\n`, /line 1 of .*no-day\.ndjson has no value for REQUIRED column "day"/],
  ];
  const names = ["not-json", "wrong-type", "unknown-column", "not-object", "no-day"];
  for (const [i, [text, message]] of bad.entries()) {
    const file = write(`${names[i]}.ndjson`, text);
    await assert.rejects(wh.loadFile("hourly", file), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && message.test(err.message) && err.message.includes(`Load into "hourly"`), `${names[i]}`);
  }
  // a row outside the partition's day
  const otherDay = write("other-day.ndjson", `${row(1)}\n${row(1, "2021-03-27")}\n`);
  await assert.rejects(wh.loadFile("hourly", otherDay, { partition: "2021-03-26" }), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /line 2 of .*other-day\.ndjson, column "day" is "2021-03-27" \(string\), outside that day/.test(err.message));
  // past the first batch of 10,000 rows the line number is still the file's
  const big = write("big.ndjson", Array.from({ length: 10_005 }, (_, i) => row(i === 10_002 ? 1.5 : i)).join("\n") + "\n");
  await assert.rejects(wh.loadFile("hourly", big), (err: Error) => isWorkbookError(err, "SCHEMA_MISMATCH") && /line 10003 of .*big\.ndjson, column "visits" is INT64 but the value is 1\.5 \(number\)/.test(err.message));
  assert.equal(uploads(), 1, "no bad file was uploaded");
});

test("BigQuery contract: query sends named parameters and the default dataset, and parses typed results", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 0, pageSize: 100 });
  await wh.createTable("hourly", VISITS);
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

test("BigQuery contract: a query that is not complete at first is polled until DONE", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 4, pageSize: 100 });
  await wh.createTable("hourly", VISITS);
  standIn.nextQuery = { fields: [{ name: "state", type: "STRING" }, { name: "n", type: "INTEGER" }], rows: [["Ohio", "3"], ["Iowa", "1"]] };
  const { rows, columns } = await wh.query("SELECT state, COUNT(*) AS n FROM hourly GROUP BY state");
  assert.deepEqual(columns, ["state", "n"]);
  assert.deepEqual(rows, [{ state: "Ohio", n: 3 }, { state: "Iowa", n: 1 }]);
  const [post] = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries"));
  assert.equal(post.json?.location, "EU");
  assert.deepEqual(standIn.jobStates.get("query_1"), ["PENDING", "RUNNING", "DONE"]);
  const lookUps = jobLookUps(standIn);
  assert.equal(lookUps.length, 4);
  for (const r of lookUps) {
    assert.equal(r.path, "/bigquery/v2/projects/test-project/queries/query_1");
    assert.equal(r.query.get("location"), "EU");
    assert.equal(r.status, 200);
  }
});

test("BigQuery contract: query results spread over several pages are all read", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t, { pollsUntilDone: 0, pageSize: 2 });
  await wh.createTable("states", { columns: [{ name: "state", type: "STRING" }, { name: "n", type: "INT64" }] });
  const names = ["Ohio", "Iowa", "Utah", "Texas", "Maine"];
  standIn.nextQuery = { fields: [{ name: "state", type: "STRING" }, { name: "n", type: "INTEGER" }], rows: names.map((s, i) => [s, String(i)]) };
  const { rows, columns } = await wh.query("SELECT state, n FROM states ORDER BY n");
  assert.deepEqual(columns, ["state", "n"]);
  assert.deepEqual(rows, names.map((state, n) => ({ state, n })));
  // page 1 came with the query; pages 2 and 3 by pageToken, in the job's location
  const pages = standIn.requests.filter((r) => r.method === "GET" && r.path.endsWith("/queries/query_1"));
  assert.deepEqual(pages.map((r) => [r.query.get("pageToken"), r.query.get("location")]), [["2", "EU"], ["4", "EU"]]);

  // an empty result is one page with no rows
  standIn.nextQuery = { fields: [{ name: "state", type: "STRING" }], rows: [] };
  assert.deepEqual(await wh.query("SELECT state FROM states WHERE false"), { columns: ["state"], rows: [] });
});

test("BigQuery contract: BIGQUERY_LOCATION goes on every job insert and look-up; a job is not found elsewhere", TIMEOUT, async (t) => {
  setEnv(t, "BIGQUERY_LOCATION", "europe-west2");
  const standIn = await startStandIn({ pollsUntilDone: 2, pageSize: 1 });
  t.after(() => standIn.close());
  const wh = await openWarehouse({ kind: "bigquery", project: standIn.project, dataset: "web_logs", apiEndpoint: standIn.url, authClient: fakeAuthClient() });
  t.after(() => wh.close());
  assert.equal((wh as BigQueryWarehouse).location, "europe-west2");
  await wh.createTable("hourly", VISITS);
  await wh.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }]);
  standIn.nextQuery = { fields: [{ name: "n", type: "INTEGER" }], rows: [["1"], ["2"]] };
  assert.deepEqual((await wh.query("SELECT visits AS n FROM hourly")).rows, [{ n: 1 }, { n: 2 }]);

  const dataset = standIn.requests.find((r) => r.method === "POST" && r.path.endsWith("/datasets"));
  assert.equal(dataset?.json?.location, "europe-west2");
  const upload = standIn.requests.find((r) => r.path.startsWith("/upload/"));
  assert.equal((upload?.json?.jobReference as { location: string }).location, "europe-west2");
  const query = standIn.requests.find((r) => r.method === "POST" && r.path.endsWith("/queries"));
  assert.equal(query?.json?.location, "europe-west2");
  const lookUps = jobLookUps(standIn);
  assert.ok(lookUps.some((r) => r.path.includes("/jobs/")) && lookUps.some((r) => r.path.includes("/queries/")), "both jobs.get and getQueryResults were used");
  for (const r of lookUps) assert.deepEqual([r.query.get("location"), r.status], ["europe-west2", 200], r.path);

  // the stand-in, like the API, does not find a job in another location (none means US)
  const jobId = (upload?.json?.jobReference as { jobId: string }).jobId;
  const headers = { authorization: "Bearer stand-in-token" };
  for (const suffix of ["?location=EU", "?location=US", ""]) {
    assert.equal((await fetch(`${standIn.url}/bigquery/v2/projects/test-project/jobs/${jobId}${suffix}`, { headers })).status, 404, suffix);
    assert.equal((await fetch(`${standIn.url}/bigquery/v2/projects/test-project/queries/query_2${suffix}`, { headers })).status, 404, suffix);
  }
  // a warehouse in the wrong location gets a 404 that points at BIGQUERY_LOCATION
  const us = await openWarehouse({ kind: "bigquery", project: standIn.project, dataset: "web_logs", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient() });
  t.after(() => us.close());
  await assert.rejects(us.loadRows("hourly", [{ day: "2021-03-26", visits: 1 }]), (err: Error) =>
    isWorkbookError(err, "WAREHOUSE_LOAD") && /was not found in location US/.test(err.message) && /BIGQUERY_LOCATION \(a job is found only in its location\)/.test(err.message));
  await assert.rejects(us.query("SELECT 1"), (err: Error) => isWorkbookError(err, "WAREHOUSE_API") && /was not found in location US/.test(err.message));
});

test("BigQuery contract: a query error surfaces the SQL text and the [line:column] position", TIMEOUT, async (t) => {
  const { wh, standIn } = await setup(t);
  await wh.createTable("hourly", VISITS);
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

test("BigQuery contract: a missing table is reported with how to create it", TIMEOUT, async (t) => {
  const { wh } = await setup(t);
  await assert.rejects(wh.loadRows("nope", [{ a: 1 }]), (err: Error) => isWorkbookError(err, "WAREHOUSE_NO_TABLE") && /createTable\("nope"/.test(err.message));
});

/**
 * The web logs' cloud path, a contract test on the stand-ins (test/cloud/): the stream writer writes
 * the hand-made log file's events as Parquet into a gs:// lake (the GCS stand-in), and the hourly DAG
 * rolls an hour up ON BIGQUERY through an external table over those files with Hive partitioning
 * (dt, hour), as the original did, then loads it with the unchanged MERGE. The BigQuery stand-in runs
 * no SQL: it answers the rollup with the counts worked out by hand for 10:00 (test/scenarios/user-files.ts),
 * and the test checks the table definition, the statements and what was loaded. The ZetaSQL check
 * (test/zetasql) analyzes the same statements.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import type { TaskContext } from "../../../lib/dag/task";
import { openLake } from "../../../lib/lake";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { webLogsDag } from "../../../scenarios/web-logs/dags";
import { LOGS_DATASET } from "../../../scenarios/web-logs/lake-writer";
import { TABLES } from "../../../scenarios/web-logs/load";
import { LAKE_TABLE, recomputeAll, rollupHour } from "../../../scenarios/web-logs/rollup";
import { fakeAuthClient, startStandIn, type QueryAnswer } from "../../cloud/bigquery-stand-in";
import { startGcsStandIn } from "../../cloud/gcs-stand-in";
import { isWorkbookError } from "../../../lib/errors";
import { WEB_LOGS_FILE } from "../user-files";
import { fillLake } from "./helpers";

const TEN = Date.parse("2021-03-26T10:00:00Z");

function context(taskId: string): TaskContext {
  return {
    dagId: "weblogs_hourly", runId: "cloud-contract", taskId, logicalDate: new Date(TEN), dataInterval: { start: new Date(TEN), end: new Date(TEN + 3_600_000) },
    tryNumber: 1, params: {}, xcom: () => undefined, log: () => undefined, signal: new AbortController().signal,
  };
}

/** What BigQuery would answer for 10:00, worked out by hand from the file (lines 1, 2, 3, 5 and the late line 10 are in that hour). */
const ROLLUP_10: QueryAnswer = {
  fields: ["date", "hour", "type", "state", "category", "sub_cat", "visits", "cart_adds"].map((name) => ({ name, type: ["hour", "visits", "cart_adds"].includes(name) ? "INT64" : "STRING" })),
  rows: [
    ["2021-03-26", "10", "kitchen", "Texas", "products", "home-garden", "1", "0"],
    ["2021-03-26", "10", "phones", "Texas", "products", "electronics", "1", "0"],
    ["2021-03-26", "10", "shoes", "Ohio", "products", "mens-wear", "1", "1"],
  ],
};
const STATS_10: QueryAnswer = { fields: [{ name: "n", type: "INT64" }, { name: "max_time", type: "INT64" }], rows: [["5", String(Date.parse("2021-03-26T10:50:00Z"))]] };
const REJECTED_10: QueryAnswer = {
  fields: ["date", "hour", "kafka_partition", "kafka_offset", "date_time", "state", "reason"].map((name) => ({ name, type: ["hour", "kafka_partition", "kafka_offset"].includes(name) ? "INT64" : "STRING" })),
  rows: [["2021-03-26", "10", "0", "4", "2021-03-26 10:40:00", "Ontario", "state \"Ontario\" is not a US state"]],
};

test("web logs on a gs:// lake and BigQuery: the rollup reads the lake's Parquet through an external table with Hive partitioning (dt, hour), and the hour loads by the same MERGE", { timeout: 60_000 }, async (t) => {
  const gcs = await startGcsStandIn();
  t.after(() => gcs.close());
  const lake = await openLake({ root: "gs://lake-bucket/lake", storage: { apiEndpoint: gcs.endpoint, projectId: "test-project" } });
  t.after(() => lake.close());
  await fillLake(t, lake, fs.readFileSync(WEB_LOGS_FILE, "utf8").split("\n").filter((l) => l.trim() !== ""));

  const bq = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => bq.close());
  bq.answer = (sql): QueryAnswer => {
    if (sql.startsWith("SELECT COUNT(*) AS n, UNIX_MILLIS(")) return STATS_10;
    if (sql.startsWith("SELECT FORMAT_DATETIME('%Y-%m-%d', date_time) AS date, EXTRACT(HOUR FROM date_time) AS hour, type,")) return ROLLUP_10;
    if (sql.includes("is not a US state")) return REJECTED_10;
    return { fields: [], rows: [] };
  };
  const wh = await BigQueryWarehouse.create({ project: bq.project, dataset: "weblogs", location: "US", apiEndpoint: bq.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());

  // the DAG's tasks for 10:00, as the runner calls them
  const dag = webLogsDag({ lake: async () => lake, warehouse: async () => wh });
  const run = async (taskId: string): Promise<unknown> => {
    const task = dag.task(taskId);
    return task.kind === "task" ? task.run(context(taskId)) : undefined;
  };
  const rolled = (await run("rollup_hour")) as { files: number; lakeRows: number; rows: number; rejected: number };
  assert.deepEqual({ ...rolled, fingerprint: undefined }, { files: rolled.files, lakeRows: 5, rows: 3, rejected: 1, fingerprint: undefined });
  assert.ok(rolled.files >= 1);
  // the stand-in answers the checks' queries with no rows: freshness finds no newest event and drift no reference (warnings, the load goes on)
  assert.deepEqual(await run("check_quality"), { checks: 7, passed: 5, warned: 2, failed: 0 }, "lake rows 5 = counted 4 + rejected 1");
  assert.deepEqual({ ...(await run("load_hour")) as object, fingerprint: undefined }, { rows: 3, deleted: 0, loads: 1, fingerprint: undefined });

  const queries = bq.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as { query: string; queryParameters?: { name: string; parameterType: { type: string }; parameterValue: { value: string } }[] });
  // 1. the table definition: Parquet, the lake's files only, Hive partitions dt DATE and hour STRING
  const ddl = queries[0].query;
  assert.equal(ddl, `CREATE OR REPLACE EXTERNAL TABLE weblogs.${LAKE_TABLE} (date_time DATETIME, state STRING, ip_address STRING, category STRING, sub_cat STRING, type STRING, pid INT64, kafka_partition INT64, kafka_offset INT64)
WITH PARTITION COLUMNS (dt DATE, hour STRING)
OPTIONS (format = 'PARQUET', uris = ['gs://lake-bucket/lake/web_logs/dt=*.parquet'], hive_partition_uri_prefix = 'gs://lake-bucket/lake/web_logs', require_hive_partition_filter = false)`);
  // the source URI matches exactly the Parquet files the writer put in the bucket (not its _stream.json marker), each under prefix/dt=.../hour=.../
  const objects = [...gcs.objects.keys()].filter((k) => k.startsWith(`lake-bucket/lake/${LOGS_DATASET}/`));
  const matched = objects.filter((k) => k.startsWith("lake-bucket/lake/web_logs/dt=") && k.endsWith(".parquet"));
  assert.ok(objects.includes("lake-bucket/lake/web_logs/_stream.json") && !matched.includes("lake-bucket/lake/web_logs/_stream.json"));
  assert.deepEqual(matched.map((k) => /^lake-bucket\/lake\/web_logs\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/[^/]+\.parquet$/.exec(k)?.slice(1, 3).join(" ")).sort(),
    [...Array(matched.filter((k) => k.includes("hour=10/")).length).fill("2021-03-26 10"), ...Array(matched.filter((k) => k.includes("hour=11/")).length).fill("2021-03-26 11")]);
  for (const k of matched) assert.ok(gcs.objects.get(k)!.subarray(0, 4).toString() === "PAR1", `${k} is Parquet`);

  // 2. the rollup: three statements over the external table, bound to the partition by parameters
  const reads = queries.filter((q) => q.query.includes(`FROM ${LAKE_TABLE}`));
  assert.equal(reads.length, 3);
  for (const q of reads) {
    assert.match(q.query, /WHERE dt = @dt AND hour = @hour/);
    assert.deepEqual(q.queryParameters!.map((p) => `${p.name}:${p.parameterType.type}=${p.parameterValue.value}`), ["dt:DATE=2021-03-26", "hour:STRING=10"]);
  }
  assert.match(reads[1].query, /COUNTIF\(pid IS NULL\) AS visits,\s+COUNTIF\(pid IS NOT NULL\) AS cart_adds\nFROM weblogs_lake\nWHERE dt = @dt AND hour = @hour AND state IN \('Alabama', /);
  for (const q of queries) assert.doesNotMatch(q.query, /read_parquet|strftime|FILTER \(WHERE|::/, "no DuckDB on the BigQuery path");

  // 3. the load: unchanged, a MERGE into the hourly table from a staging table holding the rollup's rows
  const merge = queries.map((q) => q.query).find((s) => s.startsWith(`MERGE INTO \`weblogs.${TABLES.hourly}\``));
  assert.ok(merge, queries.map((q) => q.query).join("\n---\n"));
  const staged = bq.requests.filter((r) => r.method === "POST" && r.path.startsWith("/upload/")).map((r) => ({ table: (r.json?.configuration as { load: { destinationTable: { tableId: string } } }).load.destinationTable.tableId, rows: (r.upload ?? "").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>) }));
  const hourlyRows = staged.find((s) => s.rows.some((r) => "visits" in r))?.rows ?? [];
  assert.deepEqual(hourlyRows.map((r) => `${r.state} ${r.type} ${r.visits}+${r.cart_adds}`).sort(), ["Ohio shoes 1+1", "Texas kitchen 1+0", "Texas phones 1+0"]);

  // the recomputation over the whole lake is one query over the external table, with no partition filter
  bq.answer = () => ROLLUP_10;
  const all = await recomputeAll(lake, { warehouse: wh });
  assert.equal(all.length, 3);
  assert.match(bq.requests.filter((r) => r.path.endsWith("/queries")).at(-1)!.json!.query as string, /FROM weblogs_lake\nWHERE TRUE AND state IN/);
});

test("a gs:// lake without the BigQuery warehouse is a clear error, naming what to set", async (t) => {
  const gcs = await startGcsStandIn();
  t.after(() => gcs.close());
  const lake = await openLake({ root: "gs://lake-bucket/lake", storage: { apiEndpoint: gcs.endpoint, projectId: "test-project" } });
  t.after(() => lake.close());
  await assert.rejects(rollupHour(lake, TEN), (err: Error) => isWorkbookError(err, "OPTIONS_INVALID") && /gs:\/\/lake-bucket\/lake \(Cloud Storage\) through a BigQuery external table, so it needs the BigQuery warehouse \(WAREHOUSE=bigquery/.test(err.message));
});

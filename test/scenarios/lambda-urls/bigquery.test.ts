/**
 * The BigQuery contract for the lambda-urls scenario's batch layer, against the local stand-in of
 * the BigQuery API (test/cloud/bigquery-stand-in.ts): the DAG's recompute task replaces
 * url_hourly (partitioned by day on hour, clustered by url), url_hourly_coverage and url_rejected
 * with load jobs (WRITE_TRUNCATE), or empties a table with a DELETE when there is nothing to load;
 * the serving layer reads the view bound by TIMESTAMP parameters; the reconcile task counts the
 * rejected rows. What the stand-in answers is what the loads sent, so the coverage and the view
 * make the round trip. The stand-in runs no SQL; the ZetaSQL check (test/zetasql) analyzes the
 * same statements.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TaskContext } from "../../../lib/dag";
import { openLake } from "../../../lib/lake";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { BATCH_SCHEMAS, BATCH_TABLES, readBatchView, readCoverage, readRejected, type Coverage } from "../../../scenarios/lambda-urls/batch";
import { lambdaDag } from "../../../scenarios/lambda-urls/dags";
import { masterDataset, type MasterRecord } from "../../../scenarios/lambda-urls/master";
import { countUrlHourly, formatCreatedAt } from "../../../scenarios/lambda-urls/tweets";
import { fakeAuthClient, startStandIn, type QueryAnswer, type RecordedRequest } from "../../cloud/bigquery-stand-in";
import { tempDir } from "../../helpers";

const TOPIC = "tweets-bq";
const AT = Date.parse("2021-03-01T14:00:00Z");

/** Nine messages of partition 0: eight tweets over two hours, then a malformed one (offset 8). */
const MASTER: MasterRecord[] = [
  ...["a", "b", "a", "c", "a", "b", "a", "a"].map((page, i): MasterRecord => {
    const time = AT + i * 15 * 60_000;
    return { partition: 0, offset: i, timestamp: time, key: null, value: JSON.stringify({ id: String(1000 + i), created_at: formatCreatedAt(time), user: `u${i}`, text: "look", urls: [`https://example.com/${page}`] }) };
  }),
  { partition: 0, offset: 8, timestamp: AT + 2 * 3_600_000, key: null, value: "not json" },
];

/** A task's context for one run of the DAG (no store: the tasks are called as the runner would). */
function context(taskId: string, params: Record<string, unknown>, xcoms: Record<string, unknown> = {}): TaskContext {
  return {
    dagId: "lambda_url_counts", runId: "bq-contract", taskId, logicalDate: new Date(AT), dataInterval: { start: new Date(AT), end: new Date(AT + 3_600_000) },
    tryNumber: 1, params, xcom: <T>(id: string) => xcoms[id] as T | undefined, log: () => undefined, signal: new AbortController().signal,
  };
}

/** The rows the last load into `table` sent, as the API would return them (TIMESTAMP in microseconds). */
function loaded(requests: RecordedRequest[], table: string): QueryAnswer | undefined {
  const load = requests.filter((r) => r.method === "POST" && r.path.startsWith("/upload/") && (r.json?.configuration as { load: { destinationTable: { tableId: string } } }).load.destinationTable.tableId === table).at(-1);
  if (!load) return undefined;
  const key = (Object.keys(BATCH_TABLES) as (keyof typeof BATCH_TABLES)[]).find((k) => BATCH_TABLES[k] === table)!;
  const fields = BATCH_SCHEMAS[key].columns.map((c) => ({ name: c.name, type: c.type }));
  const rows = (load.upload ?? "").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>).map((r) => fields.map((f) => {
    const v = r[f.name];
    if (v === null || v === undefined) return null;
    return f.type === "TIMESTAMP" ? String(Date.parse(String(v)) * 1000) : String(v);
  }));
  return { fields, rows };
}

test("BigQuery contract: lambda-urls recomputes url_hourly, its coverage and its rejects by load jobs, reads the view with TIMESTAMP parameters, and reconciles", { timeout: 30_000 }, async (t) => {
  const lake = await openLake({ root: tempDir(t) });
  t.after(() => lake.close());
  await lake.writeFile(`${masterDataset(TOPIC)}/dt=2021-03-01/hour=14/part-${TOPIC}-0-0-8.json`, MASTER.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  standIn.answer = (sql): QueryAnswer => {
    if (sql.startsWith(`SELECT * FROM ${BATCH_TABLES.coverage}`)) return loaded(standIn.requests, BATCH_TABLES.coverage) ?? { fields: [], rows: [] };
    if (sql.startsWith(`SELECT hour, url, count FROM ${BATCH_TABLES.view}`)) return loaded(standIn.requests, BATCH_TABLES.view) ?? { fields: [], rows: [] };
    if (sql.startsWith(`SELECT kafka_offset, reason, raw FROM ${BATCH_TABLES.rejected}`)) {
      const r = loaded(standIn.requests, BATCH_TABLES.rejected);
      return r ? { fields: [{ name: "kafka_offset", type: "INT64" }, { name: "reason", type: "STRING" }, { name: "raw", type: "STRING" }], rows: r.rows.map((x) => [x[1], x[2], x[3]]) } : { fields: [], rows: [] };
    }
    if (sql === `SELECT COUNT(*) AS rejected FROM ${BATCH_TABLES.rejected}`) return { fields: [{ name: "rejected", type: "INT64" }], rows: [[String(loaded(standIn.requests, BATCH_TABLES.rejected)?.rows.length ?? 0)]] };
    return { fields: [], rows: [] };
  };
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "lambda", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  const dag = lambdaDag({ warehouse: async () => wh, lake: async () => lake });
  const run = async (taskId: string, params: Record<string, unknown>, xcoms: Record<string, unknown> = {}): Promise<unknown> => {
    const task = dag.task(taskId);
    assert.equal(task.kind, "task");
    return task.kind === "task" ? task.run(context(taskId, params, xcoms)) : undefined;
  };
  const queries = () => standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as { query: string; useLegacySql: boolean; queryParameters?: { name: string; parameterType: { type: string } }[] });

  // blocks of 4: offsets 0-7 are covered, the malformed message at 8 is not yet, so url_rejected is emptied by a DELETE
  const first = (await run("recompute_url_hourly", { topic: TOPIC, blockSize: 4 })) as Coverage;
  assert.deepEqual({ partitions: first.partitions, tweets: first.tweets, rejected: first.rejected }, { partitions: { 0: 8 }, tweets: 8, rejected: 0 });
  const created = standIn.requests.filter((r) => r.method === "POST" && /\/datasets\/lambda\/tables$/.test(r.path) && r.status === 200).map((r) => r.json as { tableReference: { tableId: string }; schema: { fields: { name: string; type: string }[] }; timePartitioning?: unknown; clustering?: unknown });
  assert.deepEqual(created.map((c) => c.tableReference.tableId), [BATCH_TABLES.view, BATCH_TABLES.coverage, BATCH_TABLES.rejected]);
  for (const [i, k] of (["view", "coverage", "rejected"] as const).entries()) assert.deepEqual(created[i].schema.fields.map((f) => `${f.name} ${f.type}`), BATCH_SCHEMAS[k].columns.map((c) => `${c.name} ${c.type}`));
  assert.deepEqual(created[0].timePartitioning, { type: "DAY", field: "hour" });
  assert.deepEqual(created[0].clustering, { fields: ["url"] });
  assert.deepEqual(queries().map((q) => q.query), [`DELETE FROM ${BATCH_TABLES.rejected} WHERE TRUE`]);
  const expected = countUrlHourly(MASTER.filter((r) => r.offset < 8));
  assert.deepEqual(loaded(standIn.requests, BATCH_TABLES.view)?.rows, expected.rows.map((r) => [String(Date.parse(r.hour) * 1000), r.url, String(r.count)]), "url_hourly holds the reference counts");

  // blocks of 3: offsets 0-8 are covered and the malformed message is loaded into url_rejected
  const second = (await run("recompute_url_hourly", { topic: TOPIC, blockSize: 3 })) as Coverage;
  assert.deepEqual({ partitions: second.partitions, tweets: second.tweets, rejected: second.rejected }, { partitions: { 0: 9 }, tweets: 9, rejected: 1 });
  const loads = standIn.requests.filter((r) => r.method === "POST" && r.path.startsWith("/upload/")).map((r) => (r.json?.configuration as { load: { destinationTable: { tableId: string }; sourceFormat: string; writeDisposition: string } }).load);
  assert.deepEqual(loads.map((l) => `${l.destinationTable.tableId} ${l.sourceFormat} ${l.writeDisposition}`), [
    `${BATCH_TABLES.view} NEWLINE_DELIMITED_JSON WRITE_TRUNCATE`, `${BATCH_TABLES.coverage} NEWLINE_DELIMITED_JSON WRITE_TRUNCATE`,
    `${BATCH_TABLES.view} NEWLINE_DELIMITED_JSON WRITE_TRUNCATE`, `${BATCH_TABLES.rejected} NEWLINE_DELIMITED_JSON WRITE_TRUNCATE`, `${BATCH_TABLES.coverage} NEWLINE_DELIMITED_JSON WRITE_TRUNCATE`,
  ], "whole tables replaced, never a partition decorator");

  // the serving layer's reads: the coverage round-trips; the view is bound by two TIMESTAMP parameters
  const coverage = await readCoverage(wh);
  assert.deepEqual(coverage, second);
  const view = await readBatchView(wh, { from: "2021-03-01T00:00:00Z", to: "2021-03-02T00:00:00Z" });
  assert.deepEqual(view, countUrlHourly(MASTER).rows);
  assert.deepEqual(await run("reconcile", {}, { recompute_url_hourly: second }), { tweets: 9, ok: 8, rejected: 1 });
  // the notebook's look at the rejected tweets
  assert.deepEqual(await readRejected(wh, 8), [{ kafka_offset: 8, reason: 'not JSON: "not json"', raw: "not json" }]);

  const sent = queries();
  assert.deepEqual(sent.map((q) => q.query.replace(/ (WHERE|ORDER BY) .*/, "")), [
    `DELETE FROM ${BATCH_TABLES.rejected}`, `SELECT * FROM ${BATCH_TABLES.coverage}`, `SELECT hour, url, count FROM ${BATCH_TABLES.view}`, `SELECT COUNT(*) AS rejected FROM ${BATCH_TABLES.rejected}`,
    `SELECT kafka_offset, reason, raw FROM ${BATCH_TABLES.rejected}`,
  ]);
  assert.deepEqual(sent.filter((q) => q.queryParameters).map((q) => q.queryParameters!.map((p) => `${p.name}:${p.parameterType.type}`)), [["from:TIMESTAMP", "to:TIMESTAMP"]]);
  for (const q of sent) assert.equal(q.useLegacySql, false);
});

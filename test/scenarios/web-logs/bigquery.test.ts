/**
 * The BigQuery contract for the web-logs scenario's warehouse side, against the local stand-in of the
 * BigQuery API (test/cloud/bigquery-stand-in.ts): the hourly table is partitioned by day and
 * clustered by hour and state, and loading an hour is one MERGE by the rollup key through a staging
 * table that also deletes that hour's vanished keys, and nothing outside the hour. The stand-in runs
 * no SQL; the ZetaSQL check (test/zetasql) analyzes the same statements.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { createWebLogTables, loadHour, TABLES } from "../../../scenarios/web-logs/load";
import type { HourRollup } from "../../../scenarios/web-logs/rollup";
import { fakeAuthClient, startStandIn, type QueryAnswer } from "../../cloud/bigquery-stand-in";

const hour: HourRollup = {
  date: "2021-03-26", hour: 10, files: ["web_logs/dt=2021-03-26/hour=10/m00-part.parquet"], fingerprint: "f1", lakeRows: 5, maxEventTime: null,
  rows: [
    { date: "2021-03-26", hour: 10, type: "visit", state: "Texas", category: "Books", sub_cat: "Fiction", visits: 3, cart_adds: 0 },
    { date: "2021-03-26", hour: 10, type: "cart", state: "Ohio", category: "Books", sub_cat: "Poetry", visits: 0, cart_adds: 1 },
  ],
  rejected: [{ date: "2021-03-26", hour: 10, kafka_partition: 0, kafka_offset: 7, date_time: "2021-03-26 10:61:00", state: "Texas", reason: "bad date_time" }],
};

test("BigQuery contract: the hourly table is partitioned by day and clustered by hour and state; an hour loads by one MERGE that deletes only that hour's vanished keys", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  // the hour's stored keys: one still there, one gone since (a late correction moved it)
  standIn.answer = (sql): QueryAnswer => {
    if (/^SELECT date, hour, type, state, category, sub_cat FROM/.test(sql)) {
      return { fields: ["date", "hour", "type", "state", "category", "sub_cat"].map((name) => ({ name, type: name === "hour" ? "INT64" : name === "date" ? "DATE" : "STRING" })), rows: [["2021-03-26", "10", "visit", "Texas", "Books", "Fiction"], ["2021-03-26", "10", "visit", "Utah", "Toys", "Dolls"]] };
    }
    return { fields: [], rows: [] };
  };
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "weblogs", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());

  await createWebLogTables(wh);
  const created = standIn.requests.filter((r) => r.method === "POST" && /\/tables$/.test(r.path)).map((r) => r.json as { tableReference: { tableId: string }; timePartitioning?: { type: string; field: string }; clustering?: { fields: string[] } });
  const hourly = created.find((c) => c.tableReference.tableId === TABLES.hourly);
  assert.deepEqual(hourly?.timePartitioning, { type: "DAY", field: "date" }, "day partitions: about 27 years within the 10,000-partition limit");
  assert.deepEqual(hourly?.clustering, { fields: ["hour", "state"] });

  const result = await loadHour(wh, hour);
  assert.deepEqual(result, { rows: 2, deleted: 1, loads: 1 });
  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as { query: string; useLegacySql: boolean; queryParameters?: { name: string; parameterType: { type: string } }[] });
  const merges = queries.map((q) => q.query).filter((s) => s.startsWith("MERGE"));
  const hourlyMerge = merges.find((s) => s.startsWith(`MERGE INTO \`weblogs.${TABLES.hourly}\``));
  assert.ok(hourlyMerge, merges.join("\n---\n"));
  for (const k of ["date", "hour", "type", "state", "category", "sub_cat"]) assert.match(hourlyMerge, new RegExp(`t\\.\`${k}\` = s\\.\`${k}\``), `the MERGE matches on ${k}`);
  assert.match(hourlyMerge, /DELETE/, "the MERGE deletes the vanished key");
  // every query that reads the table is bound to the hour: DATE and INT64 parameters
  const reads = queries.filter((q) => q.queryParameters);
  assert.ok(reads.length >= 3);
  for (const q of reads) assert.deepEqual(q.queryParameters!.map((p) => `${p.name}:${p.parameterType.type}`).sort(), ["date:DATE", "hour:INT64"]);
  for (const q of queries) assert.equal(q.useLegacySql, false);
});

/**
 * The dbt export: the schema.yml parsed back matches the declared checks one for one, and each
 * singular test, rendered as dbt would (ref() and var() filled in) and run on DuckDB, returns rows
 * exactly when lib/quality fails the same check. (test/scenarios/sparkify/dbt.test.ts: Sparkify's export and the CLI.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptedValues, drift, freshness, notNull, range, references, runChecks, sqlCheck, unique, volume, warehouseTarget, type QualityCheck } from "../../../lib/quality";
import { exportDbt } from "../../../lib/quality/dbt";
import { openWarehouse } from "../../../lib/warehouse";
import { genericTests } from "./helpers";

test("each singular test, rendered and run on DuckDB, returns rows exactly when lib/quality fails the check", async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await wh.createTable("dim", { columns: [{ name: "id", type: "INT64" }] });
  await wh.createTable("fact", { columns: [{ name: "k1", type: "INT64" }, { name: "k2", type: "STRING" }, { name: "dim_id", type: "INT64" }, { name: "amount", type: "FLOAT64" }, { name: "ts", type: "TIMESTAMP" }] });
  await wh.loadRows("dim", [{ id: 1 }]);
  const at = (h: number) => new Date(Date.UTC(2024, 0, 1, h));
  await wh.loadRows("fact", [
    { k1: 1, k2: "a", dim_id: 1, amount: 5, ts: at(2) }, { k1: 1, k2: "a", dim_id: 2, amount: 50, ts: at(3) }, { k1: 2, k2: "b", dim_id: 1, amount: 7, ts: at(4) },
  ]);
  const checks: QualityCheck[] = [
    freshness({ table: "fact", column: "ts", maxLagHours: 12 }), freshness({ table: "fact", column: "ts", maxLagHours: 24, name: "fresh a day" }),
    volume({ table: "fact", timeColumn: "ts", min: 4 }), volume({ table: "fact", timeColumn: "ts", min: 1, max: 3 }),
    range({ table: "fact", column: "amount", max: 10 }), range({ table: "fact", column: "amount", min: 0 }),
    unique({ table: "fact", columns: ["k1", "k2"] }), unique({ table: "fact", columns: ["k1", "k2", "dim_id"], name: "with dim" }),
    references({ table: "fact", column: "dim_id", to: "dim", toColumn: "id", maxMissingShare: 0.2 }), references({ table: "fact", column: "dim_id", to: "dim", toColumn: "id", maxMissingShare: 0.5, name: "half" }),
    sqlCheck({ table: "fact", kind: "volume", name: "no big amounts in the day", sql: "SELECT COUNT(*) AS n FROM fact WHERE amount > 20 AND ts >= @start AND ts < @end" }),
    notNull({ table: "fact", column: "k2", severity: "warn" }), acceptedValues({ table: "fact", column: "k2", values: ["a", "b"] }), drift({ table: "fact", column: "amount" }),
  ];
  const interval = { start: at(0), end: at(24) };
  const results = await runChecks(warehouseTarget(wh), checks, { interval, record: false });
  const out = exportDbt(checks);
  const byFile = new Map(out.singular.map((s) => [s.file, s.sql]));
  const render = (sql: string) => sql.replace(/\{\{ ref\('([a-z_]+)'\) \}\}/g, "$1").replace(/\{\{ var\("data_interval_start"\) \}\}/g, "2024-01-01 00:00:00").replace(/\{\{ var\("data_interval_end"\) \}\}/g, "2024-01-02 00:00:00").replace(/\{\{.*\}\}\n/g, "");
  let compared = 0;
  for (const r of results) {
    const file = `fact__${r.check.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "")}.sql`;
    const sql = byFile.get(file);
    if (!sql) continue;
    const rows = (await wh.query(render(sql))).rows;
    assert.equal(rows.length > 0, r.status === "fail", `${r.check}: lib/quality ${r.status} (${r.observed}), dbt test returned ${rows.length} rows`);
    compared++;
  }
  assert.equal(compared, 11);
  assert.deepEqual(results.filter((r) => r.status === "fail").map((r) => r.check).sort(), ["amount in -inf..10", "every dim_id exists in dim", "k1, k2 is unique", "no big amounts in the day", "row count in 4..any", "ts at most 12 h old"].sort());
  const generic = genericTests(out.schemaYml);
  assert.deepEqual(generic.map(([m, c, t, a]) => [m, c, t, a]), [["fact", "k2", "not_null", { config: { severity: "warn" } }], ["fact", "k2", "accepted_values", { values: ["a", "b"] }]]);
  assert.match(out.schemaYml, /drift:\n\s+categorical: false\n\s+threshold: 0.2/);
});

/**
 * lib/quality on PostgreSQL (PGlite in memory; a server too when DATABASE_URL is set), and as a DAG
 * task: a failed blocking check fails the task with the check and its observed value and the load
 * after it does not run; a warning lets the load run.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { config } from "../../../lib/config";
import { defineDag, runDag, task } from "../../../lib/dag";
import { isWorkbookError } from "../../../lib/errors";
import { checkInTask, notNull, postgresTarget, qualityTask, references, runChecks, unique, volume } from "../../../lib/quality";
import { openSql, type SqlDatabase } from "../../../lib/sql";
import { sharedStore, statesOf } from "../dag/helpers";

const shared = sharedStore();
after(() => shared.close());

const interval = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2024-01-02T00:00:00Z") };

async function fill(db: SqlDatabase, prefix: string): Promise<void> {
  await db.exec(`CREATE TABLE ${prefix}_dim (id INTEGER PRIMARY KEY);
    CREATE TABLE ${prefix}_fact (id INTEGER, dim_id INTEGER, ts TIMESTAMPTZ);
    INSERT INTO ${prefix}_dim VALUES (1), (2);
    INSERT INTO ${prefix}_fact VALUES (1, 1, '2024-01-01 01:00+00'), (2, 9, '2024-01-01 02:00+00'), (2, 2, '2024-01-01 03:00+00'), (3, 8, '2024-01-05 00:00+00');`);
}

const checksOf = (p: string) => [
  unique({ table: `${p}_fact`, columns: ["id"], timeColumn: "ts" }),
  references({ table: `${p}_fact`, column: "dim_id", to: `${p}_dim`, toColumn: "id", timeColumn: "ts", maxMissingShare: 0.5 }),
  notNull({ table: `${p}_fact`, column: "dim_id" }),
  volume({ table: `${p}_fact`, timeColumn: "ts", min: 1 }),
];

async function onPostgres(db: SqlDatabase, p: string): Promise<void> {
  await fill(db, p);
  const target = postgresTarget(db, { resultsTable: `${p}_results` });
  const results = await runChecks(target, checksOf(p), { interval, runId: "r1" });
  // in the interval: ids 1,2,2 (one duplicated key); dim_id 1,9,2: 9 missing, 1 of 3
  assert.deepEqual(results.map((r) => [r.check, r.observed, r.status]), [
    ["id is unique", 1, "fail"], ["every dim_id exists in " + `${p}_dim`, 1 / 3, "pass"], ["dim_id is never null", 0, "pass"], ["has rows", 3, "pass"],
  ]);
  await runChecks(target, checksOf(p), { interval, runId: "r2" });
  const stored = await db.query<{ n: number; runs: string }>(`SELECT COUNT(*) AS n, string_agg(DISTINCT run_id, ',') AS runs FROM ${p}_results`);
  assert.deepEqual(stored.rows[0], { n: 4, runs: "r2" }, "a re-run of the same interval replaces its rows");
  await assert.rejects(runChecks(target, [notNull({ table: `${p}_fact`, column: "nope" })], { interval }), (err) => isWorkbookError(err, "QUALITY_INVALID") && /its columns are id, dim_id, ts/.test(err.message));
}

test("checks on PGlite: the same SQL, results recorded once per logical date", { timeout: 120_000 }, async () => {
  const { db } = await shared.get();
  await onPostgres(db, "pgl");
});

test("checks on a PostgreSQL server", { skip: config().sql.url ? false : "DATABASE_URL is not set", timeout: 60_000 }, async () => {
  const db = await openSql({ url: config().sql.url });
  const p = `q${process.pid}`;
  try {
    await onPostgres(db, p);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${p}_fact; DROP TABLE IF EXISTS ${p}_dim; DROP TABLE IF EXISTS ${p}_results;`);
    await db.close();
  }
});

test("a DAG: a failed blocking check fails its task naming the check and the value, and the load does not run; a warning lets it run", { timeout: 120_000 }, async () => {
  const { db, store } = await shared.get();
  await fill(db, "dagq");
  const loaded: string[] = [];
  const make = (id: string, severity: "block" | "warn") => defineDag({
    id, schedule: "@daily", startDate: "2024-01-01",
    tasks: [
      qualityTask({ id: "check", checks: [unique({ table: "dagq_fact", columns: ["id"], timeColumn: "ts", severity })], target: async () => postgresTarget(db, { resultsTable: "dagq_results" }) }),
      task({ id: "load", upstream: ["check"], run: () => loaded.push(id) }),
    ],
  });
  const blocked = await runDag(make("quality_block", "block"), { logicalDate: "2024-01-01", store });
  assert.deepEqual(statesOf(blocked), { check: "failed", load: "upstream_failed" });
  assert.match(blocked.tasks[0].error ?? "", /dagq_fact: id is unique \(observed 1;/);
  const warned = await runDag(make("quality_warn", "warn"), { logicalDate: "2024-01-01", store });
  assert.deepEqual(statesOf(warned), { check: "success", load: "success" });
  assert.deepEqual(loaded, ["quality_warn"]);
  // the task recorded its results under the run's logical date (the second run replaced the first's)
  const stored = (await postgresTarget(db, { resultsTable: "dagq_results" }).allResults()).filter((r) => r.check_name === "id is unique" && r.run_id !== "x");
  assert.deepEqual(stored.map((r) => [r.logical_date, r.status]), [["2024-01-01T00:00:00.000Z", "warn"]]);
  // checkInTask throws the coded error
  const ctx = { runId: "x", logicalDate: interval.start, dataInterval: interval, log: () => undefined } as unknown as Parameters<typeof checkInTask>[0];
  await assert.rejects(checkInTask(ctx, postgresTarget(db, { resultsTable: "dagq_results" }), [unique({ table: "dagq_fact", columns: ["id"], timeColumn: "ts" })]), (err) => isWorkbookError(err, "DAG_QUALITY_FAILED"));
});

/** The Sparkify DAG from a terminal: generate the data, list, run, status and export through the workbook binary. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";

test("workbook data sparkify, then workbook dag run/status/export-airflow sparkify_etl", { timeout: 300_000 }, async (t) => {
  const home = path.join(tempDir(t), "home");
  const env = { WORKBOOK_HOME: home, DATABASE_URL: "", WORKBOOK_JOBS: "2" };
  const data = await runCli(["data", "sparkify", "--events", "1500", "--days", "4", "--songs", "60", "--users", "10"], { env });
  assert.equal(data.code, 0, data.stderr);
  assert.match(data.stdout, /wrote 60 song files and 4 log files/);
  const bad = await runCli(["data", "sparkify", "--events", "many"], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--events "many" is not a positive integer/);

  const list = await runCli(["dag", "list"], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /sparkify_etl/);
  const run = await runCli(["dag", "run", "sparkify_etl", "--logical-date", "2018-11-01"], { env, timeoutMs: 240_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const status = await runCli(["dag", "status", "sparkify_etl"], { env });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /success/);
  const failed = await runCli(["dag", "run", "sparkify_etl", "--logical-date", "2018-10-01"], { env });
  assert.equal(failed.code, 2, "a logical date before the start date is bad input");
  assert.match(failed.stderr, /2018-10-01|start date/);
  const exported = await runCli(["dag", "export-airflow", "sparkify_etl"], { env });
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /dag_id="sparkify_etl"|dag_id='sparkify_etl'|"sparkify_etl"/);
  assert.match(exported.stdout, /trigger_rule=TriggerRule\.ALL_DONE/);
});

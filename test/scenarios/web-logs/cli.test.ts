/** The web-logs DAG from a terminal: stream generated logs into the lake, then backfill hours, through the workbook binary. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";

test("workbook data weblogs, then workbook dag backfill weblogs_hourly and a query of the loaded hours", { timeout: 300_000 }, async (t) => {
  const home = path.join(tempDir(t), "home");
  const env = { WORKBOOK_HOME: home, DATABASE_URL: "" };
  const data = await runCli(["data", "weblogs", "--hours", "2", "--events-per-hour", "600", "--seed", "8"], { env, timeoutMs: 120_000 });
  assert.equal(data.code, 0, data.stderr);
  assert.match(data.stdout, /events in \d+ Parquet files under .*web_logs, \d+ malformed lines in web-logs-\w+\.dead-letter/);
  const bad = await runCli(["data", "weblogs", "--hours", "many"], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--hours "many" is not a number/);

  const list = await runCli(["dag", "list"], { env });
  assert.match(list.stdout, /weblogs_hourly/);
  const run = await runCli(["dag", "backfill", "weblogs_hourly", "--from", "2021-03-26T10:00:00Z", "--to", "2021-03-26T11:00:00Z"], { env, timeoutMs: 240_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /2 runs, 0 failed/);
  const q = await runCli(["query", "SELECT count(DISTINCT hour) AS hours, sum(visits) > 0 AS some_visits FROM weblogs_hourly"], { env });
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /\b2\b.*true/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBackends } from "../../lib/welcome";
import { withEnv } from "../helpers";

test("checkBackends: with JOB_RUNNER=dataproc the Jobs row says not run (a job would start a cluster), never ok; the lake is checked on a temporary folder", { timeout: 120_000 }, async (t) => {
  withEnv(t, { JOB_RUNNER: "dataproc", GOOGLE_CLOUD_PROJECT: "welcome-test", DATAPROC_BUCKET: "welcome-test-bucket", LAKE: undefined, KAFKA_BROKERS: undefined, WAREHOUSE: undefined, DATABASE_URL: undefined });
  const rows = await checkBackends();
  const jobs = rows.find((r) => r.part === "Jobs");
  assert.deepEqual([jobs?.mode, jobs?.status], ["configured", "not run"]);
  assert.match(jobs?.check ?? "", /starts a cluster/);
  const lake = rows.find((r) => r.part === "Lake");
  assert.deepEqual([lake?.mode, lake?.status, lake?.check], ["embedded", "ok", "wrote, listed, read back and deleted 1 file"]);
  assert.deepEqual(rows.filter((r) => r.part !== "Jobs").map((r) => r.status), ["ok", "ok", "ok", "ok"]);
});

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { readConfig } from "../../lib/config";
import { isWorkbookError } from "../../lib/errors";
import { projectRoot } from "../../lib/paths";

test("with no variables every backend is embedded and the work folder is .workbook in the project", () => {
  const c = readConfig({});
  assert.equal(c.home, path.join(projectRoot, ".workbook"));
  assert.equal(c.kafka.mode, "embedded");
  assert.equal(c.warehouse.kind, "duckdb");
  assert.equal(c.sql.kind, "pglite");
  assert.equal(c.jobRunner.runner, "local");
  assert.ok(c.jobs >= 1);
});

test("variables select the external services", () => {
  const c = readConfig({
    WORKBOOK_HOME: "/tmp/wb", KAFKA_BROKERS: "a:9092, b:9093", KAFKA_SASL_MECHANISM: "PLAIN", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p", KAFKA_SSL: "true",
    WAREHOUSE: "bigquery", GOOGLE_CLOUD_PROJECT: "proj", DATABASE_URL: "postgres://x@h/db", WORKBOOK_JOBS: "3",
  });
  assert.equal(c.home, "/tmp/wb");
  assert.deepEqual(c.kafka, { mode: "external", brokers: ["a:9092", "b:9093"], ssl: true, sasl: { mechanism: "plain", username: "u", password: "p" } });
  assert.equal(c.warehouse.kind, "bigquery");
  assert.equal(c.warehouse.project, "proj");
  assert.equal(c.sql.kind, "postgres");
  assert.equal(c.jobs, 3);
});

test("bad values name the variable and the fix", () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ KAFKA_BROKERS: "nohost" }, /KAFKA_BROKERS contains "nohost", which is not host:port/],
    [{ WAREHOUSE: "snowflake" }, /WAREHOUSE="snowflake" is not one of duckdb, bigquery/],
    [{ WAREHOUSE: "bigquery" }, /needs GOOGLE_CLOUD_PROJECT/],
    [{ WORKBOOK_JOBS: "0" }, /WORKBOOK_JOBS="0" is not a positive integer/],
    [{ KAFKA_SSL: "maybe" }, /KAFKA_SSL="maybe" is not a boolean/],
    [{ JOB_RUNNER: "dataproc" }, /needs GOOGLE_CLOUD_PROJECT and DATAPROC_BUCKET/],
  ];
  for (const [env, message] of bad) assert.throws(() => readConfig(env), (e) => isWorkbookError(e, "CONFIG_INVALID") && message.test(e.message));
});

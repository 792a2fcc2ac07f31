import assert from "node:assert/strict";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { requireDuckDB } from "../../../lib/warehouse/dialect";

test("requireDuckDB passes a DuckDB warehouse and stops a BigQuery one with an error naming the SQL, WAREHOUSE and the fix", () => {
  requireDuckDB({ kind: "duckdb" }, "The list query");
  assert.throws(() => requireDuckDB({ kind: "bigquery" }, "The list query"), (e) =>
    isWorkbookError(e, "OPTIONS_INVALID") && /^The list query is DuckDB SQL/.test(e.message) && /"bigquery" \(WAREHOUSE=bigquery\)/.test(e.message) && /openWarehouse\(\{ memory: true \}\)/.test(e.message));
});

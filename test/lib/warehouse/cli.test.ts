import { test } from "node:test";
import assert from "node:assert/strict";
import { captured as io } from "../../helpers";
import { queryCommand } from "../../../lib/warehouse/cli";

test("workbook query prints the result as a table", async () => {
  const s = io();
  const code = await queryCommand(["SELECT i AS n, 'row ' || i AS label FROM range(@k) t(i)", "-p", "k", "3"], { ...s, warehouse: { memory: true } });
  assert.equal(code, 0);
  assert.equal(s.out(), "n  label\n-  -----\n0  row 0\n1  row 1\n2  row 2\n(3 rows)\n");
});

test("workbook query --json prints one JSON object per row", async () => {
  const s = io();
  assert.equal(await queryCommand(["--json", "--memory", "SELECT 1 AS a, DATE '2021-03-26' AS d"], s), 0);
  assert.deepEqual(JSON.parse(s.out()), { a: 1, d: "2021-03-26" });
});

test("workbook query reports SQL errors with the position (exit 1) and usage errors (exit 2)", async () => {
  const s = io();
  assert.equal(await queryCommand(["--memory", "SELECT nope FROM range(1)"], s), 1);
  assert.match(s.err(), /DuckDB rejected the SQL at line 1, column 8/);
  const u = io();
  assert.equal(await queryCommand([], u), 2);
  assert.match(u.err(), /missing the SQL text/);
});

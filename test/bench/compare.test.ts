import { test } from "node:test";
import assert from "node:assert/strict";
import { closeEnough, firstDifference, geomean } from "../../bench/compare";

const table = { columns: ["origin", "flights", "avg_delay"], rows: [["ATL", 10, 1.5], ["BOS", 3n, -2 / 3]] };

test("equal results within the tolerance agree, bigints and numbers alike", () => {
  assert.equal(firstDifference(table, { columns: ["origin", "flights", "avg_delay"], rows: [["ATL", 10, 1.5 + 1e-12], ["BOS", 3, -0.6666666666666667]] }), undefined);
  assert.ok(closeEnough(0, 1e-12));
  assert.ok(!closeEnough(100, 100.001));
  assert.ok(closeEnough(NaN, NaN));
});

test("a different row count, column, value or string is reported", () => {
  assert.match(firstDifference(table, { ...table, rows: table.rows.slice(0, 1) }) ?? "", /row counts differ: expected 2, got 1/);
  assert.match(firstDifference(table, { ...table, columns: ["origin", "n", "avg_delay"] }) ?? "", /columns differ/);
  assert.match(firstDifference(table, { ...table, rows: [["ATL", 10, 1.5], ["BOS", 4, -2 / 3]] }) ?? "", /row 2, column flights: expected "3", got 4/);
  assert.match(firstDifference(table, { ...table, rows: [["ATL", 10, 1.5], ["BOX", 3, -2 / 3]] }) ?? "", /row 2, column origin/);
  assert.match(firstDifference(table, { ...table, rows: [["ATL", 10, null], ["BOS", 3, -2 / 3]] }) ?? "", /row 1, column avg_delay/);
});

test("geomean", () => {
  assert.ok(Math.abs(geomean([2, 8]) - 4) < 1e-12);
  assert.ok(Number.isNaN(geomean([])));
});

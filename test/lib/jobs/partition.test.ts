import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultPartitions, partition } from "../../../lib/jobs/partition";

test("partition splits into contiguous parts whose sizes differ by at most one", () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  const parts = partition(items, 5);
  assert.equal(parts.length, 5);
  assert.deepEqual(parts.flat(), items);
  const sizes = parts.map((p) => p.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
});

test("partition never makes more parts than items, nor empty parts", () => {
  assert.deepEqual(partition([1, 2], 8), [[1], [2]]);
  assert.deepEqual(partition([], 4), []);
  assert.deepEqual(partition([1, 2, 3], 1), [[1, 2, 3]]);
});

test("defaultPartitions gives every worker the same number of partitions of at least 250 records, up to four each", () => {
  assert.equal(defaultPartitions(600, 2), 2);
  assert.equal(defaultPartitions(600, 1), 2);
  assert.equal(defaultPartitions(2000, 2), 8);
  assert.equal(defaultPartitions(100_000, 2), 8);
  assert.equal(defaultPartitions(14, 2), 2);
  assert.equal(defaultPartitions(1, 2), 1);
  assert.equal(defaultPartitions(0, 2), 1);
});

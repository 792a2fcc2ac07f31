import { test } from "node:test";
import assert from "node:assert/strict";
import { isWorkbookError } from "../../../lib/errors";
import { checkLakePath, escapePartitionValue, parsePartitionPath, partFileName, partitionPath, unescapePartitionValue } from "../../../lib/lake/paths";

function invalid(message: RegExp) {
  return (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID") && message.test(err.message);
}

test("partitionPath puts the values in the order given", { timeout: 5_000 }, () => {
  assert.equal(partitionPath("web_logs", { dt: "2021-03-26", hour: 14 }), "web_logs/dt=2021-03-26/hour=14");
  assert.equal(partitionPath("raw/web_logs", { hour: "14", dt: "2021-03-26" }), "raw/web_logs/hour=14/dt=2021-03-26");
});

test("partitionPath escapes '/', '=', '%' and the other characters Hive escapes, and parsePartitionPath reverses it", { timeout: 5_000 }, () => {
  const values = { page: "/a=b%c", q: "x:y?z#", note: "tab\there", plain: "ok-1.2 (é)" };
  const folder = partitionPath("hits", values);
  assert.equal(folder, "hits/page=%2Fa%3Db%25c/q=x%3Ay%3Fz%23/note=tab%09here/plain=ok-1.2 (é)");
  assert.deepEqual(parsePartitionPath(folder), { dataset: "hits", values });
  assert.equal(unescapePartitionValue(escapePartitionValue("100%/[x]^{y}*'\"\\")), "100%/[x]^{y}*'\"\\");
});

test("parsePartitionPath splits a file path into dataset, values and file", { timeout: 5_000 }, () => {
  assert.deepEqual(parsePartitionPath("web_logs/dt=2021-03-26/hour=14/part-00003.parquet"), {
    dataset: "web_logs", values: { dt: "2021-03-26", hour: "14" }, file: "part-00003.parquet",
  });
  assert.deepEqual(parsePartitionPath("web_logs/part-0.json"), { dataset: "web_logs/part-0.json", values: {} });
  assert.deepEqual(parsePartitionPath("a/b/dt=x"), { dataset: "a/b", values: { dt: "x" } });
});

test("partitionPath rejects no values and empty keys or values", { timeout: 5_000 }, () => {
  assert.throws(() => partitionPath("web_logs", {}), invalid(/"web_logs" was given no partition values/));
  assert.throws(() => partitionPath("web_logs", { dt: "" }), invalid(/"web_logs\/dt=" has an empty partition key or value/));
  assert.throws(() => partitionPath("../web_logs", { dt: "x" }), invalid(/"\.\.\/web_logs" contains "\.\."/));
});

test("partFileName is deterministic and zero-padded from input positions", { timeout: 5_000 }, () => {
  const name = partFileName({ topic: "clicks", partition: 3, firstOffset: 100, lastOffset: 199, ext: "parquet" });
  assert.equal(name, "part-clicks-00003-0000000000000000100-0000000000000000199.parquet");
  assert.equal(partFileName({ topic: "clicks", partition: 3, firstOffset: "100", lastOffset: 199n, ext: ".parquet" }), name);
  assert.equal(partFileName({ partition: 0, firstOffset: 0, lastOffset: "9223372036854775807", ext: "json.gz" }), "part-00000-0000000000000000000-9223372036854775807.json.gz");
  // Zero padding keeps name order equal to offset order.
  const a = partFileName({ partition: 0, firstOffset: 9, lastOffset: 9, ext: "json" });
  const b = partFileName({ partition: 0, firstOffset: 10, lastOffset: 10, ext: "json" });
  assert.ok(a < b);
});

test("partFileName rejects bad topics, partitions, offsets and extensions", { timeout: 5_000 }, () => {
  assert.throws(() => partFileName({ topic: "a/b", partition: 0, firstOffset: 0, lastOffset: 1, ext: "json" }), invalid(/topic "a\/b"/));
  assert.throws(() => partFileName({ partition: -1, firstOffset: 0, lastOffset: 1, ext: "json" }), invalid(/partition -1/));
  assert.throws(() => partFileName({ partition: 0, firstOffset: -5, lastOffset: 1, ext: "json" }), invalid(/firstOffset "-5" is not an offset/));
  assert.throws(() => partFileName({ partition: 0, firstOffset: 5, lastOffset: 1, ext: "json" }), invalid(/offsets 5\.\.1 are reversed/));
  assert.throws(() => partFileName({ partition: 0, firstOffset: 0, lastOffset: 1, ext: "x/y" }), invalid(/extension "x\/y"/));
});

test("checkLakePath rejects absolute paths, '..', empty segments, backslashes, hidden names and URIs, quoting the path", { timeout: 5_000 }, () => {
  assert.equal(checkLakePath("web_logs/dt=2021-03-26/part-0.parquet"), "web_logs/dt=2021-03-26/part-0.parquet");
  assert.equal(checkLakePath("web_logs/", { allowRoot: true }), "web_logs");
  assert.equal(checkLakePath("", { allowRoot: true }), "");
  assert.throws(() => checkLakePath("/etc/passwd"), invalid(/"\/etc\/passwd" is absolute; pass it relative to the lake root/));
  assert.throws(() => checkLakePath("web_logs/../../etc"), invalid(/"web_logs\/\.\.\/\.\.\/etc" contains "\.\."/));
  assert.throws(() => checkLakePath("web_logs//x"), invalid(/"web_logs\/\/x" has an empty segment.*remove the extra "\/"/));
  assert.throws(() => checkLakePath("web_logs/"), invalid(/has an empty segment/));
  assert.throws(() => checkLakePath("web_logs\\x"), invalid(/"web_logs\\\\x" contains a backslash; separate folders with "\/"/));
  assert.throws(() => checkLakePath("web_logs/.x.tmp"), invalid(/segment starting with "\."/));
  assert.throws(() => checkLakePath("./x"), invalid(/contains "\."/));
  assert.throws(() => checkLakePath(""), invalid(/"" is empty; name a file/));
  assert.throws(() => checkLakePath("gs://bucket/x"), invalid(/is a URI, not a path in the lake/));
  assert.throws(() => checkLakePath("a\u0000b"), invalid(/control character/));
});

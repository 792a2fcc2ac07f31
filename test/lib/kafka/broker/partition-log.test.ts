import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_LOG_OPTIONS, LogOptions, PartitionLog } from "../../../../lib/kafka/broker/storage/partition-log";
import { readBatchHeader } from "../../../../lib/kafka/broker/protocol/record-batch";
import { buildBatch, defer, tempDir } from "../helpers";

function openLog(t: Parameters<typeof tempDir>[0], dir: string, options: Partial<LogOptions> = {}): PartitionLog {
  const log = PartitionLog.open(dir, { ...DEFAULT_LOG_OPTIONS, ...options });
  defer(t, () => log.close());
  return log;
}

function batchOf(n: number, tag: string, timestamp?: number): Buffer {
  return buildBatch(Array.from({ length: n }, (_, i) => ({ value: `${tag}-${i}` })), { timestamp });
}

/** Base offsets of the batches in a read result. */
function bases(buf: Buffer | null): number[] {
  const out: number[] = [];
  for (let at = 0; buf && at < buf.length; at += readBatchHeader(buf, at).size) out.push(readBatchHeader(buf, at).baseOffset);
  return out;
}

test("appends assign dense offsets and reads start at the batch containing the offset", (t) => {
  const log = openLog(t, tempDir(t));
  assert.deepEqual(log.append(batchOf(3, "a")), [0]);
  assert.deepEqual(log.append(Buffer.concat([batchOf(2, "b"), batchOf(4, "c")])), [3, 5]);
  assert.equal(log.logEndOffset, 9);
  assert.deepEqual(bases(log.read(0, 1 << 20)), [0, 3, 5]);
  assert.deepEqual(bases(log.read(4, 1 << 20)), [3, 5], "offset 4 is inside the batch at 3");
  assert.deepEqual(bases(log.read(8, 1 << 20)), [5]);
  assert.equal(log.read(9, 1 << 20), null, "nothing at the log end");
  assert.deepEqual(bases(log.read(0, 10)), [0], "at least one whole batch even past maxBytes");
});

test("segments roll at segmentBytes, the index finds offsets, and a reopened log reads the same", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, { ...DEFAULT_LOG_OPTIONS, segmentBytes: 2000, indexIntervalBytes: 300 });
  for (let i = 0; i < 100; i++) log.append(batchOf(2, `x${i}`));
  assert.ok(log.segmentCount > 3, `rolled into ${log.segmentCount} segments`);
  const before = [0, 57, 101, 199].map((o) => bases(log.read(o, 1)));
  log.close();
  const files = fs.readdirSync(dir);
  assert.ok(files.filter((f) => f.endsWith(".index")).every((f) => fs.statSync(path.join(dir, f)).size % 8 === 0));

  const again = openLog(t, dir, { segmentBytes: 2000, indexIntervalBytes: 300 });
  assert.equal(again.logEndOffset, 200);
  assert.deepEqual([0, 57, 101, 199].map((o) => bases(again.read(o, 1))), before);
  assert.deepEqual(before, [[0], [56], [100], [198]]);
  assert.deepEqual(again.append(batchOf(1, "more")), [200], "offsets continue after reopening");
});

test("recovery truncates a torn last batch and a batch with a bad CRC", (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open(dir, DEFAULT_LOG_OPTIONS);
  log.append(batchOf(5, "kept"));
  log.append(batchOf(5, "also-kept"));
  const goodSize = log.size;
  log.close();
  const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".log")) as string);

  // A torn write: only the first 40 bytes of the next batch reached the file.
  fs.appendFileSync(file, batchOf(3, "torn").subarray(0, 40));
  const torn = PartitionLog.open(dir, DEFAULT_LOG_OPTIONS);
  assert.equal(torn.logEndOffset, 10);
  assert.equal(fs.statSync(file).size, goodSize, "the torn tail was cut off");
  assert.deepEqual(torn.append(batchOf(2, "after")), [10]);
  torn.close();

  // Flip a byte inside the last batch: its CRC no longer matches, so it is dropped.
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(file, bytes);
  const corrupt = openLog(t, dir);
  assert.equal(corrupt.logEndOffset, 10);
  assert.equal(fs.statSync(file).size, goodSize);
});

test("retention deletes the oldest segments by size and by age", (t) => {
  const dir = tempDir(t);
  const now = Date.now();
  const log = openLog(t, dir, { segmentBytes: 500 });
  for (let i = 0; i < 40; i++) log.append(batchOf(3, `r${i}`, now - (40 - i) * 60_000));
  const segments = log.segmentCount;
  assert.ok(segments > 5);

  assert.equal(log.applyRetention(now, -1, -1), 0, "no limits, nothing deleted");
  const bySize = log.applyRetention(now, -1, 1500);
  assert.ok(bySize > 0 && log.size <= 1500 + 500, `deleted ${bySize} segments, ${log.size} bytes left`);
  assert.ok(log.logStartOffset > 0);
  assert.equal(bases(log.read(0, 1))[0], log.logStartOffset);

  const byAge = log.applyRetention(now, 5 * 60_000, -1);
  assert.ok(byAge > 0, "old segments deleted by age");
  assert.equal(log.segmentCount, segments - bySize - byAge);
  assert.equal(log.logEndOffset, 120, "the active segment is kept");
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".log")).length, log.segmentCount);
});

test("offsetForTimestamp finds the first record at or after a time", (t) => {
  const log = openLog(t, tempDir(t));
  const base = 1_700_000_000_000;
  log.append(buildBatch([0, 10, 20].map((d) => ({ value: "v", timestampDelta: d })), { timestamp: base }));
  log.append(buildBatch([0, 10].map((d) => ({ value: "w", timestampDelta: d })), { timestamp: base + 100 }));
  assert.deepEqual(log.offsetForTimestamp(base + 5), { offset: 1, timestamp: base + 10 });
  assert.deepEqual(log.offsetForTimestamp(base + 50), { offset: 3, timestamp: base + 100 });
  assert.equal(log.offsetForTimestamp(base + 1000), null);
});

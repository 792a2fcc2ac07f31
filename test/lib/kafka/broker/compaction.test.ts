/**
 * Log compaction at the partition-log level: a hand-worked example whose retained offsets are written
 * out below, tombstone expiry, fetches across offset gaps, and crash leftovers on open.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_LOG_OPTIONS, LogOptions, PartitionLog } from "../../../../lib/kafka/broker/storage/partition-log";
import { LogStore } from "../../../../lib/kafka/broker/storage/log-store";
import { batchRecords, checkBatch, DELETE_HORIZON_FLAG, readBatchHeader } from "../../../../lib/kafka/broker/protocol/record-batch";
import { buildBatch, defer, RawRecord, tempDir } from "../helpers";

type T = Parameters<typeof tempDir>[0];

function openLog(t: T, dir: string, options: Partial<LogOptions> = {}): PartitionLog {
  const log = PartitionLog.open(dir, { ...DEFAULT_LOG_OPTIONS, ...options });
  defer(t, () => log.close());
  return log;
}

/** Every record of the log from offset 0: [offset, key, value] (value null for a tombstone). */
function contents(log: PartitionLog): [number, string | null, string | null][] {
  const out: [number, string | null, string | null][] = [];
  let offset = 0;
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, 1 << 20);
    if (!buf) break;
    for (let at = 0; at < buf.length; ) {
      const h = readBatchHeader(buf, at);
      assert.equal(checkBatch(buf, at, buf.length), null, `batch at ${h.baseOffset} has a good CRC`);
      for (const r of batchRecords(buf, at) ?? []) {
        const value = r.tombstone ? null : decodeValue(r.tail);
        out.push([h.baseOffset + r.offsetDelta, r.key?.toString() ?? null, value]);
      }
      offset = h.baseOffset + h.lastOffsetDelta + 1;
      at += h.size;
    }
  }
  return out;
}

/** The value of a record from its tail (key length, key, value length, value, headers). */
function decodeValue(tail: Buffer): string {
  let p = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = tail[p++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  };
  const keyLen = varint();
  p += Math.max(0, keyLen);
  const len = varint();
  return tail.subarray(p, p + len).toString();
}

const rec = (key: string | null, value: string | null): RawRecord => ({ key, value });

/**
 * The example, one batch per append, and segment.ms=0 so that every append after the first rolls a
 * new segment (each batch is a segment of its own):
 *
 *   batch  offsets  records
 *   B0     0-2      a=a1  b=b1  a=a2
 *   B1     3-4      c=c1  (no key)=x
 *   B2     5-6      b=null (tombstone)  d=d1
 *   B3     7-9      a=a3  c=c2  e=e1
 *   B4     10       d=d2
 *   B5     11       f=f1            <- the active segment, never cleaned
 *
 * Dirty section [0, 11): latest offsets a->7, b->5, c->8, d->10, e->9. Kept: 5 (b's tombstone),
 * 7, 8, 9, 10; the record without a key goes; B0 and B1 are left empty and dropped; B2 keeps its
 * base offset 5 and last offset 6 with one record; f=f1 at 11 is untouched.
 */
function writeExample(log: PartitionLog): void {
  log.append(buildBatch([rec("a", "a1"), rec("b", "b1"), rec("a", "a2")]));
  log.append(buildBatch([rec("c", "c1"), rec(null, "x")]));
  log.append(buildBatch([rec("b", null), rec("d", "d1")]));
  log.append(buildBatch([rec("a", "a3"), rec("c", "c2"), rec("e", "e1")]));
  log.append(buildBatch([rec("d", "d2")]));
  log.append(buildBatch([rec("f", "f1")]));
}

const AFTER_FIRST_CLEAN: [number, string | null, string | null][] = [
  [5, "b", null],
  [7, "a", "a3"],
  [8, "c", "c2"],
  [9, "e", "e1"],
  [10, "d", "d2"],
  [11, "f", "f1"],
];

test("hand-worked example: the latest record per key is kept at its original offset, batches keep their offset range", (t) => {
  const dir = tempDir(t);
  const log = openLog(t, dir, { segmentMs: 0 });
  writeExample(log);
  assert.equal(log.segmentCount, 6);
  assert.equal(log.dirtyRatio(), 1, "nothing cleaned yet");
  const now = 1_800_000_000_000;
  const result = log.clean({ now, deleteRetentionMs: 60_000 });

  assert.deepEqual(contents(log), AFTER_FIRST_CLEAN);
  assert.equal(result.recordsRead, 11, "the 11 records of the sealed segments");
  assert.equal(result.recordsKept, 5);
  assert.equal(result.keys, 5);
  assert.equal(result.cleanedTo, 11);
  assert.equal(log.logStartOffset, 0, "the log start does not move");
  assert.equal(log.logEndOffset, 12);
  assert.equal(log.dirtyRatio(), 0);
  // The five sealed segments fit in segment.bytes: they were cleaned into one, named by its first base offset.
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort(), ["00000000000000000000.log", "00000000000000000011.log"]);

  // B2 kept its base offset and last offset delta, got a delete horizon for its tombstone.
  const b2 = log.read(5, 1) as Buffer;
  const h = readBatchHeader(b2);
  assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordCount], [5, 1, 1]);
  assert.ok((h.attributes & DELETE_HORIZON_FLAG) !== 0, "delete horizon flag set");
  assert.equal(h.baseTimestamp, now + 60_000, "the horizon is the cleaning time plus delete.retention.ms");
  const b3 = readBatchHeader(log.read(7, 1) as Buffer);
  assert.deepEqual([b3.baseOffset, b3.lastOffsetDelta, b3.recordCount], [7, 2, 3]);

  // Fetches at removed offsets return the next batch that has what is left.
  assert.equal(readBatchHeader(log.read(0, 1) as Buffer).baseOffset, 5);
  assert.equal(readBatchHeader(log.read(3, 1) as Buffer).baseOffset, 5);
  assert.equal(readBatchHeader(log.read(6, 1) as Buffer).baseOffset, 5, "offset 6 is inside B2's range");
  assert.equal(readBatchHeader(log.read(11, 1) as Buffer).baseOffset, 11);

  // Reopened, the log reads the same and goes on from 12.
  log.close();
  const again = openLog(t, dir, { segmentMs: 0 });
  assert.deepEqual(contents(again), AFTER_FIRST_CLEAN);
  assert.deepEqual(again.append(buildBatch([rec("a", "a4")])), [12]);
});

test("tombstones stay until delete.retention.ms after the cleaning that first kept them, then go", (t) => {
  const log = openLog(t, tempDir(t), { segmentMs: 0 });
  writeExample(log);
  const now = 1_800_000_000_000;
  log.clean({ now, deleteRetentionMs: 1000 });
  log.append(buildBatch([rec("a", "a4")])); // offset 12; seals f=f1 at 11
  // Dirty now: the sealed segment holding f=f1 only, against the cleaned one holding five records.
  const ratio = log.dirtyRatio();
  assert.ok(ratio > 0.1 && ratio < 0.5, `dirty ratio ${ratio}`);
  assert.equal(log.needsCleaning(now + 500, 0.5), false, "below min.cleanable.dirty.ratio 0.5");
  assert.equal(log.needsCleaning(now + 500, 0.1), true, "above 0.1");

  // Before the horizon: a second cleaning keeps the tombstone (a4 is in the active segment, so a3 stays too).
  log.clean({ now: now + 500, deleteRetentionMs: 1000 });
  assert.deepEqual(contents(log), [...AFTER_FIRST_CLEAN, [12, "a", "a4"]]);
  assert.equal(readBatchHeader(log.read(5, 1) as Buffer).baseTimestamp, now + 1000, "the horizon is not moved by later cleanings");
  assert.equal(log.needsCleaning(now + 999, 0.5), false, "nothing dirty, horizon not reached");
  assert.equal(log.needsCleaning(now + 1000, 0.5), true, "the horizon passed: worth cleaning although nothing is dirty");

  // After it: the tombstone goes and its batch, left empty, is dropped.
  log.clean({ now: now + 1000, deleteRetentionMs: 1000 });
  assert.deepEqual(contents(log), [
    [7, "a", "a3"],
    [8, "c", "c2"],
    [9, "e", "e1"],
    [10, "d", "d2"],
    [11, "f", "f1"],
    [12, "a", "a4"],
  ]);
  assert.equal(readBatchHeader(log.read(0, 1) as Buffer).baseOffset, 7);
});

test("an emptied batch is kept as a header when it ends the cleaned range or holds an active producer's last sequence", (t) => {
  const log = openLog(t, tempDir(t), { segmentMs: 0 });
  log.append(buildBatch([rec("k", "1")], { producerId: 7, epoch: 0, baseSequence: 0 })); // 0: producer 7's last batch
  log.append(buildBatch([rec("k", "2")])); // 1
  log.append(buildBatch([rec("j", "1")])); // 2
  log.append(buildBatch([rec(null, "no key")])); // 3: ends the cleaned range
  log.append(buildBatch([rec("z", "active")])); // 4
  log.clean({ now: Date.now(), deleteRetentionMs: 0, isLastOfProducer: (pid, last) => pid === 7 && last === 0 });
  const batches: [number, number, number][] = [];
  const buf = log.read(0, 1 << 20) as Buffer;
  for (let at = 0; at < buf.length; at += readBatchHeader(buf, at).size) {
    const h = readBatchHeader(buf, at);
    assert.equal(checkBatch(buf, at, buf.length), null);
    batches.push([h.baseOffset, h.recordCount, h.producerId]);
  }
  assert.deepEqual(batches, [
    [0, 0, 7],
    [1, 1, -1],
    [2, 1, -1],
    [3, 0, -1],
  ]);
  assert.deepEqual(contents(log).map(([o]) => o), [1, 2, 4]);
});

test("a crash leftover is handled on open: .cleaned files are ignored and deleted, a .swap is completed", (t) => {
  const base = tempDir(t);
  const dirA = path.join(base, "a");
  const dirB = path.join(base, "b");
  const first = PartitionLog.open(dirA, { ...DEFAULT_LOG_OPTIONS, segmentMs: 0 });
  writeExample(first);
  first.close();
  fs.cpSync(dirA, dirB, { recursive: true });
  const before = [...fs.readdirSync(dirA)].sort();

  // A cleaning that died before it marked its output complete: garbage .cleaned files.
  fs.writeFileSync(path.join(dirA, "00000000000000000000.log.cleaned"), Buffer.from("half-written cleaned segment"));
  fs.writeFileSync(path.join(dirA, "00000000000000000000.index.cleaned"), Buffer.alloc(5));
  const a = openLog(t, dirA, { segmentMs: 0 });
  assert.equal(a.logEndOffset, 12);
  assert.equal(contents(a).length, 12, "all twelve records still there");
  assert.deepEqual(fs.readdirSync(dirA).filter((f) => !f.endsWith(".json")).sort(), before, "the leftovers are gone");

  // A cleaning that died after marking its output (the .swap) but before removing the old segments.
  a.clean({ now: Date.now(), deleteRetentionMs: 60_000 });
  const cleaned = fs.readFileSync(path.join(dirA, "00000000000000000000.log"));
  fs.writeFileSync(path.join(dirB, "00000000000000000000.log.00000000000000000011.swap"), cleaned);
  const b = openLog(t, dirB, { segmentMs: 0 });
  assert.deepEqual(contents(b), AFTER_FIRST_CLEAN);
  assert.deepEqual(fs.readdirSync(dirB).filter((f) => f.endsWith(".log")).sort(), ["00000000000000000000.log", "00000000000000000011.log"]);
  assert.equal(fs.readdirSync(dirB).some((f) => f.endsWith(".swap")), false);
});

test("topic configs: delete.retention.ms=0 drops a tombstone at the next cleaning; retention deletes segments only with the delete policy", async (t) => {
  const store = LogStore.open(tempDir(t), { log: { ...DEFAULT_LOG_OPTIONS, segmentMs: 0 }, maxMessageBytes: 1 << 20 });
  defer(t, () => store.close());
  const hourAgo = Date.now() - 3_600_000;
  const compactOnly = store.createTopic("c", 1, { "cleanup.policy": "compact", "delete.retention.ms": "0", "retention.ms": "60000" });
  const both = store.createTopic("cd", 1, { "cleanup.policy": "compact,delete", "retention.ms": "60000" });
  for (const topic of [compactOnly, both]) {
    const p = topic.partitions[0];
    assert.equal(p.produce(buildBatch([rec("k", "v1")], { timestamp: hourAgo }), hourAgo).error, 0);
    assert.equal(p.produce(buildBatch([rec("k", null)], { timestamp: hourAgo }), hourAgo).error, 0);
    assert.equal(p.produce(buildBatch([rec("j", "now")]), Date.now()).error, 0);
    assert.equal(p.log.segmentCount, 3, "segment.ms=0: each produce after the first rolled");
  }

  const c = compactOnly.partitions[0].log;
  await store.compactTopic("c");
  assert.deepEqual(contents(c), [[1, "k", null], [2, "j", "now"]], "the first cleaning keeps the tombstone and sets its horizon");
  await store.compactTopic("c");
  assert.deepEqual(contents(c), [[2, "j", "now"]], "delete.retention.ms=0: the next cleaning drops it");
  assert.equal(c.logStartOffset, 0);

  // The segments are an hour old and retention.ms is one minute: only the compact,delete topic loses them.
  assert.equal(store.applyRetention(), 2);
  assert.equal(both.partitions[0].log.logStartOffset, 2);
  assert.equal(c.logStartOffset, 0, "cleanup.policy=compact alone: no time retention");
});

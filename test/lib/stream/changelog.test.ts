import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { StreamEngine, type EngineOptions, type InputRecord, type StateChange } from "../../../lib/stream/engine";
import { count, distinctCount, mean, sum } from "../../../lib/stream/aggregates";
import { sliding, tumbling } from "../../../lib/stream/windows";
import { startProcessor, type ProcessorOptions } from "../../../lib/stream/processor";
import { groupTopics, mergeResults, META_KEY, readChangelog, type TaskMeta } from "../../../lib/stream/group";
import type { Sink } from "../../../lib/stream/sinks/sink";
import { isWorkbookError } from "../../../lib/errors";
import { readBatchHeader } from "../../../lib/kafka/broker/protocol/record-batch";
import { startBroker, type Broker } from "../../../lib/kafka";
import { defer, tempDir, testBroker, uniqueName } from "./helpers";

interface Ev {
  t: number;
  k: string;
  v: number;
}

const parse = (text: string) => {
  const [t, k, v] = text.split(",");
  if (!/^\d+$/.test(t) || !k) return { ok: false as const, reason: `not t,k,v: ${JSON.stringify(text)}` };
  return { ok: true as const, value: { t: Number(t), k, v: Number(v ?? 0) } };
};

function engineOptions(): EngineOptions<Ev> {
  return {
    parse,
    eventTime: (e) => e.t,
    watermarkDelayMs: 0,
    queries: [
      { name: "tum", window: tumbling(100), key: (e) => e.k, aggregates: { n: count() }, mode: "update" },
      // size 200 = 2 slides, count has merge, append mode: kept in buckets of 100.
      { name: "sl", window: sliding(200, 100), key: (e) => e.k, aggregates: { n: count() }, mode: "append" },
    ],
  };
}

let offset = 0;
function recs(...lines: string[]): InputRecord[] {
  return lines.map((l) => ({ partition: 0, offset: String(offset++), key: null, value: Buffer.from(l) }));
}

const asMap = (changes: StateChange[]) => new Map(changes.map((c) => [c.key, c.value]));

test("takeChanges() reports the entries and buckets changed since the last call, and tombstones for those that left state", () => {
  const engine = new StreamEngine(engineOptions());
  engine.trackChanges();
  engine.process(recs("10,a", "20,b", "150,a"));
  // Watermark 150: tum windows [0,100) of a and b were created and forgotten within the batch (never
  // reported: no record, no tombstone); sl buckets 0 (a, b) and 100 (a) last until 200 + their start.
  assert.deepEqual(
    asMap(engine.takeChanges()),
    new Map([
      ['["tum",100,"a"]', '[100,200,"a",[1]]'],
      ['["sl",0,"a"]', '[0,"a",[1]]'],
      ['["sl",0,"b"]', '[0,"b",[1]]'],
      ['["sl",100,"a"]', '[100,"a",[1]]'],
    ]),
  );
  assert.deepEqual(engine.takeChanges(), [], "nothing changed since");
  engine.process(recs("260,a"));
  // Watermark 260: tum [100,200) of a leaves state (it was reported: tombstone), [200,300) arrives;
  // sl buckets 0 (end 200) leave, bucket 100 is unchanged, bucket 200 arrives.
  const second = engine.takeChanges();
  assert.deepEqual(
    asMap(second),
    new Map([
      ['["tum",100,"a"]', null],
      ['["tum",200,"a"]', '[200,300,"a",[1]]'],
      ['["sl",0,"a"]', null],
      ['["sl",0,"b"]', null],
      ['["sl",200,"a"]', '[200,"a",[1]]'],
    ]),
  );
  assert.equal(second.length, 5, "one change per key");
  engine.flush();
  assert.deepEqual(
    asMap(engine.takeChanges()),
    new Map([
      ['["tum",200,"a"]', null],
      ['["sl",100,"a"]', null],
      ['["sl",200,"a"]', null],
    ]),
  );
});

test("restoreChanges() from the folded changes equals the state before, and carries on identically", () => {
  const options: EngineOptions<Ev> = {
    ...engineOptions(),
    queries: [
      { name: "tum", window: tumbling(100), key: (e) => e.k, aggregates: { n: count(), total: sum("v"), users: distinctCount("v") }, mode: "update" },
      { name: "sl", window: sliding(300, 100), key: (e) => e.k, aggregates: { n: count(), avg: mean("v") }, mode: "append" },
      { name: "win", window: sliding(300, 100), key: (e) => e.k, aggregates: { n: count() }, mode: "update", slidingState: "windows" },
    ],
  };
  const a = new StreamEngine(options);
  a.trackChanges();
  const folded = new Map<string, string>();
  const lines = Array.from({ length: 600 }, (_, i) => `${i * 3 + ((i * 37) % 50)},k${(i * 7) % 5},${i % 4}`);
  for (let i = 0; i < 400; i += 50) {
    a.process(recs(...lines.slice(i, i + 50)));
    for (const c of a.takeChanges()) {
      if (c.value === null) {
        assert.ok(folded.has(c.key), `a tombstone only for a key written before: ${c.key}`);
        folded.delete(c.key);
      } else folded.set(c.key, c.value);
    }
  }
  const b = new StreamEngine(options);
  b.restoreChanges(a.meta(), folded);
  const sorted = (e: StreamEngine<Ev>) => {
    const s = e.snapshot();
    for (const q of Object.values(s.queries)) q.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    for (const q of Object.values(s.buckets ?? {})) q.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    return s;
  };
  assert.deepEqual(sorted(b), sorted(a));
  assert.ok(Object.values(a.stateSize()).every((n) => n > 0), "every query holds state");
  for (let i = 400; i < 600; i += 50) {
    const batch = lines.slice(i, i + 50);
    assert.deepEqual(b.process(recs(...batch)).outputs, a.process(recs(...batch)).outputs);
    assert.deepEqual(asMap(b.takeChanges()), asMap(a.takeChanges()), "the restored engine reports the same changes");
  }
  assert.deepEqual(b.flush().outputs, a.flush().outputs);
});

/** An upsert sink: the last row per (query, window, key) wins. */
function tableSink(table: Map<string, string>): Sink {
  return {
    name: "table",
    async write(batch) {
      for (const r of batch.rows) table.set(`${batch.query}|${r.windowStart}|${r.key}`, `${r.n}|${r.total}`);
    },
  };
}

function groupOptions(kafka: Kafka, topic: string, dir: string, applicationId: string, table: Map<string, string>): ProcessorOptions<Ev> {
  return {
    kafka,
    topic,
    applicationId,
    checkpointDir: path.join(dir, "ck"),
    triggerMs: 50,
    parse: (text) => (text.startsWith("bad") ? { ok: false, reason: "bad" } : parse(text)),
    eventTime: (e) => e.t,
    watermarkDelayMs: 50,
    queries: [
      { name: "per_key", window: tumbling(100), key: (e) => e.k, aggregates: { n: count(), total: sum("v") }, mode: "update" },
      { name: "final", window: tumbling(500), key: (e) => e.k, aggregates: { n: count(), total: sum("v") }, mode: "append" },
    ],
    sinks: { per_key: [tableSink(table)], final: [tableSink(table)] },
  };
}

/** A group-mode test's broker, folder, input topic, applicationId (and its changelog topic) and sink table. */
async function groupTest(t: TestContext) {
  const { broker, kafka } = await testBroker(t);
  const app = uniqueName("app");
  return { broker, kafka, dir: tempDir(t), topic: uniqueName("events"), app, changelog: groupTopics(app).changelog, table: new Map<string, string>() };
}

async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
  await producer.disconnect();
}

/** The record batches of a partition as the broker stores them: [first offset, records]. */
function storedBatches(broker: Broker, topic: string): Array<[number, number]> {
  const log = broker.state.store.partition(topic, 0)!.log;
  const data = log.read(0, 64 << 20);
  const out: Array<[number, number]> = [];
  if (!data) return out; // an empty log
  for (let at = 0; at < data.length; ) {
    const h = readBatchHeader(data, at);
    out.push([h.baseOffset, h.recordCount]);
    at += h.size;
  }
  return out;
}

/** Every record of partition 0 of a topic, in offset order. */
async function readAll(kafka: Kafka, topic: string): Promise<{ offset: number; key: string; value: string | null }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const out: { offset: number; key: string; value: string | null }[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ offset: Number(message.offset), key: message.key?.toString() ?? "", value: message.value === null ? null : message.value.toString() });
        if (out.length === Number(end.high)) resolve();
      },
    });
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.offset - b.offset);
}

function refused(pattern: RegExp) {
  return (e: unknown) => {
    const err = e as Error & { cause?: unknown };
    const invalid = isWorkbookError(e, "STREAM_CHECKPOINT_INVALID") || (isWorkbookError(e, "STREAM_FAILED") && isWorkbookError(err.cause, "STREAM_CHECKPOINT_INVALID"));
    return invalid && pattern.test(err.message);
  };
}

test("group mode writes per-key changes, one record batch per commit ending with its meta record; a restart restores them and counts nothing twice; a half-written commit and the old snapshot format are refused", { timeout: 120_000 }, async (t) => {
  const { broker, kafka, dir, topic, app, changelog, table } = await groupTest(t);
  await produce(kafka, topic, ["10,a,1", "20,b,2", "30,a,3", "bad line"]);

  // 1. One batch: per_key and final windows [0, ...) of a (n 2, total 4) and b (n 1, total 2).
  const a = await startProcessor(groupOptions(kafka, topic, path.join(dir, "a"), app, table));
  defer(t, () => a.close());
  await a.drain();
  const statsA = a.stats();
  await a.close();
  const first = await readAll(kafka, changelog);
  assert.deepEqual(
    first.slice(0, -1).map((r) => [r.key, r.value]).sort(),
    [
      ['["final",0,"a"]', '[0,500,"a",[2,4]]'],
      ['["final",0,"b"]', '[0,500,"b",[1,2]]'],
      ['["per_key",0,"a"]', '[0,100,"a",[2,4]]'],
      ['["per_key",0,"b"]', '[0,100,"b",[1,2]]'],
    ],
  );
  assert.equal(first.at(-1)!.key, META_KEY);
  const meta1 = JSON.parse(first.at(-1)!.value!) as TaskMeta;
  assert.deepEqual({ seq: meta1.seq, offset: meta1.offset, deadLetters: meta1.deadLetters, flushed: meta1.flushed, changes: meta1.changes, batchId: meta1.engine.batchId, watermark: meta1.engine.stats.watermark }, { seq: 1, offset: "4", deadLetters: 1, flushed: false, changes: 4, batchId: 1, watermark: -20 });
  assert.deepEqual(storedBatches(broker, changelog), [[0, 5]], "the commit is ONE record batch of 5 records");
  assert.equal(statsA.group!.changelog.commits, 1);
  assert.equal(statsA.group!.changelog.records, 4);

  // 2. "Killed" after the changelog write, before the group offset commit: the committed offset
  // goes back to 0, so the 4 records are delivered again; the restored task offset (4) skips them.
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.setOffsets({ groupId: app, topic, partitions: [{ partition: 0, offset: "0" }] });
  await produce(kafka, topic, ["120,a,5", "700,b,1"]);
  const b = await startProcessor(groupOptions(kafka, topic, path.join(dir, "b"), app, table));
  defer(t, () => b.close());
  await b.finish();
  const statsB = b.stats();
  await b.close();
  assert.equal(statsB.group!.restores, 1);
  // Counts reconcile with the input: 6 read, 5 valid, 1 rejected, once each.
  assert.deepEqual({ in: statsB.in, ok: statsB.ok, rejected: statsB.rejected, deadLetters: statsB.deadLetters }, { in: 6, ok: 5, rejected: 1, deadLetters: 1 });
  assert.deepEqual(
    [...table.entries()].sort(),
    [
      ["final|0|a", "3|9"],
      ["final|0|b", "1|2"],
      ["final|500|b", "1|1"],
      ["per_key|0|a", "2|4"],
      ["per_key|0|b", "1|2"],
      ["per_key|100|a", "1|5"],
      ["per_key|700|b", "1|1"],
    ],
  );
  // Every commit is one batch ending with its meta record; the flush's commit tombstones what was left.
  const all = await readAll(kafka, changelog);
  const batches = storedBatches(broker, changelog);
  for (const [base, n] of batches) assert.equal(all[base + n - 1].key, META_KEY, `batch at ${base} ends with its meta record`);
  assert.equal(batches.reduce((s, [, n]) => s + n, 0), all.length);
  const metas = all.filter((r) => r.key === META_KEY).map((r) => JSON.parse(r.value!) as TaskMeta);
  assert.deepEqual(metas.map((m) => m.seq), metas.map((_, i) => i + 1), "one seq per commit, from 1");
  assert.equal(metas.at(-1)!.flushed, true);
  const restored = (await readChangelog(kafka, admin, changelog, [0], { applicationId: app })).get(0)!;
  assert.equal(restored.entries.size, 0, "after the flush every entry is tombstoned");
  assert.equal(restored.meta.seq, metas.length);
  assert.equal(restored.records, all.length);

  // 3. A half-written commit (change records with no meta after them) is refused, naming the fix.
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: changelog, messages: [{ partition: 0, key: '["per_key",900,"a"]', value: '[900,1000,"a",[1,1]]' }] });
  await assert.rejects(readChangelog(kafka, admin, changelog, [0], { applicationId: app }), refused(/ends with 1 change record\(s\) after its last commit \(seq \d+\).*new applicationId/));
  await produce(kafka, topic, ["800,a,1"]); // a batch for the next owner: it restores the task first
  const c = await startProcessor(groupOptions(kafka, topic, path.join(dir, "c"), app, new Map()));
  defer(t, () => c.close());
  await assert.rejects(c.finish({ timeoutMs: 30_000 }), refused(/half-written commit/));
  await c.close();

  // 4. A changelog written by the snapshot format (version 1) is refused with the fix.
  const old = uniqueName("app");
  await admin.createTopics({ topics: [{ topic: groupTopics(old).changelog, numPartitions: 1 }] });
  await producer.send({ topic: groupTopics(old).changelog, messages: [{ partition: 0, key: "task-0-0", value: '{"version":1}', headers: { snapshot: "x", chunk: "0", chunks: "1" } }] });
  await assert.rejects(readChangelog(kafka, admin, groupTopics(old).changelog, [0], { applicationId: old }), refused(/snapshots \(changelog format version 1.*new applicationId/));

  // 5. A commit appended twice by a producer retry (same seq, same id) is read once; two commits
  // with one seq (two writers of one task) are refused.
  const two = uniqueName("app");
  const cl = groupTopics(two).changelog;
  await admin.createTopics({ topics: [{ topic: cl, numPartitions: 1 }] });
  const metaOf = (seq: number, id: string) => JSON.stringify({ version: 2, applicationId: two, task: 0, seq, id, offset: "1", sources: {}, deadLetters: 0, flushed: false, engine: { batchId: seq, stats: {} }, changes: 1, committedAt: "" });
  const commit = (seq: number, id: string, value: string) => producer.send({ topic: cl, messages: [{ partition: 0, key: '["q",0,"a"]', value }, { partition: 0, key: META_KEY, value: metaOf(seq, id) }] });
  await commit(1, "x", "[1]");
  await commit(1, "x", "[1]");
  const once = (await readChangelog(kafka, admin, cl, [0], { applicationId: two })).get(0)!;
  assert.deepEqual({ seq: once.meta.seq, records: once.records, entries: [...once.entries] }, { seq: 1, records: 4, entries: [['["q",0,"a"]', "[1]"]] });
  await commit(1, "y", "[2]");
  await assert.rejects(readChangelog(kafka, admin, cl, [0], { applicationId: two }), refused(/commit seq 1 at offset 5 follows commit seq 1; two instances wrote task 0/));
});

test("the changelog topic is created compacted, with a max.message.bytes that takes a large commit; a commit over a topic's limit fails naming its size and the fix", { timeout: 60_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const dir = tempDir(t);
  const topic = uniqueName("events");
  const app = uniqueName("app");
  await produce(kafka, topic, ["10,a,1"]);
  const p = await startProcessor(groupOptions(kafka, topic, dir, app, new Map()));
  defer(t, () => p.close());
  await p.drain();
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: groupTopics(app).changelog }], includeSynonyms: false });
  const cfg = new Map(res.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  assert.equal(cfg.get("cleanup.policy"), "compact");
  assert.equal(cfg.get("max.message.bytes"), String(64 << 20));

  // A changelog topic made beforehand with a small limit: a commit of 100 entries does not fit.
  const small = uniqueName("app");
  const topic2 = uniqueName("events");
  await admin.createTopics({ topics: [{ topic: groupTopics(small).changelog, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: "2000" }] }] });
  await produce(kafka, topic2, Array.from({ length: 100 }, (_, i) => `10,key${i},1`));
  const q = await startProcessor(groupOptions(kafka, topic2, path.join(dir, "small"), small, new Map()));
  defer(t, () => q.close());
  await assert.rejects(q.drain({ timeoutMs: 30_000 }), (e: unknown) => isWorkbookError(e, "STREAM_FAILED") && /200 entries, about \d+ bytes\) exceed max.message.bytes=2000 of .*raise the topic's max.message.bytes/.test((e as Error).message));
});

test("after the broker compacts the changelog, a restore reads fewer records and gets the same state; the next owner carries on and the table equals the input summed by hand", { timeout: 120_000 }, async (t) => {
  // Small segments and no background cleaner: compaction happens when the test asks (sealed segments only).
  const broker = await startBroker({ partitions: 1, segmentBytes: 1500, logCleanerBackoffMs: 0 });
  defer(t, () => broker.close());
  const kafka = new Kafka({ brokers: [broker.brokers], clientId: "changelog-compaction", logLevel: logLevel.NOTHING });
  const dir = tempDir(t);
  const topic = uniqueName("events");
  const app = uniqueName("app");
  const changelog = groupTopics(app).changelog;
  const table = new Map<string, string>();
  const lines: string[] = [];
  const a = await startProcessor(groupOptions(kafka, topic, path.join(dir, "a"), app, table));
  defer(t, () => a.close());
  // Eight commits: the windows of "final" (500 wide) and of k0..k2 are rewritten again and again.
  for (let i = 0; i < 8; i++) {
    const batch = Array.from({ length: 12 }, (_, j) => `${i * 60 + j * 5},k${j % 3},${j}`);
    lines.push(...batch);
    await produce(kafka, topic, batch);
    await a.drain();
  }
  await a.close();
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const before = (await readChangelog(kafka, admin, changelog, [0], { applicationId: app })).get(0)!;
  const compaction = await broker.compact(changelog);
  assert.ok(compaction.bytesAfter < compaction.bytesBefore, `compaction shrank the changelog (${compaction.bytesBefore} -> ${compaction.bytesAfter} bytes)`);
  const after = (await readChangelog(kafka, admin, changelog, [0], { applicationId: app })).get(0)!;
  assert.ok(after.records < before.records, `a restore reads fewer records after compaction (${before.records} -> ${after.records})`);
  assert.deepEqual([...after.entries].sort(), [...before.entries].sort(), "the same state");
  assert.equal(after.meta.seq, before.meta.seq);
  assert.equal(after.meta.offset, before.meta.offset);

  // The next owner restores from the compacted log, takes more input, and flushes.
  const more = ["500,k0,7", "530,k1,8"];
  lines.push(...more);
  await produce(kafka, topic, more);
  const b = await startProcessor(groupOptions(kafka, topic, path.join(dir, "b"), app, table));
  defer(t, () => b.close());
  await b.finish();
  const stats = b.stats();
  await b.close();
  assert.equal(stats.group!.restores, 1);
  assert.deepEqual({ in: stats.in, ok: stats.ok, rejected: stats.rejected }, { in: lines.length, ok: lines.length, rejected: 0 });
  // The input summed by hand, per query window and key.
  const expected = new Map<string, [number, number]>();
  for (const line of lines) {
    const [time, k, v] = line.split(",");
    for (const [q, width] of [["per_key", 100], ["final", 500]] as const) {
      const id = `${q}|${Math.floor(Number(time) / width) * width}|${k}`;
      const [n, total] = expected.get(id) ?? [0, 0];
      expected.set(id, [n + 1, total + Number(v)]);
    }
  }
  assert.deepEqual([...table.entries()].sort(), [...expected.entries()].map(([id, [n, total]]) => [id, `${n}|${total}`]).sort());
});

test("mergeResults: append rows all in order, update rows the latest per window and key once, complete rows the last batch's; counts and dead letters added up", () => {
  const row = (windowStart: number, key: string, n: number) => ({ windowStart, windowEnd: windowStart + 100, key, n });
  const result = (batchId: number, up: ReturnType<typeof row>[], app: ReturnType<typeof row>[], all: ReturnType<typeof row>[]) => ({
    batchId,
    watermarkBefore: batchId * 10 - 10,
    watermarkAfter: batchId * 10,
    outputs: { up, app, all },
    dead: [{ record: { partition: 0, offset: String(batchId), key: null, value: Buffer.from("x") }, kind: "rejected" as const, reason: `bad ${batchId}` }],
    counts: { in: 3, ok: 2, rejected: 1, late: 0 },
  });
  const queries = [{ name: "up", mode: "update" }, { name: "app", mode: "append" }, { name: "all", mode: "complete" }];
  const merged = mergeResults(
    [
      result(1, [row(0, "a", 1), row(0, "b", 1)], [row(0, "x", 5)], [row(0, "a", 1)]),
      result(2, [row(0, "a", 2), row(100, "a", 1)], [], [row(0, "a", 2), row(100, "a", 1)]),
      result(3, [row(0, "b", 3)], [row(100, "x", 6)], [row(0, "a", 2), row(100, "a", 1), row(0, "b", 3)]),
    ],
    queries,
  )!;
  // By hand: a@0 last appeared (n 2) in batch 2 before a@100; b@0 (n 3) in batch 3.
  assert.deepEqual(merged.outputs.up, [row(0, "a", 2), row(100, "a", 1), row(0, "b", 3)]);
  assert.deepEqual(merged.outputs.app, [row(0, "x", 5), row(100, "x", 6)]);
  assert.deepEqual(merged.outputs.all, [row(0, "a", 2), row(100, "a", 1), row(0, "b", 3)]);
  assert.deepEqual([merged.batchId, merged.watermarkBefore, merged.watermarkAfter], [3, 0, 30]);
  assert.deepEqual(merged.counts, { in: 9, ok: 6, rejected: 3, late: 0 });
  assert.deepEqual(merged.dead.map((d) => d.reason), ["bad 1", "bad 2", "bad 3"]);
  assert.equal(mergeResults([], queries), undefined);
});

test("with a commit interval, batches between commits write nothing; the commit writes each changed entry and each window's latest row once; a restart carries on from it", { timeout: 120_000 }, async (t) => {
  const { broker, kafka, dir, topic, app, changelog, table } = await groupTest(t);
  const writes: string[] = [];
  const recording: Sink = { name: "recording", async write(batch) { for (const r of batch.rows) writes.push(`${batch.query}|${r.windowStart}|${r.key}|${r.n}`); } };
  const options = (commitIntervalMs: number, onBatch?: () => void): ProcessorOptions<Ev> => {
    const o = groupOptions(kafka, topic, path.join(dir, String(commitIntervalMs)), app, table);
    return { ...o, commitIntervalMs, onBatch, sinks: { per_key: [tableSink(table), recording], final: [tableSink(table)] } };
  };
  let batches = 0;
  const a = await startProcessor(options(600_000, () => batches++));
  defer(t, () => a.close());
  // Three batches (each produced after the one before was processed) within one interval.
  for (const [i, value] of ["10,a,1", "20,a,2", "30,b,1"].entries()) {
    await produce(kafka, topic, [value]);
    while (batches < i + 1) await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(storedBatches(broker, changelog), [], "no commit within the interval");
  assert.deepEqual(writes, [], "no sink write within the interval");
  await a.close(); // a graceful close commits
  assert.equal(a.stats().group!.changelog.commits, 1);
  // By hand: per_key [0,100) a = 2 ratings summing 3, b = 1 summing 1; final [0,500) the same.
  assert.deepEqual(writes.sort(), ["per_key|0|a|2", "per_key|0|b|1"], "each window's latest row, once");
  const records = await readAll(kafka, changelog);
  assert.deepEqual(
    records.map((r) => [r.key, r.value]).slice(0, -1).sort(),
    [
      ['["final",0,"a"]', '[0,500,"a",[2,3]]'],
      ['["final",0,"b"]', '[0,500,"b",[1,1]]'],
      ['["per_key",0,"a"]', '[0,100,"a",[2,3]]'],
      ['["per_key",0,"b"]', '[0,100,"b",[1,1]]'],
    ],
    "each changed entry once, in its state at the commit",
  );
  assert.deepEqual({ key: records.at(-1)!.key, seq: (JSON.parse(records.at(-1)!.value!) as TaskMeta).seq, offset: (JSON.parse(records.at(-1)!.value!) as TaskMeta).offset }, { key: META_KEY, seq: 1, offset: "3" });
  assert.deepEqual(storedBatches(broker, changelog), [[0, 5]], "one commit: one record batch");

  // The next owner (committing after every batch) restores it and finishes: the table is the input summed by hand.
  await produce(kafka, topic, ["140,a,4"]);
  const b = await startProcessor(options(0));
  defer(t, () => b.close());
  await b.finish();
  const stats = b.stats();
  await b.close();
  assert.equal(stats.group!.restores, 1);
  assert.deepEqual({ in: stats.in, ok: stats.ok, rejected: stats.rejected }, { in: 4, ok: 4, rejected: 0 });
  assert.deepEqual([...table.entries()].sort(), [
    ["final|0|a", "3|7"],
    ["final|0|b", "1|1"],
    ["per_key|0|a", "2|3"],
    ["per_key|0|b", "1|1"],
    ["per_key|100|a", "1|4"],
  ]);
});

test("drain() commits a task that has read its partition to the end at once, without waiting for its commit interval", { timeout: 120_000 }, async (t) => {
  const { kafka, dir, topic, app, table } = await groupTest(t);
  await produce(kafka, topic, ["10,a,1", "20,a,2", "30,b,1"]);
  const p = await startProcessor({ ...groupOptions(kafka, topic, dir, app, table), commitIntervalMs: 600_000 });
  defer(t, () => p.close());
  // With a 10-minute interval, only the caught-up commit lets drain() end within its 60 s.
  await p.drain({ timeoutMs: 60_000 });
  assert.equal(p.stats().group!.changelog.commits, 1);
  // By hand: per_key [0,100) a = 2 ratings summing 3, b = 1 summing 1 (final windows are still open).
  assert.deepEqual([...table.entries()].sort(), [["per_key|0|a", "2|3"], ["per_key|0|b", "1|1"]]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { startProcessor, type ProcessorOptions } from "../../../lib/stream/processor";
import { aggregate, count, mean, sum } from "../../../lib/stream/aggregates";
import { tumbling } from "../../../lib/stream/windows";
import { memorySink } from "../../../lib/stream/sinks/memory";
import { parquetSink } from "../../../lib/stream/sinks/parquet";
import type { Sink } from "../../../lib/stream/sinks/sink";
import { StreamEngine, type WindowRow } from "../../../lib/stream/engine";
import { readDeadLetters } from "../../../lib/stream/dead-letters";
import { defer, tempDir, testBroker, uniqueName } from "./helpers";

interface Ev {
  t: number;
  k: string;
  v: number;
}

function options(kafka: Kafka, topic: string, checkpointDir: string, sinks: Sink[], extra: Partial<ProcessorOptions<Ev>> = {}): ProcessorOptions<Ev> {
  return {
    kafka,
    topic,
    checkpointDir,
    triggerMs: 50,
    parse: (text) => {
      const [t, k, v] = text.split(",");
      if (!/^\d+$/.test(t) || !/^\d+$/.test(v ?? "")) return { ok: false, reason: `not t,k,v: ${JSON.stringify(text)}` };
      return { ok: true, value: { t: Number(t), k, v: Number(v) } };
    },
    eventTime: (e) => e.t,
    watermarkDelayMs: 5,
    queries: [{ name: "q", window: tumbling(10), key: (e) => e.k, aggregates: { n: count(), total: sum("v") }, mode: "append" }],
    sinks: { q: sinks },
    ...extra,
  };
}

async function produce(kafka: Kafka, topic: string, lines: string[], partitions = 1): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: lines.map((value, i) => ({ value, partition: i % partitions })) });
  await producer.disconnect();
}

function stream(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i + (i % 3)},${"xyz"[i % 3]},${i % 7}`);
}

function byKey(rows: WindowRow[]): string[] {
  const m = new Map<string, string>();
  for (const r of rows) m.set(`${r.windowStart}|${r.key}`, `${r.windowStart}|${r.key}|${r.n}|${r.total}`);
  return [...m.values()].sort();
}

test("the processor aggregates a topic, sends rejected and late records to the dead-letter topic, and counts reconcile", async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("events");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  await admin.disconnect();
  const sink = memorySink();
  const p = await startProcessor(options(kafka, topic, tempDir(t), [sink]));
  defer(t, () => p.close());
  await produce(kafka, topic, ["1,a,1", "2,a,2", "bad", "30,a,1"]);
  await p.drain();
  await produce(kafka, topic, ["4,a,9", "33,a,1"]); // 4 is late: [0,10) closed at watermark 25
  await p.finish();
  const s = p.stats();
  assert.equal(s.in, 6);
  assert.equal(s.in, s.ok + s.rejected);
  assert.equal(s.rejected, 1);
  assert.equal(s.late.q, 1);
  assert.equal(s.deadLetters, 2);
  assert.deepEqual(byKey(sink.rows()), ["0|a|2|3", "30|a|2|2"]);
  const dead = await readDeadLetters(kafka, `${topic}.dead-letter`);
  assert.deepEqual(dead.map((d) => [d.line, d.kind]), [["bad", "rejected"], ["4,a,9", "late"]]);
  assert.match(dead[0].reason, /not t,k,v/);
  assert.match(dead[1].reason, /late for q/);
});

test("a processor that fails after writing a batch and is restarted replays that batch and ends as an uninterrupted run", async (t) => {
  const { kafka } = await testBroker(t, { partitions: 2 });
  const topic = uniqueName("events");
  const lines = stream(600);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  await produce(kafka, topic, lines, 2);

  const reference = memorySink();
  const ref = await startProcessor(options(kafka, topic, tempDir(t), [reference], { maxBatchRecords: 100 }));
  await ref.finish();
  await ref.close();

  const dir = tempDir(t);
  const sink = memorySink();
  let failed = false;
  const failing: Sink = {
    name: "failing",
    async write(batch) {
      if (batch.batchId === 3 && !failed) {
        failed = true;
        throw new Error("disk full");
      }
    },
  };
  const first = await startProcessor(options(kafka, topic, dir, [sink, failing], { maxBatchRecords: 100 }));
  await assert.rejects(first.finish(), /stopped: disk full|disk full/);
  await first.close();
  const attempted = sink.writes.find((w) => w.batchId === 3)!;
  assert.ok(fs.existsSync(path.join(dir, "pending.json")), "batch 3 is planned but not committed");

  const reports: boolean[] = [];
  const second = await startProcessor(options(kafka, topic, dir, [sink, failing], { maxBatchRecords: 100, onBatch: (b) => reports.push(b.replayed) }));
  defer(t, () => second.close());
  await second.finish();
  assert.equal(reports[0], true, "the first batch after restart is the replay");
  const replayed = sink.writes.filter((w) => w.batchId === 3);
  assert.equal(replayed.length, 2);
  assert.deepEqual(replayed[1].rows, attempted.rows, "the replay writes the same rows");
  assert.deepEqual(byKey(sink.rows()), byKey(reference.rows()));
  assert.deepEqual({ ...second.stats(), offsets: null }, { ...ref.stats(), offsets: null, batches: second.stats().batches });
});

/** Counts per value in an object changed in place (a custom aggregate may do that), with mean(). */
const inPlaceQueries: ProcessorOptions<Ev>["queries"] = [
  {
    name: "q",
    window: tumbling(10),
    key: (e) => e.k,
    aggregates: {
      n: count(),
      avg: mean("v"),
      hist: aggregate<Ev, Record<string, number>, string>({
        init: () => ({}),
        add: (s, e) => {
          s[e.v] = (s[e.v] ?? 0) + 1;
          return s;
        },
        result: (s) => JSON.stringify(Object.entries(s).sort()),
      }),
    },
    mode: "append",
  },
];
const inPlaceLine = (r: WindowRow) => `${r.windowStart}|${r.key}|${r.n}|${r.avg}|${r.hist}`;

/** The rows of inPlaceQueries over `lines` in one batch, computed by an engine alone (the stream has nothing late). */
function inPlaceExpected(lines: string[]): string[] {
  const whole = new StreamEngine({ ...options({} as Kafka, "", "", []), queries: inPlaceQueries });
  return [...whole.process(lines.map((l, i) => ({ partition: 0, offset: String(i), key: null, value: Buffer.from(l) }))).outputs.q, ...whole.flush().outputs.q].map(inPlaceLine).sort();
}

/** The rows a sink received, one per window; fails on a window written twice with different values (a replay writes the same). */
function oncePerWindow(rows: WindowRow[]): string[] {
  const byWindow = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = `${r.windowStart}|${r.key}`;
    if (!byWindow.has(key)) byWindow.set(key, new Set());
    byWindow.get(key)!.add(inPlaceLine(r));
  }
  assert.deepEqual([...byWindow.values()].filter((v) => v.size > 1).map((v) => [...v]), [], "a window written twice with different values");
  return [...byWindow.values()].map((v) => [...v][0]).sort();
}

test("a processor that prepared the next batch ahead and fails commits its own batch's state only: restarted, it ends with the right means and in-place states", async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("events");
  const lines = stream(1000);
  await produce(kafka, topic, lines);
  const queries = inPlaceQueries;
  const expected = inPlaceExpected(lines);

  const dir = tempDir(t);
  const sink = memorySink();
  const prepared: number[] = [];
  const aheadWhenFailed: boolean[] = [];
  let failed = false;
  const failing: Sink = {
    name: "failing",
    async write(batch) {
      if (batch.batchId === 3 && !failed) {
        failed = true;
        aheadWhenFailed.push(prepared.includes(4));
        throw new Error("disk full");
      }
    },
  };
  const watch = { name: "watch", prepare: (b: { batchId: number }) => void prepared.push(b.batchId), write: async () => undefined };
  const first = await startProcessor(options(kafka, topic, dir, [sink, failing], { queries, maxBatchRecords: 100, recordSinks: [watch] }));
  await assert.rejects(first.finish(), /disk full/);
  await first.close();
  assert.deepEqual(aheadWhenFailed, [true], "batch 4 had run through the engine when batch 3 failed");

  const second = await startProcessor(options(kafka, topic, dir, [sink], { queries, maxBatchRecords: 100 }));
  defer(t, () => second.close());
  await second.finish();
  assert.deepEqual(oncePerWindow(sink.rows()), expected);
});

test("a processor closed while the next batch is prepared, and started again, ends with the right means and in-place states", async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("events");
  const lines = stream(1000);
  await produce(kafka, topic, lines);
  const dir = tempDir(t);
  const sink = memorySink();
  let closing: Promise<void> | undefined;
  const first = await startProcessor(options(kafka, topic, dir, [sink], {
    queries: inPlaceQueries,
    maxBatchRecords: 100,
    onBatch: (b) => {
      if (b.nextPrepared && b.batchId >= 2) closing ??= first.close();
    },
  }));
  defer(t, () => first.close());
  await assert.rejects(first.finish(), /closed/);
  await closing;
  const stopped = first.stats().batches;
  assert.ok(stopped >= 2 && first.stats().offsets[0] !== String(lines.length), `stopped mid-stream, after batch ${stopped}, with the next batch prepared`);

  const second = await startProcessor(options(kafka, topic, dir, [sink], { queries: inPlaceQueries, maxBatchRecords: 100 }));
  defer(t, () => second.close());
  await second.finish();
  assert.deepEqual(oncePerWindow(sink.rows()), inPlaceExpected(lines));
});

test("a parquet sink writes one file per batch and a replayed batch overwrites its own file", async (t) => {
  const dir = tempDir(t);
  const sink = parquetSink({ dir });
  const rows = [{ windowStart: 0, windowEnd: 10, key: "a", n: 2 }];
  await sink.write({ batchId: 1, query: "q", mode: "append", watermark: 10, rows });
  await sink.write({ batchId: 1, query: "q", mode: "append", watermark: 10, rows });
  await sink.write({ batchId: 2, query: "q", mode: "append", watermark: 20, rows: [{ windowStart: 10, windowEnd: 20, key: "b", n: 1 }] });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["q-00000001.parquet", "q-00000002.parquet"]);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const r = await con.runAndReadAll(`SELECT key, n::INTEGER AS n, batch_id::INTEGER AS b FROM read_parquet('${dir}/*.parquet') ORDER BY b`);
  assert.deepEqual(r.getRowObjectsJS(), [{ key: "a", n: 2, b: 1 }, { key: "b", n: 1, b: 2 }]);
  con.closeSync();
  db.closeSync();
});

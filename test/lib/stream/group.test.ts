import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { startProcessor, type ProcessorOptions, type StreamProcessor } from "../../../lib/stream/processor";
import { count, sum } from "../../../lib/stream/aggregates";
import { tumbling } from "../../../lib/stream/windows";
import type { Sink } from "../../../lib/stream/sinks/sink";
import { readDeadLetters } from "../../../lib/stream/dead-letters";
import { groupTopics, partitionFor } from "../../../lib/stream/group";
import { isWorkbookError } from "../../../lib/errors";
import { defer, sleep, tempDir, testBroker, uniqueName } from "./helpers";

interface Ev {
  t: number;
  k: string;
  v: number;
}

/** An upsert sink: the last row written per (window, key) wins, as in PostgreSQL. */
function tableSink(table: Map<string, string>): Sink {
  return {
    name: "table",
    async write(batch) {
      for (const r of batch.rows) table.set(`${batch.query}|${r.windowStart}|${r.key}`, `${r.n}|${r.total}`);
    },
  };
}

function options(kafka: Kafka, topic: string, dir: string, sink: Sink, extra: Partial<ProcessorOptions<Ev>> = {}): ProcessorOptions<Ev> {
  return {
    kafka,
    topic,
    checkpointDir: path.join(dir, "ck"),
    triggerMs: 50,
    parse: (text) => {
      const [t, k, v] = text.split(",");
      if (!/^\d+$/.test(t) || !/^\d+$/.test(v ?? "") || !k) return { ok: false, reason: `not t,k,v: ${JSON.stringify(text)}` };
      return { ok: true, value: { t: Number(t), k, v: Number(v) } };
    },
    eventTime: (e) => e.t,
    watermarkDelayMs: 50,
    queries: [
      { name: "per_key", window: tumbling(100), key: (e) => e.k, aggregates: { n: count(), total: sum("v") }, mode: "update" },
      { name: "final", window: tumbling(500), key: (e) => e.k, aggregates: { n: count(), total: sum("v") }, mode: "append" },
    ],
    sinks: { per_key: [sink], final: [sink] },
    ...extra,
  };
}

/** Input keyed by time (like Netflix's dates): partition = (t / 10) % 4; each partition in time order. */
function lines(from: number, to: number): { value: string; partition: number }[] {
  const out: { value: string; partition: number }[] = [];
  for (let t = from; t < to; t++) {
    out.push({ value: `${t},k${(t * 7) % 23},${t % 5}`, partition: Math.floor(t / 10) % 4 });
    if (t % 997 === 0) out.push({ value: `bad line ${t}`, partition: Math.floor(t / 10) % 4 });
  }
  return out;
}

async function produce(kafka: Kafka, topic: string, messages: { value: string; partition: number }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, messages: messages.slice(i, i + 1000) });
  await producer.disconnect();
}

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test("partitionFor is stable and spreads keys over the partitions", () => {
  assert.equal(partitionFor("movie-42", 8), partitionFor("movie-42", 8));
  const seen = new Set(Array.from({ length: 200 }, (_, i) => partitionFor(String(i), 4)));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  assert.deepEqual(groupTopics("app"), { repartition: "app-repartition", changelog: "app-changelog" });
});

test("group options without applicationId, or a bad applicationId, are refused with the fix", async (t) => {
  const { kafka } = await testBroker(t);
  const dir = tempDir(t);
  const sink = tableSink(new Map());
  await assert.rejects(startProcessor(options(kafka, "x", dir, sink, { repartitionBy: (e) => e.k })), (e) => isWorkbookError(e, "STREAM_OPTIONS_INVALID") && /applicationId/.test(e.message));
  await assert.rejects(startProcessor(options(kafka, "x", dir, sink, { applicationId: "no spaces" })), (e) => isWorkbookError(e, "STREAM_OPTIONS_INVALID") && /"no spaces"/.test(e.message));
  await assert.rejects(startProcessor(options(kafka, "x", dir, sink, { applicationId: "app", startOffsets: { 0: "5" } })), (e) => isWorkbookError(e, "STREAM_OPTIONS_INVALID") && /one process only/.test(e.message));
});

test("two instances with one applicationId split the partitions through a repartition topic, hand state over on a rebalance, and end equal to one process", { timeout: 240_000 }, async (t) => {
  const { kafka } = await testBroker(t, { partitions: 4 });
  const dir = tempDir(t);
  const topic = uniqueName("events");
  const all = lines(0, 6000);
  const bad = all.filter((m) => m.value.startsWith("bad")).length;

  // Reference: one process, no group.
  const ref = new Map<string, string>();
  await produce(kafka, topic, all.slice(0, 10)); // creates the topic with 4 partitions
  await produce(kafka, topic, all.slice(10));
  const single = await startProcessor(options(kafka, topic, path.join(dir, "single"), tableSink(ref)));
  await single.finish();
  await single.close();
  assert.ok(ref.size > 100);

  // Group: same input topic, two instances, the first leaves mid-stream.
  const groupTopic = uniqueName("events");
  await produce(kafka, groupTopic, all.slice(0, 10));
  const table = new Map<string, string>();
  const app = uniqueName("app");
  const assignments: Record<string, number[][]> = { a: [], b: [] };
  const batchesByTask: Record<string, Set<number>> = { a: new Set(), b: new Set() };
  const start = (name: "a" | "b"): Promise<StreamProcessor<Ev>> =>
    startProcessor(
      options(kafka, groupTopic, path.join(dir, name), tableSink(table), {
        applicationId: app,
        deadLetterTopic: `${groupTopic}.group-dead`,
        repartitionBy: (e) => e.k,
        sessionTimeoutMs: 6000,
        onAssign: (a) => assignments[name].push(a.tasks),
        onBatch: (b) => batchesByTask[name].add(b.task!),
      }),
    );
  const a = await start("a");
  defer(t, () => a.close());
  const b = await start("b");
  defer(t, () => b.close());
  // Both joined one group: after the rebalance each owns some of the 4 tasks.
  await until("both instances own tasks", () => (assignments.a.at(-1)?.length ?? 0) > 0 && (assignments.b.at(-1)?.length ?? 0) > 0 && assignments.a.at(-1)!.length + assignments.b.at(-1)!.length === 4);
  await produce(kafka, groupTopic, all.slice(10, 3000));
  await until("both instances processed batches", () => batchesByTask.a.size > 0 && batchesByTask.b.size > 0);
  const aTasks = assignments.a.at(-1)!;
  assert.deepEqual([...aTasks, ...assignments.b.at(-1)!].sort(), [0, 1, 2, 3], "the tasks are split, each owned once");
  const restoresBefore = b.stats().group!.restores;

  // a leaves: b takes its partitions and restores their state from the changelog.
  await a.close();
  await until("b owns every task", () => assignments.b.at(-1)?.length === 4);
  await produce(kafka, groupTopic, all.slice(3000));
  await b.finish({ timeoutMs: 120_000 });
  const stats = b.stats();
  assert.ok(stats.group!.restores > restoresBefore, "b restored the tasks it took over from the changelog");
  assert.deepEqual(stats.group!.tasks, [0, 1, 2, 3]);
  assert.ok(stats.group!.changelog.commits > 0 && stats.group!.changelog.bytes > 0);
  assert.equal(stats.late.per_key, 0);
  // Counts reconcile with the input: b reports the counts committed with the offsets of every input
  // partition, including what a read before it took them over.
  assert.deepEqual({ in: stats.in, ok: stats.ok, rejected: stats.rejected }, { in: all.length, ok: all.length - bad, rejected: bad });
  assert.ok(stats.group!.repartitioned.in < all.length, "b itself read only part of the input");

  // The same final table as one process: nothing lost, nothing counted twice.
  assert.deepEqual([...table.entries()].sort(), [...ref.entries()].sort());

  // Internal topics named after the application id; rejected lines in the dead-letter topic once each.
  const admin = kafka.admin();
  await admin.connect();
  const topics = await admin.listTopics();
  await admin.disconnect();
  assert.ok(topics.includes(`${app}-repartition`) && topics.includes(`${app}-changelog`));
  const dead = await readDeadLetters(kafka, `${groupTopic}.group-dead`);
  const rejected = new Set(dead.filter((d) => d.kind === "rejected").map((d) => d.line));
  assert.equal(rejected.size, bad);
});

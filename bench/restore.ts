/**
 * Changelog benchmark (npm run bench:restore [ratings], default 1,000,000): what group mode's
 * changelog costs to write and to restore, per-key changes (lib/stream/group.ts) against the format
 * before them, one whole snapshot of each task after every batch (rebuilt here, as it was in
 * d7c8e8b: the snapshot JSON split in 900 KB records, restore = read the last snapshot only).
 * 1. Generated Netflix ratings (2,000 movies, 100,000 users) in a 4-partition topic of the embedded
 *    broker (a child process); ONE group instance (mode A, PostgreSQL of DATABASE_URL, or PGlite)
 *    repartitions and aggregates all of them (drain, no flush: the state is the state mid-stream).
 *    Its changelog statistics give the per-key bytes and write time.
 * 2. The snapshot version: the same task batches (sizes from the instance's batch reports, records
 *    read back from the repartition topic) through a fresh engine per task, a whole snapshot written
 *    after each batch to a topic of the same shape: its bytes and write time.
 * 3. Restore of all 4 tasks from each changelog into fresh engines, timed (read + fold + load);
 *    both restored states must be equal. When the broker can compact a topic (Broker.compact, log
 *    compaction), both changelogs are compacted and restored again.
 * RESULT stream_changelog restore_ms=<per-key> ms baseline=<snapshot> ratio=<per-key / snapshot>.
 * `--engine [ratings]`: no Kafka, the bytes each format would write (and the time to serialise them)
 * for the same ratings cut into batches of 12,500 and of 1,000 records per task (tasks by the
 * repartition hash of the movie): a snapshot costs the whole state per batch, per-key changes cost
 * what changed, so smaller batches favour per-key changes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { Kafka, logLevel, type Admin, type IHeaders } from "kafkajs";
import { config } from "../lib/config";
import { startBroker } from "../lib/kafka";
import { openSql } from "../lib/sql";
import { StreamEngine, type EngineSnapshot, type InputRecord } from "../lib/stream/engine";
import { jsonWithState } from "../lib/stream/checkpoint";
import { CHANGELOG_MAX_MESSAGE_BYTES, groupTopics, partitionFor, readChangelog } from "../lib/stream/group";
import { ratingLine } from "../scenarios/netflix/ratings";
import type { BatchReport } from "../lib/stream/report";
import { generateSample, writeSample } from "../scenarios/netflix/generate";
import { netflixEngineOptions, startNetflixProcessor } from "../scenarios/netflix/pipeline";
import type { Rating } from "../scenarios/netflix/ratings";
import { replayRatings } from "../scenarios/netflix/producer";
import { readTitles } from "../scenarios/netflix/titles";
import { startChild as startChildOf } from "./child";

const RATINGS = Number(process.argv[2] ?? 1_000_000); // (main only)
const PARTITIONS = 4;
/** Compaction cleans sealed segments only: 1 MiB segments on both changelogs, so nearly all of each is sealed. */
const SEGMENT_BYTES = 1 << 20;
/** The snapshot format's largest record. */
const CHUNK_BYTES = 900_000;

/** The broker child: answers "compact <topic>" lines with one JSON line (Broker.compact, when it has one). */
async function brokerChild(): Promise<void> {
  // No background log cleaner (a broker with compaction: logCleanerBackoffMs 0): the changelogs are
  // compacted when asked, after the uncompacted restores.
  const options = { host: "127.0.0.1", logCleanerBackoffMs: 0 };
  const broker = await startBroker(options);
  process.stdout.write(`${JSON.stringify({ brokers: broker.brokers })}\n`);
  const compact = (broker as unknown as { compact?: (topic: string) => Promise<unknown> }).compact;
  let buffered = "";
  process.stdin.on("data", (d: Buffer) => {
    buffered += d.toString();
    for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      const topic = line.replace(/^compact /, "");
      if (!compact) process.stdout.write(`${JSON.stringify({ compacted: false })}\n`);
      else {
        const began = performance.now();
        compact
          .call(broker, topic)
          .then((r) => process.stdout.write(`${JSON.stringify({ compacted: true, ms: performance.now() - began, result: r })}\n`))
          .catch((err: unknown) => process.stdout.write(`${JSON.stringify({ compacted: false, error: String(err) })}\n`));
      }
    }
  });
  await new Promise((resolve) => process.stdin.once("end", resolve));
  await broker.close();
}

/** The snapshot format (version 1) as it was written: one JSON text per task, in 900 KB records. */
async function writeSnapshot(producer: ReturnType<Kafka["producer"]>, topic: string, task: number, text: string): Promise<number> {
  const snap: { state: unknown } & Record<string, unknown> = { version: 1, applicationId: "bench", task, offset: "0", sources: {}, deadLetters: 0, flushed: false, state: text, committedAt: new Date().toISOString() };
  const bytes = Buffer.from(jsonWithState(snap));
  const id = randomUUID();
  const n = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
  for (let i = 0; i < n; i++) {
    await producer.send({ topic, acks: -1, messages: [{ partition: task, key: `task-${task}-${i}`, value: bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), headers: { snapshot: id, chunk: String(i), chunks: String(n) } }] });
  }
  return bytes.length;
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}

/** The snapshot format's restore (as in d7c8e8b): seek to each partition's last record, then read back its chunks. */
async function readSnapshots(kafka: Kafka, admin: Admin, topic: string, partitions: number[]): Promise<Map<number, { state: EngineSnapshot }>> {
  const found = new Map<number, { state: EngineSnapshot }>();
  const ends = await admin.fetchTopicOffsets(topic);
  const want = new Map<number, { low: bigint; high: bigint }>();
  for (const e of ends) if (partitions.includes(e.partition) && BigInt(e.high) > BigInt(e.low)) want.set(e.partition, { low: BigInt(e.low), high: BigInt(e.high) });
  const consumer = kafka.consumer({ groupId: `bench-restore-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const chunks = new Map<number, { first: bigint; parts: Buffer[] }>();
      const done = (p: number, text: string) => {
        found.set(p, JSON.parse(text) as { state: EngineSnapshot });
        want.delete(p);
        if (want.size === 0) resolve();
      };
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const w = want.get(partition);
            if (!w) return;
            const offset = BigInt(message.offset);
            const n = Number(header(message.headers, "chunks") ?? "1");
            if (offset === w.high - 1n && !chunks.has(partition)) {
              if (n === 1) return done(partition, message.value?.toString() ?? "");
              const first = w.high - BigInt(n);
              chunks.set(partition, { first, parts: [] });
              consumer.seek({ topic, partition, offset: first.toString() });
              return;
            }
            const c = chunks.get(partition);
            if (!c || offset < c.first || offset >= w.high) return;
            c.parts.push(message.value ?? Buffer.alloc(0));
            if (offset === w.high - 1n) done(partition, Buffer.concat(c.parts).toString());
          },
        })
        .catch(reject);
      for (const [p, w] of want) consumer.seek({ topic, partition: p, offset: (w.high - 1n).toString() });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/** Every record of a topic, per partition, in offset order. */
async function readTopic(kafka: Kafka, admin: Admin, topic: string): Promise<Map<number, InputRecord[]>> {
  const ends = await admin.fetchTopicOffsets(topic);
  const out = new Map<number, InputRecord[]>(ends.map((e) => [e.partition, []]));
  let left = ends.reduce((a, e) => a + Number(e.high) - Number(e.low), 0);
  const consumer = kafka.consumer({ groupId: `bench-read-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 8 << 20, maxBytes: 64 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const list = out.get(batch.partition)!;
          for (const m of batch.messages) {
            list.push({ partition: Number(header(m.headers, "source-partition")), offset: header(m.headers, "source-offset") ?? m.offset, key: m.key, value: m.value, timestamp: m.timestamp });
            left--;
          }
          if (left === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

/** `--engine`: bytes and serialisation time of both formats per batch size, no Kafka. */
function engineOnly(n: number): void {
  const sample = generateSample({ seed: 3, movies: 2000, users: 100_000, ratings: n, bursts: 0 });
  const titles = new Map(sample.titles.map((t) => [t.movieId, t]));
  const perTask: InputRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  sample.ratings.forEach((r, i) => perTask[partitionFor(String(r.movieId), PARTITIONS)].push({ partition: 0, offset: String(i), key: null, value: Buffer.from(ratingLine(r)) }));
  for (const size of [12_500, 1000]) {
    const sum = { batches: 0, changes: 0, changeBytes: 0, changeMs: 0, snapBytes: 0, snapMs: 0 };
    for (const records of perTask) {
      const engine = new StreamEngine(netflixEngineOptions({ titles, mode: "A" }));
      engine.trackChanges();
      for (let at = 0; at < records.length; at += size) {
        engine.process(records.slice(at, at + size));
        sum.batches++;
        let t0 = performance.now();
        const changes = engine.takeChanges();
        const meta = JSON.stringify(engine.meta());
        sum.changeMs += performance.now() - t0;
        sum.changes += changes.length;
        sum.changeBytes += meta.length + 4 + changes.reduce((a, c) => a + c.key.length + (c.value?.length ?? 0), 0);
        t0 = performance.now();
        sum.snapBytes += engine.snapshotText().length;
        sum.snapMs += performance.now() - t0;
      }
    }
    console.log(`batches of ${size} per task (${sum.batches} batches): per-key ${(sum.changeBytes / 2 ** 20).toFixed(1)} MiB in ${sum.changes} change records, ${sum.changeMs.toFixed(0)} ms to take them; snapshots ${(sum.snapBytes / 2 ** 20).toFixed(1)} MiB, ${sum.snapMs.toFixed(0)} ms to serialise; per-key / snapshot bytes ${(sum.changeBytes / sum.snapBytes).toFixed(2)}`);
  }
}

/** An engine's state in a comparable form (entries sorted). */
function comparable(e: StreamEngine<Rating>): string {
  const s = e.snapshot();
  const sort = (list: unknown[]) => list.map((x) => JSON.stringify(x)).sort();
  return JSON.stringify({ batchId: s.batchId, stats: s.stats, queries: Object.fromEntries(Object.entries(s.queries).map(([k, v]) => [k, sort(v)])), buckets: Object.fromEntries(Object.entries(s.buckets ?? {}).map(([k, v]) => [k, sort(v)])) });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-restore-"));
  const broker = startChildOf(__filename, ["broker"]);
  const { brokers } = JSON.parse(await broker.ready) as { brokers: string };
  const answers: string[] = [];
  let pending = "";
  broker.child.stdout!.on("data", (d: Buffer) => {
    pending += d.toString();
    for (let i = pending.indexOf("\n"); i >= 0; i = pending.indexOf("\n")) {
      answers.push(pending.slice(0, i));
      pending = pending.slice(i + 1);
    }
  });
  const ask = async (line: string): Promise<{ compacted: boolean; ms?: number; result?: unknown; error?: string }> => {
    const before = answers.length;
    broker.child.stdin!.write(`${line}\n`);
    while (answers.length === before) await new Promise((r) => setTimeout(r, 20));
    return JSON.parse(answers[before]) as { compacted: boolean; ms?: number; result?: unknown; error?: string };
  };
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const sql = await openSql(config().sql.kind === "postgres" ? {} : { memory: true });
  try {
    console.log(`generating ${RATINGS} ratings...`);
    const sample = generateSample({ seed: 3, movies: 2000, users: 100_000, ratings: RATINGS, bursts: 0 });
    const files = writeSample(dir, sample);
    const titles = readTitles(files.titles);
    const topic = "bench-restore-ratings";
    const app = `bench-restore-${Date.now()}`;
    const changelog = groupTopics(app).changelog;
    const snapTopic = `${app}-snapshots`;
    const compact = (extra: { name: string; value: string }[] = []) => [{ name: "cleanup.policy", value: "compact" }, { name: "segment.bytes", value: String(SEGMENT_BYTES) }, ...extra];
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: PARTITIONS },
        // Made here rather than by the instance only to give both changelogs the same segment size.
        { topic: changelog, numPartitions: PARTITIONS, configEntries: compact([{ name: "max.message.bytes", value: String(CHANGELOG_MAX_MESSAGE_BYTES) }]) },
        { topic: snapTopic, numPartitions: PARTITIONS, configEntries: compact() },
      ],
    });
    await replayRatings({ kafka, source: files.ratings, topic, batchSize: 1000 });

    // 1. One instance, per-key changelog.
    const reports: BatchReport[] = [];
    await sql.exec("DROP TABLE IF EXISTS bench_restore");
    const began = performance.now();
    const np = await startNetflixProcessor({ kafka, sql, titles, mode: "A", table: "bench_restore", topic, anomaliesTopic: `${topic}-anomalies`, checkpointDir: path.join(dir, "ck"), applicationId: app, onBatch: (r) => reports.push(r) });
    await np.processor.drain({ timeoutMs: 1_800_000 });
    const runMs = performance.now() - began;
    const stats = np.processor.stats();
    await np.close();
    await sql.exec("DROP TABLE IF EXISTS bench_restore");
    if (stats.in !== RATINGS) throw new Error(`the instance read ${stats.in} of ${RATINGS}`);
    const g = stats.group!;
    console.log(`per-key: ${RATINGS} ratings in ${(runMs / 1000).toFixed(1)} s, ${g.changelog.commits} commits, ${g.changelog.records} change records, ${(g.changelog.bytes / 2 ** 20).toFixed(1)} MiB, ${(g.changelog.ms / 1000).toFixed(2)} s writing (${((g.changelog.ms / runMs) * 100).toFixed(1)}% of the run)`);

    // 2. The snapshot version over the same task batches.
    const inputs = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
    const options = netflixEngineOptions({ titles, mode: "A" });
    const records = await readTopic(kafka, admin, groupTopics(app).repartition);
    const producer = kafka.producer();
    await producer.connect();
    let snapBytes = 0;
    let snapMs = 0;
    let snapCommits = 0;
    for (let task = 0; task < PARTITIONS; task++) {
      const engine = new StreamEngine(options);
      engine.expectPartitions(inputs);
      const all = records.get(task)!;
      let at = 0;
      for (const r of reports.filter((x) => x.task === task)) {
        engine.process(all.slice(at, at + r.records));
        at += r.records;
        const t0 = performance.now();
        snapBytes += await writeSnapshot(producer, snapTopic, task, engine.snapshotText());
        snapMs += performance.now() - t0;
        snapCommits++;
      }
      if (at !== all.length) throw new Error(`task ${task}: the batch reports cover ${at} of ${all.length} records`);
    }
    await producer.disconnect();
    // The share the snapshot writes would take of the same run in place of the per-key writes.
    const snapShare = snapMs / (runMs - g.changelog.ms + snapMs);
    console.log(`snapshot: ${snapCommits} snapshots, ${(snapBytes / 2 ** 20).toFixed(1)} MiB, ${(snapMs / 1000).toFixed(2)} s writing (${(snapShare * 100).toFixed(1)}% of the same run)`);

    // 3. Restore all tasks from each changelog.
    const tasks = Array.from({ length: PARTITIONS }, (_, i) => i);
    const restorePerKey = async () => {
      const t0 = performance.now();
      const read = await readChangelog(kafka, admin, changelog, tasks, { applicationId: app });
      const engines = tasks.map((p) => {
        const e = new StreamEngine(options);
        e.expectPartitions(inputs);
        const r = read.get(p)!;
        e.restoreChanges(r.meta.engine, r.entries);
        return e;
      });
      const ms = performance.now() - t0;
      return { ms, engines, records: [...read.values()].reduce((a, r) => a + r.records, 0), bytes: [...read.values()].reduce((a, r) => a + r.bytes, 0) };
    };
    const restoreSnapshot = async () => {
      const t0 = performance.now();
      const read = await readSnapshots(kafka, admin, snapTopic, tasks);
      const engines = tasks.map((p) => {
        const e = new StreamEngine(options);
        e.expectPartitions(inputs);
        e.restore(read.get(p)!.state);
        return e;
      });
      return { ms: performance.now() - t0, engines };
    };
    const perKey = await restorePerKey();
    const snap = await restoreSnapshot();
    const equal = tasks.every((p) => comparable(perKey.engines[p]) === comparable(snap.engines[p]));
    if (!equal) throw new Error("the state restored from the per-key changelog differs from the one restored from the snapshots");
    const held = perKey.engines.reduce((a, e) => a + Object.values(e.stateSize()).reduce((x, y) => x + y, 0), 0);
    console.log(`restore of ${PARTITIONS} tasks (${held} windows and buckets, equal both ways): per-key ${perKey.ms.toFixed(0)} ms (${perKey.records} records, ${(perKey.bytes / 2 ** 20).toFixed(1)} MiB read), snapshot ${snap.ms.toFixed(0)} ms (the last snapshot of each task)`);

    let compactedLine = "compacted=unavailable";
    const c1 = await ask(`compact ${changelog}`);
    if (c1.compacted) {
      const c2 = await ask(`compact ${snapTopic}`);
      const perKey2 = await restorePerKey();
      const snap2 = await restoreSnapshot();
      if (!tasks.every((p) => comparable(perKey2.engines[p]) === comparable(perKey.engines[p]))) throw new Error("the state restored after compaction differs");
      console.log(`after compaction (per-key ${c1.ms!.toFixed(0)} ms: ${JSON.stringify(c1.result)}; snapshot ${c2.ms!.toFixed(0)} ms: ${JSON.stringify(c2.result)}): restore per-key ${perKey2.ms.toFixed(0)} ms (${perKey2.records} records, ${(perKey2.bytes / 2 ** 20).toFixed(1)} MiB read), snapshot ${snap2.ms.toFixed(0)} ms`);
      compactedLine = `compacted_restore_ms=${perKey2.ms.toFixed(0)} compacted_baseline_ms=${snap2.ms.toFixed(0)} compacted_read_mib=${(perKey2.bytes / 2 ** 20).toFixed(1)}`;
    } else {
      console.log(`after compaction: not measured, this broker cannot compact a topic${c1.error ? ` (${c1.error})` : ""}`);
    }
    console.log(
      `RESULT stream_changelog restore_ms=${perKey.ms.toFixed(0)} ms baseline=${snap.ms.toFixed(0)} ratio=${(perKey.ms / snap.ms).toFixed(2)} changelog_mib=${(g.changelog.bytes / 2 ** 20).toFixed(1)} baseline_mib=${(snapBytes / 2 ** 20).toFixed(1)} write_share=${((g.changelog.ms / runMs) * 100).toFixed(1)}% baseline_write_share=${(snapShare * 100).toFixed(1)}% ${compactedLine}`,
    );
  } finally {
    await admin.disconnect();
    await sql.close();
    broker.child.stdin!.end();
    await broker.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(process.argv[2] === "--child" ? brokerChild() : process.argv[2] === "--engine" ? Promise.resolve(engineOnly(Number(process.argv[3] ?? 1_000_000))) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});

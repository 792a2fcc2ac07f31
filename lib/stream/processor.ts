/**
 * The micro-batch stream processor over kafkajs. Every `triggerMs` it takes the records fetched
 * since the last trigger and runs one batch:
 *
 *   plan (offset range -> checkpoint) -> engine (parse, validate, windows, aggregates, watermark)
 *   -> dead-letter topic (rejected and late records, with the reason) -> sinks (idempotent)
 *   -> commit (engine state + next offsets, one atomic file)
 *
 * A crash anywhere in that sequence is recovered on restart: the last committed state and offsets
 * are loaded, a planned but uncommitted batch is replayed over exactly the same offsets, and the
 * sinks receive the same rows again. Offsets live in the checkpoint, not in the consumer group:
 * each start joins a fresh group and seeks to the checkpointed offsets.
 *
 * With `applicationId` the processor runs in group mode instead (group.ts): instances with the same
 * id share the partitions through one consumer group, state per partition in a changelog topic.
 */
import { randomUUID } from "node:crypto";
import type { Admin, Consumer, Kafka, Producer } from "kafkajs";
import { FileCheckpoint, type Offsets } from "./checkpoint";
import { StreamEngine, type BatchResult, type DeadRecord, type EngineOptions, type EngineStats, type InputRecord, type ValidRecord } from "./engine";
import type { RecordBatch, RecordSink, Sink } from "./sinks/sink";
import { sendDeadLetters, writeSinks } from "./outputs";
import { WorkbookError } from "../errors";
import { GroupRunner, type GroupStats } from "./group";
import { batchReport, type BatchReport } from "./report";

export type { BatchReport } from "./report";

export interface ProcessorOptions<T> extends EngineOptions<T> {
  /** A kafkajs client (e.g. from `kafka()`). */
  kafka: Kafka;
  /** Input topic. */
  topic: string;
  /** Folder for the checkpoint (state + offsets). Reuse it to resume after a stop or crash. */
  checkpointDir: string;
  /** Sinks per query name. */
  sinks: Record<string, Sink[]>;
  /** Trigger interval in ms. Default 1000. */
  triggerMs?: number;
  /** Largest batch in records. Default 200000. */
  maxBatchRecords?: number;
  /** Topic for rejected and late records. Default `<topic>.dead-letter`. */
  deadLetterTopic?: string;
  /**
   * Sinks for the valid records themselves (not windows), e.g. raw events into lake files. Each gets
   * every batch's valid records before the batch is committed; a replayed batch brings the same
   * records again, so a sink that names its output after the offsets is exactly once. Default: none.
   */
  recordSinks?: RecordSink<T>[];
  /** Called after each committed batch. */
  onBatch?: (report: BatchReport) => void;
  /**
   * Where to start reading, per partition, when the checkpoint has no offsets yet (a fresh
   * checkpointDir). Default: the start of each partition. A resumed processor ignores it.
   */
  startOffsets?: Offsets;
  /**
   * Group mode (Kafka Streams' application.id): instances started with the same id form one
   * consumer group and split the partitions; each task's state lives in the changelog topic
   * `<applicationId>-changelog` and moves with its partition (see group.ts). checkpointDir is then
   * unused. Default: none (one process, state and offsets in checkpointDir).
   */
  applicationId?: string;
  /**
   * Group mode: the aggregation key when it is not the input key. Records are re-keyed by it
   * through `<applicationId>-repartition`, so one task holds every record of a key.
   */
  repartitionBy?: (value: T) => string | number;
  /** Group mode: partitions of the repartition and changelog topics. Default: the input topic's. */
  partitions?: number;
  /** Group mode: how long the group waits for a silent instance before handing its partitions over. Default 30000. */
  sessionTimeoutMs?: number;
  /**
   * Group mode (Kafka Streams' commit.interval.ms): how often a task commits, in ms. Between commits
   * its batches only change its state; at a commit their rows go to the sinks (each window's latest
   * row once), the changes to the changelog (each entry's latest state once) and the offsets to the
   * group. A crash loses at most this much work, which the next owner reads again. 0: commit after
   * every batch. Default 1000.
   */
  commitIntervalMs?: number;
  /** Group mode: called after each rebalance with the tasks (and input partitions) this instance owns. */
  onAssign?: (assignment: { tasks: number[]; inputPartitions: number[] }) => void;
}

export interface ProcessorStats extends EngineStats {
  /** Messages sent to the dead-letter topic (rejected + late, per query). */
  deadLetters: number;
  /** Next offset to read per partition (committed). */
  offsets: Offsets;
  /**
   * Group mode only: this instance's tasks, rebalances, restores and changelog cost. The other
   * figures then cover the tasks this instance owns now (in, ok and rejected, when repartitionBy is
   * set: the counts committed with the offsets of the input partitions it owns now, from the start of
   * each partition, whichever instance read them; summed over the instances they reconcile with the
   * input, also after an instance was killed).
   */
  group?: GroupStats;
}

interface Pending {
  batchId: number;
  end: Offsets;
}

/** The engine's state after a batch: its JSON text (what the checkpoint stores) and its statistics. */
interface Snapshot {
  text: string;
  stats: EngineStats;
}

/** A batch taken from the buffer and processed by the engine, not yet planned, written or committed. */
interface Prepared<T> {
  records: InputRecord[];
  end: Offsets;
  replayed: boolean;
  result: BatchResult;
  /**
   * The engine's state right after this batch, committed with it: JSON text taken at once, since the
   * next batch may run through the engine (and change aggregate states in place) before this commit.
   */
  snapshot: Snapshot;
  recordBatch: RecordBatch<T>;
  began: number;
}

export class StreamProcessor<T> {
  private readonly options: ProcessorOptions<T>;
  private readonly engine: StreamEngine<T>;
  private readonly checkpoint: FileCheckpoint;
  private readonly deadLetterTopic: string;
  private consumer?: Consumer;
  private producer?: Producer;
  private admin?: Admin;
  private buffer: InputRecord[] = [];
  /** Next offset expected from the consumer, per partition. */
  private positions = new Map<number, bigint>();
  private committed: Offsets = {};
  /** The end of the last batch taken from the buffer (ahead of `committed` while a batch is in flight). */
  private taken?: Offsets;
  private pending?: Pending;
  /** The next batch, prepared while the previous one was being written (only when records are waiting). */
  private next?: Prepared<T>;
  /** The engine's statistics as of the last commit. */
  private committedStats?: EngineStats;
  private deadLetters = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private failure?: unknown;
  private closed = false;

  private readonly group?: GroupRunner<T>;

  private constructor(options: ProcessorOptions<T>) {
    this.options = options;
    this.engine = new StreamEngine({ ...options, keepValid: options.keepValid || (options.recordSinks?.length ?? 0) > 0 });
    this.checkpoint = new FileCheckpoint(options.checkpointDir);
    this.deadLetterTopic = options.deadLetterTopic ?? `${options.topic}.dead-letter`;
    for (const q of options.queries) {
      if (!options.sinks[q.name]) throw new WorkbookError("STREAM_OPTIONS_INVALID", `no sinks for query ${JSON.stringify(q.name)}; pass sinks: { ${JSON.stringify(q.name)}: [...] } (an empty list is allowed).`);
    }
    if (options.applicationId !== undefined && (options.startOffsets || options.recordSinks?.length)) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", `startOffsets and recordSinks work in one process only, not in group mode (applicationId ${JSON.stringify(options.applicationId)}); drop applicationId or those options.`);
    }
    if (options.applicationId !== undefined) this.group = new GroupRunner(options);
    else if (options.repartitionBy || options.partitions !== undefined || options.onAssign) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", "repartitionBy, partitions and onAssign need group mode; pass applicationId too (or drop them).");
    }
  }

  /** Restores the checkpoint (if any), connects to Kafka and starts the trigger. */
  static async start<T>(options: ProcessorOptions<T>): Promise<StreamProcessor<T>> {
    const p = new StreamProcessor(options);
    try {
      await p.open();
    } catch (err) {
      await p.close().catch(() => undefined);
      throw err;
    }
    return p;
  }

  private async open(): Promise<void> {
    if (this.group) return this.group.open();
    const { kafka, topic } = this.options;
    const saved = this.checkpoint.load();
    if (saved) {
      if (saved.topic !== topic) throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `checkpoint ${this.checkpoint.dir} belongs to topic ${JSON.stringify(saved.topic)}, not ${JSON.stringify(topic)}; use another checkpointDir or delete that folder.`);
      this.engine.restore(saved.state);
      this.committed = { ...saved.offsets };
      this.deadLetters = saved.deadLetters ?? 0;
    }
    this.committedStats = this.engine.getStats();
    const pending = this.checkpoint.pending();
    if (pending && pending.batchId === this.engine.nextBatchId) this.pending = pending;

    this.admin = kafka.admin();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = [topic, this.deadLetterTopic].filter((t) => !existing.has(t));
    if (missing.length > 0) await this.admin.createTopics({ topics: missing.map((t) => ({ topic: t })), waitForLeaders: true });
    const partitions = await this.admin.fetchTopicOffsets(topic);
    this.engine.expectPartitions(partitions.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition));
    for (const p of partitions) {
      const start = this.committed[p.partition] ?? this.options.startOffsets?.[p.partition] ?? p.low;
      this.committed[p.partition] = start;
      this.positions.set(p.partition, BigInt(start));
    }

    this.producer = kafka.producer();
    await this.producer.connect();
    this.consumer = kafka.consumer({ groupId: `stream-${topic}-${randomUUID()}`, maxWaitTimeInMs: 200, maxBytesPerPartition: 8 << 20, maxBytes: 32 << 20 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!this.failure) this.failure = e.payload.error;
    });
    const maxBuffered = 4 * (this.options.maxBatchRecords ?? 200_000);
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const next = this.positions.get(batch.partition) ?? 0n;
        const messages = batch.messages;
        // Offsets ascend within a fetch: skip those already buffered (a fetch from before a seek), then take the rest.
        let i = 0;
        while (i < messages.length && BigInt(messages[i].offset) < next) i++;
        if (i < messages.length) {
          for (let j = i; j < messages.length; j++) {
            const m = messages[j];
            this.buffer.push({ partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp });
          }
          this.positions.set(batch.partition, BigInt(messages[messages.length - 1].offset) + 1n);
        }
        while (this.buffer.length > maxBuffered && !this.closed) {
          await sleep(20);
          await heartbeat();
        }
      },
    });
    for (const [partition, offset] of this.positions) this.consumer.seek({ topic, partition, offset: offset.toString() });
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.exclusive(() => this.trigger())
        .catch((err) => {
          if (!this.failure) this.failure = err;
        })
        .finally(() => {
          if (!this.failure) this.schedule();
        });
    }, this.options.triggerMs ?? 1000);
  }

  private exclusive<V>(fn: () => Promise<V>): Promise<V> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private check(): void {
    if (this.failure) throw new WorkbookError("STREAM_FAILED", `the stream processor on topic ${JSON.stringify(this.options.topic)} stopped: ${describe(this.failure)}`, { cause: this.failure });
    if (this.closed) throw new WorkbookError("STREAM_CLOSED", "the stream processor is closed; start a new one with the same checkpointDir to resume.");
  }

  /**
   * Runs one batch now (if there is anything to process). Returns its report, or undefined.
   *
   * When more records are waiting than one batch holds, the next batch is taken and processed by the
   * engine while this batch's sinks write (a sink's I/O, e.g. DuckDB writing Parquet, runs off the
   * JavaScript thread). That step has no effect outside this process: the next batch is planned in
   * the checkpoint, sent to the dead-letter topic and written only after this batch has committed,
   * with the engine state saved right after this batch; a crash in between replays this batch alone.
   */
  private async trigger(): Promise<BatchReport | undefined> {
    this.check();
    const batch = this.next ?? this.prepare();
    this.next = undefined;
    if (batch === undefined) return undefined;
    const { result, end, replayed } = batch;
    if (!replayed) this.checkpoint.plan({ batchId: result.batchId, end });
    await this.sendDeadLetters(result.dead);
    const writing = this.writeSinks(result, batch.recordBatch);
    if (this.buffer.length >= (this.options.maxBatchRecords ?? 200_000)) {
      writing.catch(() => undefined); // awaited just below; its failure must not go unhandled while the next batch is prepared
      this.next = this.prepare();
    }
    const rowsWritten = await writing;
    this.committed = end;
    this.commit(batch.snapshot);
    const report = batchReport(result, { records: batch.records.length, rowsWritten, began: batch.began, replayed, nextPrepared: this.next !== undefined });
    this.options.onBatch?.(report);
    return report;
  }

  /**
   * Takes the next batch's records (exactly the planned range when replaying a batch planned before a
   * crash) and runs the engine over them, or returns undefined when there is nothing to take yet.
   */
  private prepare(): Prepared<T> | undefined {
    const began = performance.now();
    let records: InputRecord[];
    let end: Offsets;
    const replayed = this.pending !== undefined;
    if (this.pending) {
      const plan = this.pending;
      for (const [p, offset] of Object.entries(plan.end)) {
        if ((this.positions.get(Number(p)) ?? 0n) < BigInt(offset)) return undefined; // not fetched yet
      }
      records = [];
      const rest: InputRecord[] = [];
      for (const r of this.buffer) {
        const limit = plan.end[r.partition];
        if (limit !== undefined && BigInt(r.offset) < BigInt(limit)) records.push(r);
        else rest.push(r);
      }
      this.buffer = rest;
      end = { ...(this.taken ?? this.committed), ...plan.end };
      this.pending = undefined;
    } else {
      if (this.buffer.length === 0) return undefined;
      const max = this.options.maxBatchRecords ?? 200_000;
      records = this.buffer.length <= max ? this.buffer : this.buffer.slice(0, max);
      this.buffer = this.buffer.length <= max ? [] : this.buffer.slice(max);
      end = { ...(this.taken ?? this.committed) };
      // The buffer holds each partition's records in offset order: its last record ends the range.
      const last = new Map<number, string>();
      for (const r of records) last.set(r.partition, r.offset);
      for (const [partition, offset] of last) end[partition] = (BigInt(offset) + 1n).toString();
    }
    this.taken = end;
    records.sort((a, b) => a.partition - b.partition);
    const result = this.engine.process(records);
    const recordBatch: RecordBatch<T> = { batchId: result.batchId, watermark: result.watermarkAfter, records: (result.valid ?? []) as ValidRecord<T>[] };
    for (const sink of this.options.recordSinks ?? []) sink.prepare?.(recordBatch);
    return { records, end, replayed, result, snapshot: this.takeSnapshot(), recordBatch, began };
  }

  /** The engine's state now, as a value: later batches cannot change it. */
  private takeSnapshot(): Snapshot {
    return { text: this.engine.snapshotText(), stats: this.engine.getStats() };
  }

  private commit(snapshot: Snapshot = this.takeSnapshot()): void {
    this.checkpoint.commit({ topic: this.options.topic, offsets: this.committed, state: snapshot.text, committedAt: new Date().toISOString(), deadLetters: this.deadLetters });
    this.committedStats = snapshot.stats;
  }

  private async sendDeadLetters(dead: DeadRecord[]): Promise<void> {
    this.deadLetters += await sendDeadLetters(this.producer!, { dead: this.deadLetterTopic, source: this.options.topic }, dead);
  }

  private writeSinks(result: BatchResult, recordBatch?: RecordBatch<T>): Promise<Record<string, number>> {
    return writeSinks(this.options, result, { recordBatch });
  }

  /**
   * Processes until every record that was in the topic when drain() was called is committed.
   * Throws STREAM_TIMEOUT after `timeoutMs` (default 120000).
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.group) {
      await this.group.drain(options);
      return;
    }
    this.check();
    const targets = await this.admin!.fetchTopicOffsets(this.options.topic);
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      await this.exclusive(() => this.trigger());
      if (targets.every((t) => BigInt(this.committed[t.partition] ?? "0") >= BigInt(t.high))) return;
      if (Date.now() > deadline) {
        throw new WorkbookError("STREAM_TIMEOUT", `drain() timed out: committed offsets ${JSON.stringify(this.committed)} have not reached ${JSON.stringify(targets.map((t) => ({ partition: t.partition, high: t.high })))}; is the broker reachable?`);
      }
      await sleep(10);
    }
  }

  /** Marks the end of the input: append-mode queries emit every window still open. */
  async flush(): Promise<void> {
    if (this.group) return this.group.flush();
    await this.exclusive(async () => {
      this.check();
      // A batch prepared ahead belongs before the end of the input.
      while (this.next) await this.trigger();
      const result = this.engine.flush();
      await this.writeSinks(result);
      this.commit();
    });
  }

  /** drain() then flush(): the stream is complete. */
  async finish(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.group) return this.group.finish(options);
    await this.drain(options);
    await this.flush();
  }

  stats(): ProcessorStats {
    if (this.group) return this.group.stats();
    // A batch prepared ahead is not committed yet: report the statistics of the last commit.
    const engine = this.next && this.committedStats !== undefined ? structuredClone(this.committedStats) : this.engine.getStats();
    return { ...engine, deadLetters: this.deadLetters, offsets: { ...this.committed } };
  }

  /** The error that stopped the processor, if one did. */
  get error(): unknown {
    if (this.group) return this.group.error;
    return this.failure;
  }

  /** Stops the trigger (after the batch in progress) and disconnects. Sinks are not closed. */
  async close(): Promise<void> {
    if (this.group) return this.group.close();
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.chain;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** Starts a stream processor (see StreamProcessor). */
export function startProcessor<T>(options: ProcessorOptions<T>): Promise<StreamProcessor<T>> {
  return StreamProcessor.start(options);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

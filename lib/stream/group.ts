/**
 * Group mode of the stream processor, after Kafka Streams: instances started with the same
 * `applicationId` are plain processes that join ONE consumer group named after it, and Kafka's
 * group protocol splits the partitions between them. Nothing here manages a cluster.
 *
 *   input topic ──(repartition step: parse, validate, re-key by repartitionBy)──> <applicationId>-repartition
 *   <applicationId>-repartition partition r ──> task r (its own StreamEngine) ──> sinks
 *                                                 └─ state + offsets ──> <applicationId>-changelog partition r
 *
 * - A task is one partition of the topic the aggregation reads (the repartition topic, or the input
 *   topic itself when no `repartitionBy` is given). Its changelog is partition r of the compacted
 *   topic `<applicationId>-changelog`, written as per-key changes, as Kafka Streams does. A task
 *   COMMITS every `commitIntervalMs` (Kafka Streams' commit.interval.ms; 1 s by default; 0: after
 *   every batch), at the end of a batch or, with no batch coming, from a timer, and at the flush and a
 *   graceful close. Between commits its batches only change its state. A commit writes the rows of
 *   the batches since the last one to the sinks (each window's latest row once: mergeResults), then
 *   one send() of
 *     - a record per state entry changed in the batch: key = JSON [query, window or bucket start,
 *       group key], value = that entry's saved state ([start, end, key, states] for a window,
 *       [start, key, states] for a sliding-window bucket), header `left` = the records after it in
 *       the commit (after compaction, a reader skips the removed rest of a commit with it: kafkajs
 *       alone would step through it one offset per fetch);
 *     - a tombstone (value null) per entry that left state (emitted and forgotten, evicted by the
 *       watermark, cleared at flush) after it had been written;
 *     - then the meta record, key `meta`: format version 2, seq (1, 2, ... per commit) and a random
 *       id (a copy appended twice by a producer retry is recognised and accepted), the next
 *       offset of the task's partition, the next source offset per input partition, dead letters,
 *       flushed, the engine's state apart from its entries (batch number; statistics with the
 *       watermark, the largest event times per input partition) and the number of changes before it;
 *   and only then the group offset is committed. The engine reports what changed since the last
 *   commit (StreamEngine.takeChanges): the cost follows the changes since the last commit, not the
 *   whole state, and an entry changed by several batches in one interval is written once (an
 *   entry changed again after a commit is written again: more, smaller commits write more).
 * - A commit is atomic: kafkajs puts all the messages of one send() for one partition into ONE record
 *   batch of one produce request (sendMessages groups them per partition; the Produce encoder writes
 *   one RecordBatch per partition), and the broker appends a batch whole or not at all. So the log
 *   never holds half a commit, and compaction (which keeps the last value per key) never puts an
 *   uncommitted value in place of a committed one. The topic is created with
 *   max.message.bytes = 64 MiB (CHANGELOG_MAX_MESSAGE_BYTES); a commit larger than the topic's limit
 *   fails with STREAM_FAILED naming its size and the fix. A task killed between commits loses only
 *   its uncommitted batch, which the next owner reads again; killed after the changelog write but
 *   before the offset commit, the next owner takes the offsets from the meta record (not the group
 *   offset) and skips what the changelog already holds: nothing lost, nothing counted twice.
 * - Restoring a task (readChangelog) reads its partition from the low to the high offset with a
 *   consumer of its own (one group join: up to group.initial.rebalance.delay.ms, 3 s by default, on a
 *   real cluster), keeps the last value per key (a tombstone deletes) and loads the state at the last
 *   meta record. It refuses (STREAM_CHECKPOINT_INVALID, fix: a new applicationId) a partition that does
 *   not end with a meta record (a half-written commit, which this processor cannot write), a meta
 *   seq that does not grow (two writers: an instance that lost the partition by missing the session
 *   timeout and wrote anyway; this is detected, not prevented: there is no producer fencing), and a
 *   changelog of the earlier format (version 1: one whole snapshot per batch): it is not converted.
 *   Without compaction a restore reads every commit since the start; compaction leaves about one
 *   record per key.
 * - Records whose aggregation key is not the input key (Netflix: input keyed by date, windows keyed
 *   by movie) go through the repartition topic keyed by the aggregation key, so one task holds every
 *   record of a key and two instances never hold parts of one window. Each repartitioned record
 *   carries its source partition and offset in headers; a task skips a source offset it already
 *   aggregated, so a repartition step replayed after a crash (sent, not yet committed) adds nothing.
 * - Batches are processed inside kafkajs's eachBatch: kafkajs rejoins the group (a rebalance) only
 *   between batches, so a partition is handed over after its last batch was written and committed.
 * - Exactly-once effect: sinks must be idempotent by key (an upsert by window and key, a Kafka
 *   message keyed by window and key). After a crash the new owner replays from the last changelog
 *   commit and rewrites the same final rows. Sinks that number files by batch (parquet, warehouse)
 *   are not exactly-once here: a replay may cut batches differently. The dead-letter topic is
 *   at-least-once across a crash (a replayed step sends its rejected records again; the headers
 *   source-partition and source-offset identify them).
 * - The watermark is per task: the smallest, over the input partitions, of the largest event time
 *   that reached the task from that partition (less the delay). Unlike single-process mode, every
 *   input partition counts from the start (instances often start before the producer): a partition
 *   that never receives data holds the watermark back, and append windows are then emitted at flush.
 */
import { randomUUID } from "node:crypto";
import { ConfigResourceTypes, type Admin, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage, type Message, type Producer } from "kafkajs";
import { StreamEngine, type BatchResult, type DeadRecord, type EngineMeta, type EngineStats, type InputRecord, type WindowRow } from "./engine";
import type { ProcessorOptions, ProcessorStats } from "./processor";
import { batchReport } from "./report";
import { sendDeadLetters, sendInChunks, writeSinks } from "./outputs";
import type { Offsets } from "./checkpoint";
import { WorkbookError } from "../errors";

/**
 * max.message.bytes of the changelog topic this processor creates: one commit (all its change
 * records and its meta record) is ONE record batch, so the topic must accept a batch that large.
 * 64 MiB, below the embedded broker's 100 MiB request limit (Kafka's socket.request.max.bytes).
 */
export const CHANGELOG_MAX_MESSAGE_BYTES = 64 << 20;

/** The key of a task's metadata record in its changelog partition (change keys are JSON arrays: "[...]"). */
export const META_KEY = "meta";

/** The metadata record that closes every commit of a task to its changelog partition. */
export interface TaskMeta {
  version: 2;
  applicationId: string;
  task: number;
  /** 1 for the task's first commit, then one more per commit. */
  seq: number;
  /** Random id of the commit: a copy appended again by a producer retry has the same seq and id. */
  id: string;
  /** Next offset of the task's partition to read. */
  offset: string;
  /** Next offset not yet aggregated, per input partition (repartition mode). */
  sources: Record<number, string>;
  deadLetters: number;
  flushed: boolean;
  /** The engine's state apart from its entries: batch number, statistics (watermark, event times). */
  engine: EngineMeta;
  /** Change records written before it in the same record batch. */
  changes: number;
  committedAt: string;
}

/** A task's state read back from its changelog partition. */
export interface RestoredTask {
  meta: TaskMeta;
  /** The last value of every entry key still in state (tombstoned keys left out). */
  entries: Map<string, string>;
  /** Records and bytes read. */
  records: number;
  bytes: number;
}

/** Bytes a record adds to a record batch, at most (varint lengths, attributes, deltas, no headers). */
function recordBytes(key: string, value: string | null): number {
  return 32 + Buffer.byteLength(key) + (value === null ? 0 : Buffer.byteLength(value));
}

/** Size of a record batch's header (v2, "magic" 2). */
const BATCH_OVERHEAD = 61;

/**
 * Reads partitions of a changelog topic written by commitTask() from their low to their high offset
 * (a consumer of its own, for this read only) and folds them: the last value per key, a tombstone
 * deletes, the last meta record gives the task's offsets and engine metadata. Refused with
 * STREAM_CHECKPOINT_INVALID: a partition that does not end with a meta record (change records with no
 * commit after them: not written by this processor, which sends each commit as one record batch), a
 * meta sequence that does not grow (two writers), a snapshot written by the format before (version 1).
 * Partitions that are empty are left out of the result.
 */
export async function readChangelog(kafka: Kafka, admin: Admin, topic: string, partitions: number[], options: { applicationId: string; idleTimeoutMs?: number }): Promise<Map<number, RestoredTask>> {
  const found = new Map<number, RestoredTask>();
  const ends = await admin.fetchTopicOffsets(topic);
  const want = new Map<number, { low: bigint; high: bigint; meta?: TaskMeta; entries: Map<string, string>; tail: number; records: number; bytes: number }>();
  for (const e of ends) {
    if (partitions.includes(e.partition) && BigInt(e.high) > BigInt(e.low)) want.set(e.partition, { low: BigInt(e.low), high: BigInt(e.high), entries: new Map(), tail: 0, records: 0, bytes: 0 });
  }
  if (want.size === 0) return found;
  const fix = `use a new applicationId (or delete the topics ${topic} and its repartition topic and the consumer group ${JSON.stringify(options.applicationId)})`;
  const consumer = kafka.consumer({ groupId: `${options.applicationId}-restore-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 8 << 20, maxBytes: 64 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const idle = options.idleTimeoutMs ?? 60_000;
      const fail = () => reject(new WorkbookError("STREAM_TIMEOUT", `restoring tasks ${[...want.keys()].join(", ")} from ${topic}: nothing read for ${idle / 1000} s; is the broker reachable?`));
      let timer = setTimeout(fail, idle);
      const finish = (p: number) => {
        const w = want.get(p)!;
        want.delete(p);
        if (!w.meta) return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `${topic} partition ${p} holds ${w.records} record(s) but no commit (meta record); it was not written by this processor: ${fix}.`));
        if (w.tail > 0) {
          return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `${topic} partition ${p} ends with ${w.tail} change record(s) after its last commit (seq ${w.meta.seq}): a half-written commit, which this processor never writes (a commit is one record batch); another program wrote to the changelog: ${fix}.`));
        }
        found.set(p, { meta: w.meta, entries: w.entries, records: w.records, bytes: w.bytes });
        if (want.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            clearTimeout(timer);
            timer = setTimeout(fail, idle);
            const p = batch.partition;
            const w = want.get(p);
            if (!w) return;
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset < w.low || offset >= w.high) continue;
              const key = m.key?.toString() ?? "";
              w.records++;
              w.bytes += key.length + (m.value?.length ?? 0);
              if (key === META_KEY) {
                let meta: TaskMeta;
                try {
                  meta = JSON.parse(m.value?.toString() ?? "") as TaskMeta;
                } catch {
                  return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `the meta record at offset ${m.offset} of ${topic} partition ${p} is not JSON: ${fix}.`));
                }
                if (meta.version !== 2 || meta.task !== p || meta.applicationId !== options.applicationId) {
                  return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `the meta record at offset ${m.offset} of ${topic} partition ${p} is not a commit of task ${p} of ${JSON.stringify(options.applicationId)} (version ${String(meta.version)}, task ${String(meta.task)}): ${fix}.`));
                }
                if (w.meta && meta.seq === w.meta.seq && meta.id === w.meta.id) {
                  // The same commit appended twice (a produce request retried after the broker had
                  // appended it): the same values again, harmless.
                } else if (w.meta && meta.seq <= w.meta.seq) {
                  return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `${topic} partition ${p}: commit seq ${meta.seq} at offset ${m.offset} follows commit seq ${w.meta.seq}; two instances wrote task ${p} at once (one had lost the partition, e.g. after missing the session timeout): its state cannot be trusted: ${fix}.`));
                }
                w.meta = meta;
                w.tail = 0;
              } else if (key.startsWith("[")) {
                if (m.value === null) w.entries.delete(key);
                else w.entries.set(key, m.value.toString());
                w.tail++;
              } else if (header(m.headers, "snapshot") !== undefined || key.startsWith("task-")) {
                return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `${topic} partition ${p} holds whole-state snapshots (changelog format version 1, written by an earlier version of this processor); this version writes and reads per-key changes only: ${fix}.`));
              } else {
                return reject(new WorkbookError("STREAM_CHECKPOINT_INVALID", `${topic} partition ${p} holds a record keyed ${JSON.stringify(key.slice(0, 80))} at offset ${m.offset}, which this processor never writes: ${fix}.`));
              }
            }
            if (BigInt(batch.lastOffset()) >= w.high - 1n) return finish(p);
            // After compaction a commit's record batch may have lost its last records (the meta record
            // and superseded changes). kafkajs then goes on at the next offset after the last record
            // it got and, as the broker answers with that same batch again, advances one offset per
            // fetch through the rest of it. The last record tells where its commit ends: go past it.
            const last = batch.messages.at(-1);
            const left = last ? Number(header(last.headers, "left") ?? "0") : 0;
            if (last && left > 0) consumer.seek({ topic, partition: p, offset: (BigInt(last.offset) + BigInt(left) + 1n).toString() });
          },
        })
        .catch(reject);
      for (const [p, w] of want) consumer.seek({ topic, partition: p, offset: w.low.toString() });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return found;
}

/** What group mode adds to the statistics: the tasks held by this instance and the changelog cost. */
export interface GroupStats {
  applicationId: string;
  /** Partitions (tasks) this instance owns now. */
  tasks: number[];
  /** Partitions of the input topic this instance repartitions now. */
  inputPartitions: number[];
  /**
   * Records this instance read from the input topic and sent on (repartition mode), since it started:
   * its own work, which counts again what a killed instance read but did not commit. The statistics'
   * in/ok/rejected are the committed counts instead.
   */
  repartitioned: { in: number; ok: number; rejected: number };
  /**
   * What this instance wrote to the changelog: commits (one record batch each: the changed entries,
   * tombstones and a meta record), change records (entries and tombstones), bytes (keys and values)
   * and the time spent sending them.
   */
  changelog: { commits: number; records: number; bytes: number; ms: number };
  /**
   * Where this instance's time went, in ms: the repartition step (validate, send on, commit), the
   * engine over the tasks' batches, and the tasks' dead letters and sinks (the changelog is above).
   */
  time: { repartitionMs: number; engineMs: number; sinkMs: number };
  /** Batches this instance processed: input batches it repartitioned, and its tasks' batches (with their records). */
  batches: { input: number; task: number; taskRecords: number };
  /** Tasks restored from the changelog by this instance (after a start or a rebalance). */
  restores: number;
  /** Rebalances (group joins) this instance went through. */
  rebalances: number;
}

/** Records read from an input partition, and how many of them were valid or rejected. */
interface Counts {
  in: number;
  ok: number;
  rejected: number;
}

/** The counts kept in the metadata of an input partition's committed offset (none before the first commit). */
function parseCounts(metadata: string | null | undefined): Counts {
  if (!metadata) return { in: 0, ok: 0, rejected: 0 };
  try {
    const c = JSON.parse(metadata) as Partial<Counts>;
    if ([c.in, c.ok, c.rejected].every((n) => Number.isInteger(n))) return { in: c.in!, ok: c.ok!, rejected: c.rejected! };
  } catch {
    // not ours: fall through
  }
  throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `the committed offset metadata ${JSON.stringify(metadata)} of an input partition is not the processor's counts; another consumer commits in this group: use another applicationId.`);
}

interface Task<T> {
  partition: number;
  engine: StreamEngine<T>;
  /** Results of the batches since the last commit: their rows go to the sinks at the next commit. */
  pending: BatchResult[];
  /** When the task last committed (performance.now()), or was created. */
  committedAt: number;
  /** Sequence number of the task's last commit (0 before the first). */
  seq: number;
  offset: bigint;
  sources: Record<number, string>;
  deadLetters: number;
  flushed: boolean;
}

/**
 * The rows of several batches of one task as one sink write: append-mode rows all, in order;
 * update-mode rows the latest per window and key (where it last appeared); complete mode the last
 * batch's rows (each batch emits the whole table). Undefined when there is nothing.
 */
export function mergeResults(results: BatchResult[], queries: { name: string; mode: string }[]): BatchResult | undefined {
  if (results.length <= 1) return results[0];
  const last = results[results.length - 1];
  const outputs: Record<string, WindowRow[]> = {};
  for (const q of queries) {
    const all = results.map((r) => r.outputs[q.name] ?? []);
    if (q.mode === "append") outputs[q.name] = all.flat();
    else if (q.mode === "complete") outputs[q.name] = all[all.length - 1];
    else {
      const latest = new Map<string, WindowRow>();
      for (const rows of all) {
        for (const row of rows) {
          const id = `${row.windowStart}|${row.windowEnd}|${typeof row.key}|${row.key}`;
          latest.delete(id); // so it takes the place of its last appearance
          latest.set(id, row);
        }
      }
      outputs[q.name] = [...latest.values()];
    }
  }
  const sum = (f: (c: BatchResult["counts"]) => number) => results.reduce((a, r) => a + f(r.counts), 0);
  return {
    batchId: last.batchId,
    watermarkBefore: results[0].watermarkBefore,
    watermarkAfter: last.watermarkAfter,
    outputs,
    dead: results.flatMap((r) => r.dead),
    counts: { in: sum((c) => c.in), ok: sum((c) => c.ok), rejected: sum((c) => c.rejected), late: sum((c) => c.late) },
    ...(results.some((r) => r.valid) ? { valid: results.flatMap((r) => r.valid ?? []) } : {}),
  };
}

/** Kafka Streams' topic names: `<applicationId>-repartition`, `<applicationId>-changelog`. */
export function groupTopics(applicationId: string): { repartition: string; changelog: string } {
  return { repartition: `${applicationId}-repartition`, changelog: `${applicationId}-changelog` };
}

/** The partition of a repartitioned key: a stable hash (FNV-1a) of its text, modulo the partitions. */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** kafkajs errors after which it rejoins the group itself (runner.js); the instance goes on. */
function isMembershipError(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === "REBALANCE_IN_PROGRESS" || type === "NOT_COORDINATOR_FOR_GROUP" || type === "ILLEGAL_GENERATION" || type === "UNKNOWN_MEMBER_ID";
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? String(v[0]) : String(v);
}

export class GroupRunner<T> {
  private readonly options: ProcessorOptions<T>;
  private readonly applicationId: string;
  private readonly topics: { input: string; repartition?: string; changelog: string; dead: string };
  /** The topic tasks read: the repartition topic, or the input topic. */
  private readonly taskTopic: string;
  private readonly validator: StreamEngine<T>;
  private admin?: Admin;
  private producer?: Producer;
  private consumer?: Consumer;
  private partitions = 0;
  /** max.message.bytes of the changelog topic: the largest commit it accepts. */
  private changelogMaxBytes = CHANGELOG_MAX_MESSAGE_BYTES;
  private inputPartitions: number[] = [];
  private assignment = new Map<string, Set<number>>();
  private tasks = new Map<number, Task<T>>();
  private chain: Promise<unknown> = Promise.resolve();
  private failure?: unknown;
  private closed = false;
  private readonly gstats: Omit<GroupStats, "tasks" | "inputPartitions" | "applicationId"> = {
    repartitioned: { in: 0, ok: 0, rejected: 0 },
    changelog: { commits: 0, records: 0, bytes: 0, ms: 0 },
    time: { repartitionMs: 0, engineMs: 0, sinkMs: 0 },
    batches: { input: 0, task: 0, taskRecords: 0 },
    restores: 0,
    rebalances: 0,
  };
  private repartitionDeadLetters = 0;
  private readonly commitIntervalMs: number;
  /** Commits the tasks whose interval has passed while no batch came (see commitIntervalMs). */
  private commitTimer?: NodeJS.Timeout;
  /**
   * Repartition mode: records read, valid and rejected from the start of each input partition this
   * instance owns, as committed with that partition's offset (in the commit's metadata), so an
   * instance that takes a partition over carries on from the committed counts and the counts summed
   * over the instances reconcile with the input, also after an instance was killed.
   */
  private inputCounts = new Map<number, Counts>();

  constructor(options: ProcessorOptions<T>) {
    const id = options.applicationId!;
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new WorkbookError("STREAM_OPTIONS_INVALID", `applicationId ${JSON.stringify(id)} must use only letters, digits, ".", "_" and "-" (it names the consumer group and the topics); pick another.`);
    if (options.partitions !== undefined && !(Number.isInteger(options.partitions) && options.partitions >= 1)) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", `partitions=${options.partitions} must be a whole number, 1 or more.`);
    }
    this.options = options;
    this.applicationId = id;
    const names = groupTopics(id);
    this.topics = {
      input: options.topic,
      repartition: options.repartitionBy ? names.repartition : undefined,
      changelog: names.changelog,
      dead: options.deadLetterTopic ?? `${options.topic}.dead-letter`,
    };
    this.taskTopic = this.topics.repartition ?? options.topic;
    this.validator = new StreamEngine(options);
    this.commitIntervalMs = options.commitIntervalMs ?? 1000;
    if (!(Number.isFinite(this.commitIntervalMs) && this.commitIntervalMs >= 0)) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", `commitIntervalMs=${options.commitIntervalMs} must be 0 (commit after every batch) or more ms, e.g. 1000.`);
    }
  }

  async open(): Promise<void> {
    const { kafka } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const create: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[] = [];
    for (const t of [this.topics.input, this.topics.dead]) if (!existing.has(t)) create.push({ topic: t });
    if (create.length > 0) await this.admin.createTopics({ topics: create, waitForLeaders: true });
    const input = await this.admin.fetchTopicOffsets(this.topics.input);
    // Every input partition holds the watermark back until its first record reaches a task (as Kafka
    // Streams waits for data on every partition): instances often start before the producer.
    this.inputPartitions = input.map((p) => p.partition);
    const wanted = this.options.partitions ?? input.length;
    const internal: typeof create = [];
    if (this.topics.repartition && !existing.has(this.topics.repartition)) internal.push({ topic: this.topics.repartition, numPartitions: wanted });
    if (!existing.has(this.topics.changelog)) internal.push({ topic: this.topics.changelog, numPartitions: wanted, configEntries: [
          { name: "cleanup.policy", value: "compact" },
          { name: "max.message.bytes", value: String(CHANGELOG_MAX_MESSAGE_BYTES) },
        ],
      });
    if (internal.length > 0) {
      // Another instance may create them at the same moment: that is fine.
      await this.admin.createTopics({ topics: internal, waitForLeaders: true }).catch(() => undefined);
    }
    const tasks = (await this.admin.fetchTopicOffsets(this.taskTopic)).length;
    const changelog = (await this.admin.fetchTopicOffsets(this.topics.changelog)).length;
    if (changelog !== tasks) {
      throw new WorkbookError("STREAM_OPTIONS_INVALID", `the changelog topic ${this.topics.changelog} has ${changelog} partitions but ${this.taskTopic} has ${tasks}; they must match: delete the application's topics or use another applicationId.`);
    }
    this.partitions = tasks;
    // A changelog created by someone else (or an earlier version) may take smaller commits.
    const described = await this.admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: this.topics.changelog, configNames: ["max.message.bytes"] }], includeSynonyms: false });
    const max = Number(described.resources[0]?.configEntries.find((c) => c.configName === "max.message.bytes")?.configValue);
    if (Number.isFinite(max) && max > 0) this.changelogMaxBytes = max;

    this.producer = kafka.producer();
    await this.producer.connect();
    this.consumer = kafka.consumer({
      groupId: this.applicationId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 4)),
      rebalanceTimeout: 60_000,
      maxWaitTimeInMs: 200,
      maxBytesPerPartition: 1 << 20,
      maxBytes: 32 << 20,
    });
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      const assigned = new Map<string, Set<number>>();
      for (const [topic, parts] of Object.entries(e.payload.memberAssignment)) assigned.set(topic, new Set(parts));
      this.assignment = assigned;
      this.gstats.rebalances++;
      const own = assigned.get(this.taskTopic) ?? new Set<number>();
      // A task handed to another instance is dropped: if it comes back, it is restored from the changelog.
      for (const p of [...this.tasks.keys()]) if (!own.has(p)) this.tasks.delete(p);
      const inputs = assigned.get(this.topics.input) ?? new Set<number>();
      for (const p of [...this.inputCounts.keys()]) if (!inputs.has(p)) this.inputCounts.delete(p);
      this.options.onAssign?.({ tasks: [...own].sort((a, b) => a - b), inputPartitions: this.topics.repartition ? [...(assigned.get(this.topics.input) ?? [])].sort((a, b) => a - b) : [] });
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!this.failure) this.failure = e.payload.error;
    });
    for (const topic of this.topics.repartition ? [this.topics.input, this.topics.repartition] : [this.topics.input]) {
      await this.consumer.subscribe({ topic, fromBeginning: true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatch: (payload) =>
        this.exclusive(() => this.onBatch(payload)).catch((err: unknown) => {
          if (isMembershipError(err)) {
            this.forgetUncommitted();
          } else if (!this.failure) this.failure = err;
          throw err;
        }),
    });
    if (this.commitIntervalMs > 0) {
      this.commitTimer = setInterval(() => {
        void this.exclusive(() => this.commitDue()).catch((err: unknown) => {
          if (isMembershipError(err)) this.forgetUncommitted();
          else if (!this.failure) this.failure = err;
        });
      }, Math.max(10, Math.floor(this.commitIntervalMs / 4)));
      this.commitTimer.unref();
    }
  }

  /**
   * After a membership error (a rebalance, or this member was dropped after a long batch): what this
   * instance processed since its last commit is not committed. Forget every task; the next owner
   * (perhaps this instance) restores them from the changelog and reads the rest again. kafkajs rejoins.
   */
  private forgetUncommitted(): void {
    this.tasks.clear();
    this.inputCounts.clear();
  }

  /** Commits every task with uncommitted batches whose commit interval has passed (all of them with `all`). */
  private async commitDue(all = false): Promise<void> {
    if (this.closed && !all) return;
    for (const task of [...this.tasks.values()]) {
      if (task.pending.length === 0 || !this.owns(this.taskTopic, task.partition)) continue;
      if (all || performance.now() - task.committedAt >= this.commitIntervalMs) await this.commitPending(task);
    }
  }

  /** Commits every task this instance owns that has uncommitted batches and has read its partition up to `ends`. */
  private async commitCaughtUp(ends: { partition: number; high: string }[]): Promise<void> {
    for (const { partition, high } of ends) {
      const task = this.tasks.get(partition);
      if (task && task.pending.length > 0 && this.owns(this.taskTopic, partition) && task.offset >= BigInt(high)) await this.commitPending(task);
    }
  }

  /** Writes the rows of the task's uncommitted batches to the sinks, then commits it. Returns the rows written per query. */
  private async commitPending(task: Task<T>): Promise<Record<string, number>> {
    const began = performance.now();
    const merged = mergeResults(task.pending, this.options.queries);
    task.pending = [];
    const rowsWritten = merged ? await this.writeSinks(task, merged) : {};
    this.gstats.time.sinkMs += performance.now() - began;
    await this.commitTask(task);
    return rowsWritten;
  }

  private exclusive<V>(fn: () => Promise<V>): Promise<V> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private owns(topic: string, partition: number): boolean {
    return this.assignment.get(topic)?.has(partition) ?? false;
  }

  check(): void {
    if (this.failure) throw new WorkbookError("STREAM_FAILED", `the stream processor ${JSON.stringify(this.applicationId)} on topic ${JSON.stringify(this.topics.input)} stopped: ${this.failure instanceof Error ? this.failure.message : String(this.failure)}`, { cause: this.failure });
    if (this.closed) throw new WorkbookError("STREAM_CLOSED", "the stream processor is closed; start a new one with the same applicationId to resume.");
  }

  get error(): unknown {
    return this.failure;
  }

  private async onBatch({ batch, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.closed || !isRunning() || isStale()) return;
    if (!this.owns(batch.topic, batch.partition) || batch.messages.length === 0) return;
    // Heartbeats between the steps of a long batch keep this member in the group (a rebalance
    // announced by one throws a membership error: handled in the eachBatch wrapper).
    if (this.topics.repartition && batch.topic === this.topics.input) await this.repartition(batch.partition, batch.messages, heartbeat);
    else await this.taskBatch(batch.partition, batch.messages, heartbeat);
  }

  /** The repartition step: validate, send valid records keyed by the aggregation key, rejected ones to dead letters, commit. */
  private async repartition(partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const began = performance.now();
    const out: Message[] = [];
    const dead: DeadRecord[] = [];
    const by = this.options.repartitionBy!;
    for (const m of messages) {
      const record: InputRecord = { partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp };
      const v = this.validator.validate(record);
      if (!v.ok) {
        dead.push({ record, kind: "rejected", reason: v.reason });
        continue;
      }
      const key = String(by(v.value));
      out.push({ key, value: m.value, partition: partitionFor(key, this.partitions), timestamp: m.timestamp, headers: { "source-partition": String(partition), "source-offset": m.offset } });
    }
    await heartbeat();
    await sendInChunks(this.producer!, this.topics.repartition!, out, -1);
    await this.sendDeadLetters(dead);
    await heartbeat();
    this.repartitionDeadLetters += dead.length;
    const next = (BigInt(messages[messages.length - 1].offset) + 1n).toString();
    const before = (await this.committedCounts([partition])).get(partition)!;
    const counts: Counts = { in: before.in + messages.length, ok: before.ok + out.length, rejected: before.rejected + dead.length };
    await this.consumer!.commitOffsets([{ topic: this.topics.input, partition, offset: next, metadata: JSON.stringify(counts) }]);
    this.inputCounts.set(partition, counts);
    this.gstats.repartitioned.in += messages.length;
    this.gstats.repartitioned.ok += out.length;
    this.gstats.repartitioned.rejected += dead.length;
    this.gstats.time.repartitionMs += performance.now() - began;
    this.gstats.batches.input++;
  }

  private async taskBatch(partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void> = async () => undefined): Promise<void> {
    const began = performance.now();
    const task = await this.task(partition);
    const records: InputRecord[] = [];
    let advanced = false;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset < task.offset) continue;
      task.offset = offset + 1n;
      advanced = true;
      if (this.topics.repartition) {
        const sp = Number(header(m.headers, "source-partition"));
        const so = header(m.headers, "source-offset");
        if (!Number.isInteger(sp) || so === undefined) throw new WorkbookError("STREAM_FAILED", `record ${m.offset} of ${this.taskTopic} partition ${partition} has no source-partition/source-offset headers; only this processor may write to its repartition topic.`);
        const seen = task.sources[sp];
        if (seen !== undefined && BigInt(so) < BigInt(seen)) continue; // sent again by a replayed repartition step
        task.sources[sp] = (BigInt(so) + 1n).toString();
        records.push({ partition: sp, offset: so, key: m.key, value: m.value, timestamp: m.timestamp });
      } else {
        records.push({ partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp });
      }
    }
    if (!advanced) return;
    const engineBegan = performance.now();
    const result = task.engine.process(records);
    const sinkBegan = performance.now();
    this.gstats.time.engineMs += sinkBegan - engineBegan;
    this.gstats.batches.task++;
    this.gstats.batches.taskRecords += records.length;
    await heartbeat();
    await this.sendDeadLetters(result.dead);
    task.deadLetters += result.dead.length;
    task.pending.push(result);
    this.gstats.time.sinkMs += performance.now() - sinkBegan;
    let rowsWritten: Record<string, number> = {};
    if (performance.now() - task.committedAt >= this.commitIntervalMs) {
      await heartbeat();
      rowsWritten = await this.commitPending(task);
    }
    this.options.onBatch?.(batchReport(result, { task: partition, records: records.length, rowsWritten, began, replayed: false }));
  }

  private newTask(partition: number): Task<T> {
    const engine = new StreamEngine(this.options);
    engine.expectPartitions(this.topics.repartition ? this.inputPartitions : [partition]);
    engine.trackChanges();
    return { partition, engine, pending: [], committedAt: performance.now(), seq: 0, offset: 0n, sources: {}, deadLetters: 0, flushed: false };
  }

  /** The task of a partition this instance owns, restored from the changelog on first use. */
  private async task(partition: number): Promise<Task<T>> {
    const held = this.tasks.get(partition);
    if (held) return held;
    const own = [...(this.assignment.get(this.taskTopic) ?? [])].filter((p) => !this.tasks.has(p));
    if (!own.includes(partition)) own.push(partition);
    const restored = await readChangelog(this.options.kafka, this.admin!, this.topics.changelog, own, { applicationId: this.applicationId });
    for (const p of own) {
      const task = this.newTask(p);
      const r = restored.get(p);
      if (r) {
        task.engine.restoreChanges(r.meta.engine, r.entries);
        task.seq = r.meta.seq;
        task.offset = BigInt(r.meta.offset);
        task.sources = { ...r.meta.sources };
        task.deadLetters = r.meta.deadLetters;
        task.flushed = r.meta.flushed;
        this.gstats.restores++;
      }
      this.tasks.set(p, task);
    }
    return this.tasks.get(partition)!;
  }

  /**
   * Writes what changed in the task's state since its last commit to its changelog partition, then
   * commits the group offset. The changed entries, tombstones for entries that left state, and the
   * meta record go in ONE send() to one partition: kafkajs puts a send's messages for one partition
   * in one record batch of one produce request, which the broker appends whole or not at all.
   */
  private async commitTask(task: Task<T>): Promise<void> {
    const began = performance.now();
    const changes = task.engine.takeChanges();
    const meta: TaskMeta = {
      version: 2,
      applicationId: this.applicationId,
      task: task.partition,
      seq: task.seq + 1,
      id: randomUUID(),
      offset: task.offset.toString(),
      sources: task.sources,
      deadLetters: task.deadLetters,
      flushed: task.flushed,
      engine: task.engine.meta(),
      changes: changes.length,
      committedAt: new Date().toISOString(),
    };
    const metaText = JSON.stringify(meta);
    const messages: Message[] = [];
    let bytes = Buffer.byteLength(META_KEY) + Buffer.byteLength(metaText);
    let batchBytes = BATCH_OVERHEAD + recordBytes(META_KEY, metaText);
    changes.forEach((c, i) => {
      // Header "left": records after this one in the commit, so a reader knows where the commit ends.
      const left = String(changes.length - i);
      messages.push({ partition: task.partition, key: c.key, value: c.value, headers: { left } });
      bytes += Buffer.byteLength(c.key) + (c.value === null ? 0 : Buffer.byteLength(c.value));
      batchBytes += recordBytes(c.key, c.value) + 6 + left.length;
    });
    messages.push({ partition: task.partition, key: META_KEY, value: metaText });
    if (batchBytes > this.changelogMaxBytes) {
      throw new WorkbookError(
        "STREAM_FAILED",
        `the changes of one batch of task ${task.partition} (${changes.length} entries, about ${batchBytes} bytes) exceed max.message.bytes=${this.changelogMaxBytes} of ${this.topics.changelog}, and a commit must be one record batch: raise the topic's max.message.bytes (up to the broker's request limit; this processor creates it with ${CHANGELOG_MAX_MESSAGE_BYTES}), or use more partitions so each task holds less state.`,
      );
    }
    await this.producer!.send({ topic: this.topics.changelog, acks: -1, messages });
    task.seq = meta.seq;
    task.committedAt = performance.now();
    this.gstats.changelog.commits++;
    this.gstats.changelog.records += changes.length;
    this.gstats.changelog.bytes += bytes;
    this.gstats.changelog.ms += performance.now() - began;
    await this.consumer!.commitOffsets([{ topic: this.taskTopic, partition: task.partition, offset: task.offset.toString(), metadata: task.flushed ? "flushed" : null }]);
  }

  private sendDeadLetters(dead: DeadRecord[]): Promise<number> {
    return sendDeadLetters(this.producer!, { dead: this.topics.dead, source: this.topics.input }, dead);
  }

  private writeSinks(task: Task<T>, result: BatchResult): Promise<Record<string, number>> {
    return writeSinks(this.options, result, { task: task.partition });
  }

  /**
   * The committed counts of input partitions, read from the group's committed offsets for those
   * this instance does not hold yet (a partition it just took over, or has not read since it started).
   */
  private async committedCounts(partitions: number[]): Promise<Map<number, Counts>> {
    const missing = partitions.filter((p) => !this.inputCounts.has(p));
    if (missing.length > 0) {
      const committed = await this.groupOffsets(this.topics.input);
      for (const p of missing) this.inputCounts.set(p, parseCounts(committed.find((c) => c.partition === p)?.metadata));
    }
    return new Map(partitions.map((p) => [p, this.inputCounts.get(p)!]));
  }

  /** Committed group offsets (and metadata) of a topic. */
  private async groupOffsets(topic: string): Promise<{ partition: number; offset: string; metadata: string | null }[]> {
    const res = await this.admin!.fetchOffsets({ groupId: this.applicationId, topics: [topic] });
    return res.find((r) => r.topic === topic)?.partitions ?? [];
  }

  private async waitFor(what: string, deadline: number, ready: () => Promise<boolean>): Promise<void> {
    for (;;) {
      this.check();
      if (await ready()) return;
      if (Date.now() > deadline) throw new WorkbookError("STREAM_TIMEOUT", `timed out waiting until ${what}; are the other instances of ${JSON.stringify(this.applicationId)} running and the broker reachable?`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async reached(topic: string, targets: { partition: number; high: string }[]): Promise<boolean> {
    const committed = new Map((await this.groupOffsets(topic)).map((p) => [p.partition, BigInt(p.offset)]));
    return targets.every((t) => BigInt(t.high) === 0n || (committed.get(t.partition) ?? -1n) >= BigInt(t.high));
  }

  /**
   * Waits until the whole group has processed every record that was in the input topic when drain()
   * was called (repartitioned, then aggregated), whichever instance owned each partition.
   * Returns the task topic's end offsets it waited for.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<{ partition: number; high: string }[]> {
    this.check();
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const inputEnd = await this.admin!.fetchTopicOffsets(this.topics.input);
    if (this.topics.repartition) await this.waitFor(`every record of ${this.topics.input} is repartitioned`, deadline, () => this.reached(this.topics.input, inputEnd));
    const taskEnd = this.topics.repartition ? await this.admin!.fetchTopicOffsets(this.taskTopic) : inputEnd;
    await this.waitFor(`every record of ${this.taskTopic} is aggregated`, deadline, async () => {
      // A task that has read up to the end commits now, not at the end of its commit interval: no
      // more records are coming for it, and the caller is waiting.
      await this.exclusive(() => this.commitCaughtUp(taskEnd)).catch((err: unknown) => {
        if (!isMembershipError(err)) throw err;
        this.forgetUncommitted();
      });
      return this.reached(this.taskTopic, taskEnd);
    });
    if (this.topics.repartition) {
      // The counts of input partitions this instance owns but has not read since it took them over.
      await this.exclusive(() => this.committedCounts([...(this.assignment.get(this.topics.input) ?? [])]));
    }
    return taskEnd;
  }

  /** Marks the end of the input for the tasks this instance owns: append-mode queries emit every open window. */
  async flush(): Promise<void> {
    await this.exclusive(async () => {
      this.check();
      for (const p of [...(this.assignment.get(this.taskTopic) ?? [])]) await this.flushTask(p);
    });
  }

  private async flushTask(partition: number): Promise<void> {
    if (!this.owns(this.taskTopic, partition)) return;
    const task = await this.task(partition);
    if (task.flushed) return;
    task.pending.push(task.engine.flush());
    task.flushed = true;
    await this.commitPending(task);
  }

  /**
   * drain(), then every task is flushed by its owner: this instance flushes the tasks it owns and
   * waits until the group's committed offsets mark every task flushed (so an instance may exit
   * without leaving a task unflushed).
   */
  async finish(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const taskEnd = await this.drain(options);
    await this.waitFor(`every task of ${this.applicationId} is flushed`, deadline, async () => {
      try {
        await this.exclusive(async () => {
          for (const t of taskEnd) {
            if (!this.owns(this.taskTopic, t.partition)) continue;
            const task = await this.task(t.partition);
            if (task.offset >= BigInt(t.high)) await this.flushTask(t.partition);
          }
        });
      } catch (err) {
        if (!isMembershipError(err)) throw err;
        this.tasks.clear(); // a rebalance: the owners (after it) flush, from the changelog
      }
      const committed = await this.groupOffsets(this.taskTopic);
      return taskEnd.every((t) => committed.find((c) => c.partition === t.partition)?.metadata === "flushed");
    });
  }

  stats(): ProcessorStats & { group: GroupStats } {
    const tasks = [...this.tasks.values()].filter((t) => this.owns(this.taskTopic, t.partition));
    const all = tasks.map((t) => t.engine.getStats());
    const sum = (f: (s: EngineStats) => number) => all.reduce((a, s) => a + f(s), 0);
    const perQuery = (f: (s: EngineStats) => Record<string, number>) => {
      const out: Record<string, number> = {};
      for (const q of this.options.queries) out[q.name] = all.reduce((a, s) => a + (f(s)[q.name] ?? 0), 0);
      return out;
    };
    const marks = all.map((s) => s.watermark).filter((w): w is number => w !== null);
    const times = all.map((s) => s.maxEventTime).filter((w): w is number => w !== null);
    const offsets: Offsets = {};
    for (const t of tasks) offsets[t.partition] = t.offset.toString();
    const repart = this.topics.repartition !== undefined;
    const inputs = [...(this.assignment.get(this.topics.input) ?? [])].map((p) => this.inputCounts.get(p)).filter((c): c is Counts => c !== undefined);
    const counted = (f: (c: Counts) => number) => inputs.reduce((a, c) => a + f(c), 0);
    return {
      batches: sum((s) => s.batches),
      in: repart ? counted((c) => c.in) : sum((s) => s.in),
      ok: repart ? counted((c) => c.ok) : sum((s) => s.ok),
      rejected: repart ? counted((c) => c.rejected) : sum((s) => s.rejected),
      late: perQuery((s) => s.late),
      emitted: perQuery((s) => s.emitted),
      watermark: marks.length > 0 ? Math.min(...marks) : null,
      maxEventTime: times.length > 0 ? Math.max(...times) : null,
      maxByPartition: {},
      flushed: tasks.length > 0 && tasks.every((t) => t.flushed),
      deadLetters: this.repartitionDeadLetters + tasks.reduce((a, t) => a + t.deadLetters, 0),
      offsets,
      group: {
        applicationId: this.applicationId,
        tasks: tasks.map((t) => t.partition).sort((a, b) => a - b),
        inputPartitions: repart ? [...(this.assignment.get(this.topics.input) ?? [])].sort((a, b) => a - b) : [],
        ...structuredClone(this.gstats),
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.commitTimer) clearInterval(this.commitTimer);
    // A graceful close commits what is pending (as Kafka Streams does), so the next owner need not read it again.
    if (!this.failure) await this.exclusive(() => this.commitDue(true)).catch(() => undefined);
    await this.chain;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

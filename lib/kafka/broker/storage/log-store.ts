/**
 * All topics of the broker on disk: `<dataDir>/topics.json` lists topics with their partition
 * count and configs, `<dataDir>/topics/<topic>-<partition>/` holds each partition log.
 * Produce validation (CRC, size, idempotent sequences, keys in compacted topics) happens here, per
 * partition. Topics with cleanup.policy=compact are cleaned (log compaction, see
 * PartitionLog.clean) by the broker's cleaner timer and by `LogStore.compactTopic`; time and size
 * retention apply only to topics whose policy includes "delete".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WorkbookError } from "../../../errors";
import { ErrorCode } from "../protocol/error-codes";
import { CleanResult, DEFAULT_LOG_OPTIONS, LogOptions, PartitionLog } from "./partition-log";
import { ProducerStates } from "./producer-state";
import { BatchHeader, batchRecords, checkBatch, CONTROL_FLAG, LOG_OVERHEAD, readBatchHeader, stampLogAppendTime } from "../protocol/record-batch";

/** Topic configs this broker understands (names as in Kafka). */
export interface TopicConfig {
  "retention.ms"?: string;
  "retention.bytes"?: string;
  "segment.bytes"?: string;
  "max.message.bytes"?: string;
  "message.timestamp.type"?: string;
  "cleanup.policy"?: string;
  "delete.retention.ms"?: string;
  "min.cleanable.dirty.ratio"?: string;
  "segment.ms"?: string;
}

export const KNOWN_TOPIC_CONFIGS = [
  "retention.ms",
  "retention.bytes",
  "segment.bytes",
  "segment.ms",
  "max.message.bytes",
  "message.timestamp.type",
  "cleanup.policy",
  "delete.retention.ms",
  "min.cleanable.dirty.ratio",
];

/** Kafka's defaults: tombstones kept one day, a log cleaned once half of it is dirty. */
export const DEFAULT_DELETE_RETENTION_MS = 24 * 3600 * 1000;
export const DEFAULT_MIN_CLEANABLE_DIRTY_RATIO = 0.5;

/** Why a topic config value is refused (INVALID_CONFIG), or null when it is acceptable. */
export function invalidTopicConfig(key: string, value: string): string | null {
  if (!KNOWN_TOPIC_CONFIGS.includes(key)) return null; // accepted and ignored, as unknown configs on a dev broker
  if (key === "message.timestamp.type") return null;
  if (key === "cleanup.policy") {
    const parts = value.split(",").map((v) => v.trim());
    return parts.length > 0 && parts.every((v) => v === "compact" || v === "delete") ? null : `cleanup.policy ${JSON.stringify(value)}: expected "delete", "compact" or "compact,delete"`;
  }
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) return `${key} ${JSON.stringify(value)} is not a number`;
  if (key === "min.cleanable.dirty.ratio" && (n < 0 || n > 1)) return `min.cleanable.dirty.ratio ${value} is not between 0 and 1`;
  if ((key === "delete.retention.ms" || key === "segment.ms") && n < 0) return `${key} ${value} is negative`;
  return null;
}

export interface ProduceResult {
  error: number;
  baseOffset: number;
  logAppendTime: number;
  /** Produce v8+: the records at fault and why (INVALID_RECORD). */
  recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  errorMessage?: string | null;
}

export class Partition {
  readonly producers = new ProducerStates();
  private listeners = new Set<() => void>();

  constructor(readonly topic: Topic, readonly index: number, readonly log: PartitionLog) {
    for (const h of log.recoveredProducerBatches) this.producers.record(h, h.baseOffset);
    log.recoveredProducerBatches = [];
  }

  /** Validates and appends the record batches of one produce request partition. */
  produce(records: Buffer, now: number): ProduceResult {
    const fail = (error: number, errorMessage: string | null = null, recordErrors: ProduceResult["recordErrors"] = []): ProduceResult => ({ error, baseOffset: -1, logAppendTime: -1, errorMessage, recordErrors });
    const maxBytes = this.topic.maxMessageBytes;
    const headers: BatchHeader[] = [];
    for (let at = 0; at < records.length; ) {
      if (records.length - at >= LOG_OVERHEAD && LOG_OVERHEAD + records.readInt32BE(at + 8) > maxBytes) return fail(ErrorCode.MESSAGE_TOO_LARGE);
      const problem = checkBatch(records, at, records.length);
      if (problem === "corrupt") return fail(ErrorCode.CORRUPT_MESSAGE);
      if (problem === "format") return fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
      const h = readBatchHeader(records, at);
      // A compacted topic keeps the latest record per key: a record without a key is refused, as
      // Kafka does (INVALID_RECORD, with the record's index in its batch). Batches in a codec the
      // broker cannot read (snappy, lz4, zstd) are not checked.
      if (this.topic.compact && (h.attributes & CONTROL_FLAG) === 0) {
        const recs = batchRecords(records, at);
        const keyless = recs ? recs.findIndex((r) => r.key === null) : -1;
        if (keyless >= 0) {
          const message = `topic ${this.topic.name} has cleanup.policy=compact, so every record needs a key; record ${keyless} of the batch has none`;
          return fail(ErrorCode.INVALID_RECORD, message, [{ batchIndex: keyless, batchIndexErrorMessage: message }]);
        }
      }
      headers.push(h);
      at += h.size;
    }
    if (headers.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE);
    const check = this.producers.check(headers[0]);
    if (check.kind === "error") return fail(check.code);
    if (check.kind === "duplicate") return { error: ErrorCode.NONE, baseOffset: check.baseOffset, logAppendTime: -1 };
    for (let i = 1; i < headers.length; i++) {
      if (headers[i].producerId >= 0) return fail(ErrorCode.INVALID_REQUEST); // one idempotent batch per partition
    }
    const logAppendTime = this.topic.logAppendTime ? now : -1;
    if (this.topic.logAppendTime) {
      for (let at = 0; at < records.length; at += LOG_OVERHEAD + records.readInt32BE(at + 8)) stampLogAppendTime(records, at, now);
    }
    const bases = this.log.append(records);
    this.producers.record(headers[0], bases[0]);
    for (const wake of this.listeners) wake();
    return { error: ErrorCode.NONE, baseOffset: bases[0], logAppendTime };
  }

  /** Compacts this partition's log now (see PartitionLog.clean). */
  clean(now = Date.now()): CleanResult {
    return this.log.clean({
      now,
      deleteRetentionMs: this.topic.deleteRetentionMs,
      isLastOfProducer: (producerId, lastOffset) => this.producers.lastOffset(producerId) === lastOffset,
    });
  }

  /** Calls `wake` after every append until the returned function is called. */
  onAppend(wake: () => void): () => void {
    this.listeners.add(wake);
    return () => this.listeners.delete(wake);
  }
}

export class Topic {
  readonly partitions: Partition[] = [];
  constructor(readonly name: string, readonly configs: Record<string, string>) {}

  get logAppendTime(): boolean {
    return this.configs["message.timestamp.type"] === "LogAppendTime";
  }
  get maxMessageBytes(): number {
    return Number(this.configs["max.message.bytes"] ?? this.defaultMaxMessageBytes);
  }
  private get policies(): string[] {
    return (this.configs["cleanup.policy"] ?? "delete").split(",").map((v) => v.trim());
  }
  /** cleanup.policy includes "compact": the log cleaner keeps the latest record per key. */
  get compact(): boolean {
    return this.policies.includes("compact");
  }
  /** cleanup.policy includes "delete": retention.ms and retention.bytes apply. */
  get deleteRetention(): boolean {
    return this.policies.includes("delete");
  }
  get deleteRetentionMs(): number {
    return Number(this.configs["delete.retention.ms"] ?? this.defaultDeleteRetentionMs);
  }
  get minCleanableDirtyRatio(): number {
    return Number(this.configs["min.cleanable.dirty.ratio"] ?? this.defaultMinCleanableDirtyRatio);
  }
  defaultMaxMessageBytes = 1048588;
  defaultDeleteRetentionMs = DEFAULT_DELETE_RETENTION_MS;
  defaultMinCleanableDirtyRatio = DEFAULT_MIN_CLEANABLE_DIRTY_RATIO;
}

export interface StoreOptions {
  log: LogOptions;
  maxMessageBytes: number;
  /** Topic defaults for delete.retention.ms and min.cleanable.dirty.ratio (Kafka's when absent). */
  deleteRetentionMs?: number;
  minCleanableDirtyRatio?: number;
}

/** What compacting a topic did, partition by partition (PartitionLog.clean's results). */
export interface TopicCompaction {
  topic: string;
  partitions: (CleanResult & { partition: number })[];
  bytesBefore: number;
  bytesAfter: number;
  durationMs: number;
}

interface TopicsFile {
  topics: Record<string, { partitions: number; configs: Record<string, string> }>;
}

/** Kafka's rule: 1-249 characters of ASCII letters, digits, '.', '_' and '-', and not "." or "..". */
export function validTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== "." && name !== "..";
}

export class LogStore {
  private topics = new Map<string, Topic>();
  private constructor(readonly dataDir: string, readonly options: StoreOptions) {}

  static open(dataDir: string, options: StoreOptions): LogStore {
    const store = new LogStore(dataDir, options);
    fs.mkdirSync(path.join(dataDir, "topics"), { recursive: true });
    const file = path.join(dataDir, "topics.json");
    if (fs.existsSync(file)) {
      const meta = JSON.parse(fs.readFileSync(file, "utf8")) as TopicsFile;
      for (const [name, t] of Object.entries(meta.topics)) store.openTopic(name, t.partitions, t.configs);
    }
    return store;
  }

  private logOptions(configs: Record<string, string>): LogOptions {
    const num = (key: string, fallback: number) => (configs[key] !== undefined ? Number(configs[key]) : fallback);
    const base = this.options.log ?? DEFAULT_LOG_OPTIONS;
    return {
      ...base,
      segmentBytes: num("segment.bytes", base.segmentBytes),
      retentionMs: num("retention.ms", base.retentionMs),
      retentionBytes: num("retention.bytes", base.retentionBytes),
      segmentMs: num("segment.ms", base.segmentMs ?? DEFAULT_LOG_OPTIONS.segmentMs),
    };
  }

  /** The value of each known topic config for a topic that does not set it (DescribeConfigs). */
  defaultTopicConfigs(): Record<string, string> {
    const log = this.options.log ?? DEFAULT_LOG_OPTIONS;
    return {
      "retention.ms": String(log.retentionMs),
      "retention.bytes": String(log.retentionBytes),
      "segment.bytes": String(log.segmentBytes),
      "segment.ms": String(log.segmentMs ?? DEFAULT_LOG_OPTIONS.segmentMs),
      "max.message.bytes": String(this.options.maxMessageBytes),
      "message.timestamp.type": "CreateTime",
      "cleanup.policy": "delete",
      "delete.retention.ms": String(this.options.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS),
      "min.cleanable.dirty.ratio": String(this.options.minCleanableDirtyRatio ?? DEFAULT_MIN_CLEANABLE_DIRTY_RATIO),
    };
  }

  private openTopic(name: string, partitions: number, configs: Record<string, string>): Topic {
    const topic = new Topic(name, configs);
    topic.defaultMaxMessageBytes = this.options.maxMessageBytes;
    topic.defaultDeleteRetentionMs = this.options.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
    topic.defaultMinCleanableDirtyRatio = this.options.minCleanableDirtyRatio ?? DEFAULT_MIN_CLEANABLE_DIRTY_RATIO;
    const logOptions = this.logOptions(configs);
    for (let p = 0; p < partitions; p++) {
      topic.partitions.push(new Partition(topic, p, PartitionLog.open(path.join(this.dataDir, "topics", `${name}-${p}`), logOptions)));
    }
    this.topics.set(name, topic);
    return topic;
  }

  private saveTopics(): void {
    const meta: TopicsFile = { topics: {} };
    for (const t of this.topics.values()) meta.topics[t.name] = { partitions: t.partitions.length, configs: t.configs };
    const file = path.join(this.dataDir, "topics.json");
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 1));
    fs.renameSync(`${file}.tmp`, file);
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** Creates a topic; the caller has checked the name and that it does not exist. */
  createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Topic {
    const topic = this.openTopic(name, partitions, configs);
    this.saveTopics();
    return topic;
  }

  deleteTopic(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.topics.delete(name);
    this.saveTopics();
    for (const p of topic.partitions) {
      p.log.close();
      fs.rmSync(p.log.dir, { recursive: true, force: true });
    }
  }

  /** Applies retention to every partition of topics with the "delete" policy; returns the number of segments deleted. */
  applyRetention(now = Date.now()): number {
    let n = 0;
    for (const t of this.topics.values()) {
      if (!t.deleteRetention) continue;
      for (const p of t.partitions) n += p.log.applyRetention(now);
    }
    return n;
  }

  /**
   * Compacts every partition of a compacted topic now, whatever its dirty ratio. Partitions are
   * cleaned one at a time, letting other work run in between; a partition whose log was closed
   * meanwhile (topic deleted, store closed) is skipped.
   */
  async compactTopic(name: string, now = () => Date.now()): Promise<TopicCompaction> {
    const topic = this.topics.get(name);
    if (!topic) throw new WorkbookError("INPUT_INVALID", `There is no topic ${JSON.stringify(name)} to compact; create it first (with cleanup.policy=compact).`);
    if (!topic.compact) throw new WorkbookError("INPUT_INVALID", `Topic ${name} has cleanup.policy=${topic.configs["cleanup.policy"] ?? "delete"}; only topics created with cleanup.policy=compact (or compact,delete) are compacted.`);
    const out: TopicCompaction = { topic: name, partitions: [], bytesBefore: 0, bytesAfter: 0, durationMs: 0 };
    for (const p of topic.partitions) {
      await new Promise((resolve) => setImmediate(resolve));
      if (p.log.isClosed) continue;
      const r = p.clean(now());
      out.partitions.push({ ...r, partition: p.index });
      out.bytesBefore += r.bytesBefore;
      out.bytesAfter += r.bytesAfter;
      out.durationMs += r.durationMs;
    }
    return out;
  }

  /**
   * The cleaner's round: compacts each partition of the compacted topics whose dirty ratio reached
   * min.cleanable.dirty.ratio or whose tombstones' delete horizon passed. Returns what it did.
   */
  cleanDirty(now = Date.now()): CleanResult[] {
    const done: CleanResult[] = [];
    for (const t of this.topics.values()) {
      if (!t.compact) continue;
      for (const p of t.partitions) {
        if (!p.log.isClosed && p.log.needsCleaning(now, t.minCleanableDirtyRatio)) done.push(p.clean(now));
      }
    }
    return done;
  }

  flush(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.flush();
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.close();
    this.topics.clear();
  }
}

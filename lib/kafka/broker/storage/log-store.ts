/**
 * All topics of the broker on disk: `<dataDir>/topics.json` lists topics with their partition
 * count and configs, `<dataDir>/topics/<topic>-<partition>/` holds each partition log.
 * Produce validation (CRC, size, idempotent sequences) happens here, per partition.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode } from "../protocol/error-codes";
import { DEFAULT_LOG_OPTIONS, LogOptions, PartitionLog } from "./partition-log";
import { ProducerStates } from "./producer-state";
import { BatchHeader, checkBatch, LOG_OVERHEAD, readBatchHeader, stampLogAppendTime } from "../protocol/record-batch";

/** Topic configs this broker understands (names as in Kafka). */
export interface TopicConfig {
  "retention.ms"?: string;
  "retention.bytes"?: string;
  "segment.bytes"?: string;
  "max.message.bytes"?: string;
  "message.timestamp.type"?: string;
}

export const KNOWN_TOPIC_CONFIGS = ["retention.ms", "retention.bytes", "segment.bytes", "max.message.bytes", "message.timestamp.type", "cleanup.policy"];

export interface ProduceResult {
  error: number;
  baseOffset: number;
  logAppendTime: number;
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
    const fail = (error: number): ProduceResult => ({ error, baseOffset: -1, logAppendTime: -1 });
    const maxBytes = this.topic.maxMessageBytes;
    const headers: BatchHeader[] = [];
    for (let at = 0; at < records.length; ) {
      if (records.length - at >= LOG_OVERHEAD && LOG_OVERHEAD + records.readInt32BE(at + 8) > maxBytes) return fail(ErrorCode.MESSAGE_TOO_LARGE);
      const problem = checkBatch(records, at, records.length);
      if (problem === "corrupt") return fail(ErrorCode.CORRUPT_MESSAGE);
      if (problem === "format") return fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
      const h = readBatchHeader(records, at);
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
  defaultMaxMessageBytes = 1048588;
}

export interface StoreOptions {
  log: LogOptions;
  maxMessageBytes: number;
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
    };
  }

  /** The value of each known topic config for a topic that does not set it (DescribeConfigs). */
  defaultTopicConfigs(): Record<string, string> {
    const log = this.options.log ?? DEFAULT_LOG_OPTIONS;
    return {
      "retention.ms": String(log.retentionMs),
      "retention.bytes": String(log.retentionBytes),
      "segment.bytes": String(log.segmentBytes),
      "max.message.bytes": String(this.options.maxMessageBytes),
      "message.timestamp.type": "CreateTime",
      "cleanup.policy": "delete",
    };
  }

  private openTopic(name: string, partitions: number, configs: Record<string, string>): Topic {
    const topic = new Topic(name, configs);
    topic.defaultMaxMessageBytes = this.options.maxMessageBytes;
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

  /** Applies retention to every partition; returns the number of segments deleted. */
  applyRetention(now = Date.now()): number {
    let n = 0;
    for (const t of this.topics.values()) for (const p of t.partitions) n += p.log.applyRetention(now);
    return n;
  }

  flush(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.flush();
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.log.close();
    this.topics.clear();
  }
}

/**
 * A single-node broker speaking the Kafka wire protocol: the TCP server, the log store and the
 * group coordinator put together. `Broker.start(options)` binds (127.0.0.1 and a free port by
 * default) and `close()` stops it and releases the data folder.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { WorkbookError } from "../../errors";
import { processAlive } from "../../process";
import { BrokerState } from "./apis/context";
import { Connection } from "./connection";
import { ErrorCode } from "./protocol/error-codes";
import { GroupCoordinator } from "./groups/group-coordinator";
import { invalidTopicConfig, LogStore, TopicCompaction, validTopicName } from "./storage/log-store";
import { OffsetStore } from "./storage/offset-store";
import { DEFAULT_LOG_OPTIONS } from "./storage/partition-log";

export interface BrokerOptions {
  /** Interface to bind. Default "127.0.0.1". */
  host?: string;
  /** Port to bind; 0 picks a free one. Default 0. */
  port?: number;
  /** Data folder (created if needed). Default: a new temporary folder, deleted by close(). */
  dataDir?: string;
  /** Partitions of auto-created topics and of CreateTopics with -1. Default 1. */
  partitions?: number;
  /** Create unknown topics asked for in Metadata. Default true. */
  autoCreateTopics?: boolean;
  /** Host and port put in Metadata (e.g. behind a proxy). Default: the bound ones. */
  advertisedHost?: string;
  advertisedPort?: number;
  /** fsync after every produce ("batch") or every flushIntervalMs ("interval"). Default "interval". */
  flush?: "batch" | "interval";
  /** Default 1000. */
  flushIntervalMs?: number;
  /** Segment file size before rolling. Default 64 MiB. */
  segmentBytes?: number;
  /** Per-partition size limit, oldest segments deleted first; -1 = none. Default -1. */
  retentionBytes?: number;
  /** Delete segments whose newest record is older; -1 = never. Default 7 days. */
  retentionMs?: number;
  /** How often retention runs. Default 60000. */
  retentionCheckIntervalMs?: number;
  /** Roll the active segment at the next append once it is this old (segment.ms). Default 7 days. */
  segmentMs?: number;
  /**
   * How often the log cleaner looks for compacted topics (cleanup.policy=compact) to clean, as
   * Kafka's log.cleaner.backoff.ms. Default 15000; 0 turns the background cleaner off.
   */
  logCleanerBackoffMs?: number;
  /** A compacted partition is cleaned once this share of its sealed bytes is dirty. Default 0.5. */
  minCleanableDirtyRatio?: number;
  /** How long tombstones stay after the cleaning that first kept them. Default 86400000 (24 h). */
  deleteRetentionMs?: number;
  /** Largest record batch accepted (MESSAGE_TOO_LARGE past it). Default 1048588, as Kafka. */
  maxMessageBytes?: number;
  /** Largest request frame; a larger declared size closes the connection. Default 100 MiB. */
  maxRequestBytes?: number;
  /** Session timeouts accepted by JoinGroup. Default 6000 and 1800000. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Default 0 (Kafka's default is 3000; 0 keeps tests and notebooks quick). */
  initialRebalanceDelayMs?: number;
  /** Let the process exit while the broker runs (the process-wide embedded broker). Default false. */
  unref?: boolean;
}

/** Data folders held by brokers of this process (a second broker on the same folder is refused). */
const lockedDirs = new Set<string>();


/** What broker.lock holds: the owning process and, once bound, its advertised address. */
export interface BrokerLock {
  pid: number;
  host?: string;
  port?: number;
}

/** The lock of a data folder, or null when there is none (or it is unreadable). */
export function readLock(dir: string): BrokerLock | null {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(dir, "broker.lock"), "utf8")) as BrokerLock;
    return typeof lock.pid === "number" ? lock : null;
  } catch {
    return null;
  }
}

function lockDataDir(dir: string): string {
  const lock = path.join(dir, "broker.lock");
  if (lockedDirs.has(dir)) throw new WorkbookError("KAFKA_DATA_DIR_LOCKED", `The broker data folder ${dir} is already used by a broker of this process; close it first or pass another dataDir.`);
  if (fs.existsSync(lock)) {
    const pid = readLock(dir)?.pid ?? 0;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new WorkbookError("KAFKA_DATA_DIR_LOCKED", `The broker data folder ${dir} is in use by process ${pid}; stop that broker or pass another data folder.`);
    }
  }
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid }));
  lockedDirs.add(dir);
  return lock;
}

interface ClusterFile {
  clusterId: string;
  nextProducerId: number;
}

export class Broker {
  /** The bound host and port. */
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  private closing: Promise<void> | null = null;
  private readonly connections = new Set<Connection>();
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly state: BrokerState,
    private readonly offsets: OffsetStore,
    private readonly lockFile: string,
    private readonly ephemeral: boolean,
    dataDir: string,
  ) {
    const address = server.address() as net.AddressInfo;
    this.host = address.address;
    this.port = address.port;
    this.dataDir = dataDir;
  }

  /** "host:port", for a client's brokers list. */
  get brokers(): string {
    return `${this.state.host}:${this.state.port}`;
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const host = options.host ?? "127.0.0.1";
    const ephemeral = options.dataDir === undefined;
    const dataDir = path.resolve(options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "workbook-broker-")));
    fs.mkdirSync(dataDir, { recursive: true });
    const lockFile = lockDataDir(dataDir);
    let store: LogStore | undefined;
    let offsets: OffsetStore | undefined;
    try {
      const flush = options.flush ?? "interval";
      const maxMessageBytes = options.maxMessageBytes ?? 1048588;
      store = LogStore.open(dataDir, {
        maxMessageBytes,
        deleteRetentionMs: options.deleteRetentionMs,
        minCleanableDirtyRatio: options.minCleanableDirtyRatio,
        log: {
          ...DEFAULT_LOG_OPTIONS,
          flush,
          segmentBytes: options.segmentBytes ?? DEFAULT_LOG_OPTIONS.segmentBytes,
          retentionBytes: options.retentionBytes ?? DEFAULT_LOG_OPTIONS.retentionBytes,
          retentionMs: options.retentionMs ?? DEFAULT_LOG_OPTIONS.retentionMs,
          segmentMs: options.segmentMs ?? DEFAULT_LOG_OPTIONS.segmentMs,
        },
      });
      offsets = new OffsetStore(dataDir, flush === "batch");
      const coordinator = new GroupCoordinator(offsets, {
        minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
        maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1800000,
        initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
      });
      const clusterFile = path.join(dataDir, "cluster.json");
      const cluster: ClusterFile = fs.existsSync(clusterFile)
        ? (JSON.parse(fs.readFileSync(clusterFile, "utf8")) as ClusterFile)
        : { clusterId: randomUUID().replace(/-/g, "").slice(0, 22), nextProducerId: 1000 };
      const saveCluster = () => fs.writeFileSync(clusterFile, JSON.stringify(cluster));
      saveCluster();

      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const bound = server.address() as net.AddressInfo;
      const s = store;
      const o = offsets;
      const state: BrokerState = {
        nodeId: 0,
        host: options.advertisedHost ?? (host === "0.0.0.0" || host === "::" ? os.hostname() : host),
        port: options.advertisedPort ?? bound.port,
        clusterId: cluster.clusterId,
        store: s,
        coordinator,
        defaultPartitions: options.partitions ?? 1,
        autoCreateTopics: options.autoCreateTopics ?? true,
        nextProducerId() {
          const id = cluster.nextProducerId++;
          saveCluster();
          return id;
        },
        createTopic(name, partitions, configs) {
          if (!validTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
          if (s.topic(name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
          if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10000) return ErrorCode.INVALID_PARTITIONS;
          for (const [key, value] of Object.entries(configs)) {
            if (invalidTopicConfig(key, value) !== null) return ErrorCode.INVALID_CONFIG;
          }
          s.createTopic(name, partitions, configs);
          return ErrorCode.NONE;
        },
        deleteTopic(name) {
          if (!s.topic(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          s.deleteTopic(name);
          o.deleteTopic(name);
          return ErrorCode.NONE;
        },
      };
      const broker = new Broker(server, state, offsets, lockFile, ephemeral, dataDir);
      fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: state.host, port: state.port }));
      if (options.unref) server.unref();
      server.on("connection", (socket) => {
        if (options.unref) socket.unref();
        const conn = new Connection(socket, state, {
          maxRequestBytes: options.maxRequestBytes ?? 100 * 1024 * 1024,
          onError: (err) => process.stderr.write(`[broker] unexpected error: ${(err as Error)?.stack ?? String(err)}\n`),
        });
        broker.connections.add(conn);
        socket.on("close", () => broker.connections.delete(conn));
      });
      if (flush === "interval") {
        broker.every(options.flushIntervalMs ?? 1000, () => {
          s.flush();
          o.flush();
        });
      }
      broker.every(options.retentionCheckIntervalMs ?? 60000, () => s.applyRetention());
      s.applyRetention();
      const backoff = options.logCleanerBackoffMs ?? 15000;
      if (backoff > 0) {
        broker.every(backoff, () => {
          try {
            s.cleanDirty();
          } catch (err) {
            process.stderr.write(`[broker] log cleaner: ${(err as Error)?.stack ?? String(err)}\n`);
          }
        });
      }
      return broker;
    } catch (err) {
      store?.close();
      offsets?.close();
      lockedDirs.delete(dataDir);
      fs.rmSync(lockFile, { force: true });
      throw err;
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /**
   * Compacts every partition of `topic` (which must have cleanup.policy=compact or compact,delete)
   * now, whatever its dirty ratio, and resolves with the sizes before and after. Only sealed segments
   * are cleaned: records still in a partition's active segment stay as they are.
   */
  compact(topic: string): Promise<TopicCompaction> {
    if (this.closing) return Promise.reject(new WorkbookError("INPUT_INVALID", `The broker at ${this.brokers} is closed; compact before closing it.`));
    return this.state.store.compactTopic(topic);
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, closes every connection, flushes and closes the logs, releases the folder. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of this.connections) c.close();
      this.connections.clear();
      await closed;
      this.state.coordinator.close();
      this.state.store.close();
      this.offsets.close();
      fs.rmSync(this.lockFile, { force: true });
      lockedDirs.delete(this.dataDir);
      if (this.ephemeral) fs.rmSync(this.dataDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

/** Starts a broker (see BrokerOptions); call `close()` when done. */
export function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  return Broker.start(options);
}

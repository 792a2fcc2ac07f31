/**
 * The speed layer: the stream processor counts (hour, url) for the tweets the batch view does not
 * cover yet, into PostgreSQL (PGlite, or the server at DATABASE_URL). It counts in blocks of
 * offsets (`block = floor(offset / blockSize)`, the key of its one query, a tumbling hour window),
 * so that when the batch view comes to cover offsets below `covered_offset` (a multiple of the block
 * size), exactly the blocks below it are dropped and nothing is counted twice or lost.
 *
 * Table (default `url_hourly_speed`): hour, url, kafka_partition, block, count, last_offset;
 * primary key (hour, url, kafka_partition, block), upserted by each micro-batch, so a replayed batch
 * writes the same rows. Malformed tweets go to `<topic>.dead-letter` with the reason.
 */
import type { Kafka } from "kafkajs";
import { aggregate, max, startProcessor, type BatchReport, type EngineOptions, type Offsets, type Sink, type StreamProcessor, type WindowRow, tumbling, DAY_MS } from "../../lib/stream";
import { plainName } from "../../lib/sql";
import type { SqlDatabase } from "../../lib/sql/sql";
import { WorkbookError } from "../../lib/errors";
import type { RedirectTable } from "./normalize";
import { checkBlockSize, DEFAULT_BLOCK_SIZE, type Coverage } from "./batch";
import { HOUR_MS, parseTweet, type Tweet } from "./tweets";

export const SPEED_TABLE = "url_hourly_speed";
export const SPEED_QUERY = "url_hourly_speed";

/** A tweet as the speed layer sees it: with its place in the topic. */
export interface PlacedTweet extends Tweet {
  partition: number;
  offset: number;
  block: number;
}

/** A row of the speed table. */
export interface SpeedRow extends Record<string, unknown> {
  hour: Date;
  url: string;
  kafka_partition: number;
  block: number;
  count: number;
  last_offset: number;
}


export async function createSpeedTable(sql: SqlDatabase, table = SPEED_TABLE): Promise<void> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS ${plainName(table)} (
    hour timestamp NOT NULL,
    url text NOT NULL,
    kafka_partition integer NOT NULL,
    block bigint NOT NULL,
    count integer NOT NULL,
    last_offset bigint NOT NULL,
    PRIMARY KEY (hour, url, kafka_partition, block)
  )`);
}

/** Url counts of one (hour, block): the state of the speed query's one aggregate. */
const urlCounts = () =>
  aggregate<PlacedTweet, Record<string, number>, Record<string, number>>({
    init: () => ({}),
    add: (s, t) => {
      for (const u of t.urls) s[u] = (s[u] ?? 0) + 1;
      return s;
    },
    result: (s) => ({ ...s }),
    merge: (into, from) => {
      for (const [u, n] of Object.entries(from)) into[u] = (into[u] ?? 0) + n;
      return into;
    },
  });

/** Turns the query's windows (one per hour and block) into rows of the speed table. */
export function toSpeedRows(rows: WindowRow[]): SpeedRow[] {
  return rows.flatMap((r) => {
    const [partition, block] = String(r.key).split(":").map(Number);
    return Object.entries(r.urls as Record<string, number>).map(([url, count]) => ({
      hour: new Date(r.windowStart), url, kafka_partition: partition, block, count, last_offset: r.last_offset as number,
    }));
  });
}

function speedSink(sql: SqlDatabase, table: string): Sink {
  return {
    name: `postgres:${table}`,
    async write(batch) {
      const rows = toSpeedRows(batch.rows);
      if (rows.length > 0) await sql.transaction((tx) => tx.upsert(table, rows, { key: ["hour", "url", "kafka_partition", "block"] }));
    },
  };
}

/** The engine options of the speed layer: the tweet parser (placing each tweet in its block), its one query. */
export function speedEngineOptions(options: { redirects: RedirectTable; keepTracking: boolean; blockSize: number }): EngineOptions<PlacedTweet> {
  const { redirects, keepTracking, blockSize } = options;
  return {
    parse: (text, record) => {
      const parsed = parseTweet(text, { redirects, keepTracking });
      if (!parsed.ok) return parsed;
      const offset = Number(record.offset);
      return { ok: true, value: { ...parsed.value, partition: record.partition, offset, block: Math.floor(offset / blockSize) } };
    },
    eventTime: (t) => t.time,
    // Tweets come at most minutes late; a week keeps every one of them countable (a later one is
    // dead-lettered as late and counted by the next batch recompute only).
    watermarkDelayMs: 7 * DAY_MS,
    queries: [{ name: SPEED_QUERY, window: tumbling(HOUR_MS), key: (t) => `${t.partition}:${t.block}`, aggregates: { urls: urlCounts(), last_offset: max<PlacedTweet>("offset") }, mode: "update" }],
  };
}

export interface SpeedLayerOptions {
  kafka: Kafka;
  sql: SqlDatabase;
  topic: string;
  redirects: RedirectTable;
  /** Folder of the processor's checkpoint (reuse it to resume). */
  checkpointDir: string;
  /** The normalisation bug: keep tracking parameters. Default false. */
  keepTracking?: boolean;
  /** Default SPEED_TABLE. */
  table?: string;
  /** Default DEFAULT_BLOCK_SIZE; must be the batch layer's. */
  blockSize?: number;
  /** Start here when the checkpoint is new (e.g. the batch view's covered offsets). Default: the start of the topic. */
  startOffsets?: Record<number, number>;
  /** Default 300 ms. */
  triggerMs?: number;
  onBatch?: (report: BatchReport) => void;
}

export interface SpeedLayer {
  processor: StreamProcessor<PlacedTweet>;
  table: string;
  blockSize: number;
  keepTracking: boolean;
  /** Deletes the rows of the blocks the batch view now covers; returns how many. */
  dropCovered(coverage: Coverage): Promise<number>;
  close(): Promise<void>;
}

/** Creates the table and starts the processor. */
export async function startSpeedLayer(options: SpeedLayerOptions): Promise<SpeedLayer> {
  const table = plainName(options.table ?? SPEED_TABLE);
  const blockSize = checkBlockSize(options.blockSize ?? DEFAULT_BLOCK_SIZE);
  const keepTracking = options.keepTracking ?? false;
  await createSpeedTable(options.sql, table);
  const startOffsets: Offsets | undefined = options.startOffsets ? Object.fromEntries(Object.entries(options.startOffsets).map(([p, o]) => [p, String(o)])) : undefined;
  const processor = await startProcessor<PlacedTweet>({
    kafka: options.kafka,
    topic: options.topic,
    checkpointDir: options.checkpointDir,
    triggerMs: options.triggerMs ?? 300,
    startOffsets,
    onBatch: options.onBatch,
    ...speedEngineOptions({ redirects: options.redirects, keepTracking, blockSize }),
    sinks: { [SPEED_QUERY]: [speedSink(options.sql, table)] },
  });
  return {
    processor,
    table,
    blockSize,
    keepTracking,
    async dropCovered(coverage) {
      if (coverage.blockSize !== blockSize) throw new WorkbookError("OPTIONS_INVALID", `the batch view counts in blocks of ${coverage.blockSize} offsets, the speed layer in blocks of ${blockSize}; give both the same blockSize.`);
      let dropped = 0;
      for (const [p, covered] of Object.entries(coverage.partitions)) {
        dropped += (await options.sql.query(`DELETE FROM ${table} WHERE kafka_partition = $1 AND block < $2`, [Number(p), covered / blockSize])).rowCount;
      }
      return dropped;
    },
    close: () => processor.close(),
  };
}


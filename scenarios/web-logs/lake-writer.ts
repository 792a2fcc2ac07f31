/**
 * The streaming writer: the topic -> Parquet files in the lake, `web_logs/dt=YYYY-MM-DD/hour=HH/`,
 * one file per minute of event time in each micro-batch, named after the minute and the batch's
 * first and last offsets of that minute (`m02-part-web-logs-00000-<first>-<last>.parquet`).
 *
 * Exactly once: the stream processor (lib/stream) plans each batch's offset range in its checkpoint
 * before writing and commits the offsets after; after a crash it replays exactly that range, so the
 * replayed batch writes the same file names (overwriting, atomically) and nothing twice. Malformed
 * lines go to the dead-letter topic `<topic>.dead-letter` with the reason. After each batch the
 * writer records its watermark in `web_logs/_stream.json`: an hour is complete once the watermark
 * has passed its end (the DAG's sensor waits for that).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { partFileName, partitionPath } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { startProcessor, type BatchReport, type RecordSink, type StreamProcessor, type ValidRecord } from "../../lib/stream";
import { sqlLiteral, withMemoryDuckDB } from "../../lib/warehouse/local-duckdb";
import { WorkbookError } from "../../lib/errors";
import { parseLogLine, type WebLogEvent } from "./events";

/** The lake dataset of raw events. */
export const LOGS_DATASET = "web_logs";
/** The writer's progress marker, inside the dataset (not in any partition). */
export const STREAM_MARKER = `${LOGS_DATASET}/_stream.json`;
/** How far the watermark trails the newest event time: 5 minutes. */
export const WATERMARK_DELAY_MS = 5 * 60_000;

/** What `_stream.json` holds. */
export interface StreamMarker {
  /** Epoch ms; null before any event. Every hour that ends at or before it is complete. */
  watermark: number | null;
  batchId: number;
  /** True once the input has ended: every hour is complete. */
  ended: boolean;
}

/** The columns of the lake's Parquet files, DuckDB types. */
export const LAKE_COLUMNS: Readonly<Record<string, string>> = {
  date_time: "TIMESTAMP", state: "VARCHAR", ip_address: "VARCHAR", category: "VARCHAR", sub_cat: "VARCHAR", type: "VARCHAR", pid: "BIGINT",
  kafka_partition: "INTEGER", kafka_offset: "BIGINT",
};

const pad = (n: number) => String(n).padStart(2, "0");

/** The lake folder (partition values) of an event time. */
export function hourPartition(time: number): { dt: string; hour: string } {
  const d = new Date(time);
  return { dt: d.toISOString().slice(0, 10), hour: pad(d.getUTCHours()) };
}

interface Group {
  partition: number;
  minute: number;
  first: bigint;
  last: bigint;
  records: ValidRecord<WebLogEvent>[];
}

/** The file path of one group (partition, minute) of a batch. */
function groupPath(topic: string, g: Group): string {
  const folder = partitionPath(LOGS_DATASET, hourPartition(g.minute));
  const name = `m${pad(new Date(g.minute).getUTCMinutes())}-${partFileName({ topic, partition: g.partition, firstOffset: g.first, lastOffset: g.last, ext: "parquet" })}`;
  return `${folder}/${name}`;
}

/** A record sink writing each batch's events to one Parquet file per minute of event time. */
export function lakeSink(lake: Lake, topic: string, onFile?: (file: string, rows: number) => void): RecordSink<WebLogEvent> {
  return {
    name: `lake:${lake.uri(LOGS_DATASET)}`,
    async write(batch) {
      const groups = new Map<string, Group>();
      for (const r of batch.records) {
        const minute = r.time - (r.time % 60_000);
        const id = `${r.record.partition}|${minute}`;
        const offset = BigInt(r.record.offset);
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { partition: r.record.partition, minute, first: offset, last: offset, records: [] }));
        if (offset < g.first) g.first = offset;
        if (offset > g.last) g.last = offset;
        g.records.push(r);
      }
      if (groups.size > 0) await writeGroups(lake, topic, [...groups.values()], onFile);
      const marker: StreamMarker = { watermark: Number.isFinite(batch.watermark) ? batch.watermark : null, batchId: batch.batchId, ended: false };
      await lake.writeFile(STREAM_MARKER, JSON.stringify(marker));
    },
  };
}

/** Writes the groups with one in-memory DuckDB: one NDJSON file in, one Parquet file out per group. */
async function writeGroups(lake: Lake, topic: string, groups: Group[], onFile?: (file: string, rows: number) => void): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "weblogs-batch-"));
  try {
    const parts: string[] = [];
    groups.forEach((g, gi) => {
      for (const r of g.records) {
        const e = r.value;
        parts.push(`{"g":${gi},"date_time":${JSON.stringify(e.date_time)},"state":${JSON.stringify(e.state)},"ip_address":${JSON.stringify(e.ip_address)},"category":${JSON.stringify(e.category)},"sub_cat":${JSON.stringify(e.sub_cat)},"type":${JSON.stringify(e.type)},"pid":${e.pid === null ? "null" : e.pid},"kafka_partition":${r.record.partition},"kafka_offset":${r.record.offset}}`);
      }
    });
    const json = path.join(tmp, "batch.ndjson");
    fs.writeFileSync(json, parts.join("\n") + "\n");
    const columns = `{g: 'INTEGER', ${Object.entries(LAKE_COLUMNS).map(([k, v]) => `${k}: '${v}'`).join(", ")}}`;
    const names = Object.keys(LAKE_COLUMNS).join(", ");
    await withMemoryDuckDB(async (run) => {
      await run(`CREATE TABLE b AS SELECT * FROM read_json(${sqlLiteral(json)}, format = 'newline_delimited', columns = ${columns})`);
      for (let gi = 0; gi < groups.length; gi++) {
        const file = path.join(tmp, `${gi}.parquet`);
        await run(`COPY (SELECT ${names} FROM b WHERE g = ${gi} ORDER BY kafka_offset) TO ${sqlLiteral(file)} (FORMAT parquet)`);
      }
    });
    for (let gi = 0; gi < groups.length; gi++) {
      const target = groupPath(topic, groups[gi]);
      await lake.upload(target, path.join(tmp, `${gi}.parquet`));
      onFile?.(target, groups[gi].records.length);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads the writer's marker (null when the writer has not written one yet). */
export async function readStreamMarker(lake: Lake): Promise<StreamMarker | null> {
  if (!(await lake.exists(STREAM_MARKER))) return null;
  const text = (await lake.readFile(STREAM_MARKER)).toString("utf8");
  try {
    return JSON.parse(text) as StreamMarker;
  } catch (err) {
    throw new WorkbookError("INPUT_INVALID", `${lake.uri(STREAM_MARKER)} is not valid JSON (${JSON.stringify(text.slice(0, 40))}); delete it and run the stream writer again.`, { cause: err });
  }
}

/** Marks the end of the input: every hour counts as complete. */
export async function markStreamEnded(lake: Lake): Promise<void> {
  const marker = await readStreamMarker(lake);
  await lake.writeFile(STREAM_MARKER, JSON.stringify({ watermark: marker?.watermark ?? null, batchId: marker?.batchId ?? 0, ended: true } satisfies StreamMarker));
}

/** True when the hour [start, end) is complete: the writer's watermark has passed its end, or the input ended. */
export function hourComplete(marker: StreamMarker | null, end: number): boolean {
  return marker !== null && (marker.ended || (marker.watermark !== null && marker.watermark >= end));
}

export interface LakeWriterOptions {
  kafka: Kafka;
  lake: Lake;
  topic: string;
  /** The checkpoint folder; reuse it to resume exactly where the writer stopped. */
  checkpointDir: string;
  /** Default 200 ms. */
  triggerMs?: number;
  /** Largest batch. Default 200000. */
  maxBatchRecords?: number;
  onBatch?: (report: BatchReport) => void;
  onFile?: (file: string, rows: number) => void;
  /** More record sinks, run after the lake's in each batch (tests use one to crash at the worst moment). Default none. */
  recordSinks?: RecordSink<WebLogEvent>[];
}

/** Starts the streaming writer (a lib/stream processor with no window queries and one record sink). */
export function startLakeWriter(options: LakeWriterOptions): Promise<StreamProcessor<WebLogEvent>> {
  return startProcessor<WebLogEvent>({
    kafka: options.kafka,
    topic: options.topic,
    checkpointDir: options.checkpointDir,
    parse: (text) => parseLogLine(text),
    eventTime: (e) => e.time,
    watermarkDelayMs: WATERMARK_DELAY_MS,
    queries: [],
    sinks: {},
    recordSinks: [lakeSink(options.lake, options.topic, options.onFile), ...(options.recordSinks ?? [])],
    triggerMs: options.triggerMs ?? 200,
    maxBatchRecords: options.maxBatchRecords,
    onBatch: options.onBatch,
  });
}

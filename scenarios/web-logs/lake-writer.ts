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
import { startProcessor, type BatchReport, type RecordBatch, type RecordSink, type StreamProcessor, type ValidRecord } from "../../lib/stream";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { sqlLiteral } from "../../lib/warehouse/local-duckdb";
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
  /** Offsets as text (compared by offsetAfter). */
  first: string;
  last: string;
  rows: number;
}

/** A batch ready for DuckDB: its groups (partition, minute) and its rows as CSV, each row naming its group. */
interface Encoded {
  groups: Group[];
  csv: Buffer;
}

/** True when offset `a` comes after offset `b` (both decimal text without leading zeros, as Kafka gives them). */
function offsetAfter(a: string, b: string): boolean {
  return a.length > b.length || (a.length === b.length && a > b);
}

/** The file path of one group (partition, minute) of a batch. */
function groupPath(topic: string, g: Group): string {
  const folder = partitionPath(LOGS_DATASET, hourPartition(g.minute));
  const name = `m${pad(new Date(g.minute).getUTCMinutes())}-${partFileName({ topic, partition: g.partition, firstOffset: BigInt(g.first), lastOffset: BigInt(g.last), ext: "parquet" })}`;
  return `${folder}/${name}`;
}

/** A record sink writing each batch's events to one Parquet file per minute of event time. */
export function lakeSink(lake: Lake, topic: string, onFile?: (file: string, rows: number) => void): RecordSink<WebLogEvent> {
  removeStaleStaging(lake);
  const stage = new Staging(lake);
  const encoded = new WeakMap<RecordBatch<WebLogEvent>, Encoded>();
  return {
    name: `lake:${lake.uri(LOGS_DATASET)}`,
    close: async () => {
      stage.closeDuckDB();
      stage.remove();
    },
    // The encoding is pure JavaScript work: the processor runs it for the next batch while this one is written.
    prepare(batch) {
      encoded.set(batch, encodeBatch(batch.records));
    },
    async write(batch) {
      const e = encoded.get(batch) ?? encodeBatch(batch.records);
      encoded.delete(batch);
      if (e.groups.length > 0) await writeGroups(lake, topic, e, stage, onFile);
      const marker: StreamMarker = { watermark: Number.isFinite(batch.watermark) ? batch.watermark : null, batchId: batch.batchId, ended: false };
      await lake.writeFile(STREAM_MARKER, JSON.stringify(marker));
    },
  };
}

/**
 * Groups a batch's records by (partition, minute of event time) and writes them as CSV for DuckDB
 * (which reads CSV several times faster than NDJSON), text fields quoted when needed, in batch order:
 * each group's rows keep their order in its file.
 */
function encodeBatch(records: readonly ValidRecord<WebLogEvent>[]): Encoded {
  // Keyed by a number: the minute's index times 100,000 plus the partition.
  const ids = new Map<number, number>();
  const groups: Group[] = [];
  // Each row goes into one buffer as soon as it is made: a batch's rows as strings would outlive
  // several young-generation collections and be copied by each (that copying cost more than making them).
  let out = Buffer.allocUnsafe(64 + records.length * 160);
  let used = out.write("g,date_time,state,ip_address,category,sub_cat,type,pid,kafka_partition,kafka_offset\n", 0, "latin1");
  for (const r of records) {
    const minute = r.time - (r.time % 60_000);
    const partition = r.record.partition;
    const offset = r.record.offset;
    const id = (minute / 60_000) * 100_000 + partition;
    let gi = ids.get(id);
    if (gi === undefined) {
      gi = groups.length;
      ids.set(id, gi);
      groups.push({ partition, minute, first: offset, last: offset, rows: 0 });
    }
    const g = groups[gi];
    if (offsetAfter(offset, g.last)) g.last = offset;
    else if (offsetAfter(g.first, offset)) g.first = offset;
    g.rows++;
    const e = r.value;
    const row = `${gi},${e.date_time},${csv(e.state)},${csv(e.ip_address)},${csv(e.category)},${csv(e.sub_cat)},${csv(e.type)},${e.pid === null ? "" : e.pid},${partition},${offset}\n`;
    if (used + 3 * row.length > out.length) {
      const bigger = Buffer.allocUnsafe(2 * out.length + 3 * row.length);
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    used += out.write(row, used, "utf8");
  }
  return { groups, csv: out.subarray(0, used) };
}

/**
 * The sink's staging folder, kept from batch to batch: a hidden folder in a local lake (same file
 * system as the lake, so a file moves in by a rename), else in the OS temporary folder. Creating and
 * removing a folder per group of every batch cost more CPU than writing the Parquet files; now the
 * per-group folders DuckDB writes into are reused (they are empty once their files have moved out).
 * After a failed batch the folder is removed whole, so the next batch starts clean. Its name holds
 * the writer's process id: a writer killed before it could remove its folder leaves it behind, and
 * the next writer started on this machine removes it (removeStaleStaging).
 */
class Staging {
  private dir?: string;
  private duck?: { db: DuckDBInstance; con: DuckDBConnection };
  constructor(private readonly lake: Lake) {}

  /** Runs one statement on the sink's in-memory DuckDB, opened on first use and kept until close. */
  async run(sql: string): Promise<void> {
    if (this.duck === undefined) {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const db = await DuckDBInstance.create(":memory:");
      this.duck = { db, con: await db.connect() };
    }
    await this.duck.con.run(sql);
  }

  /** Closes the DuckDB instance. */
  closeDuckDB(): void {
    if (this.duck === undefined) return;
    this.duck.con.closeSync();
    this.duck.db.closeSync();
    this.duck = undefined;
  }

  /** The folder, created on first use. */
  path(): string {
    if (this.dir === undefined) {
      const name = `${STAGING_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
      this.dir = path.join(stagingRoot(this.lake), name);
      fs.mkdirSync(this.dir, { recursive: true });
    }
    return this.dir;
  }

  remove(): void {
    if (this.dir !== undefined) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Staging folders are named `<prefix><pid>-<random>`: hidden in a local lake. */
const STAGING_PREFIX = ".weblogs-tmp-";

/** Where staging folders go: the root of a local lake (a rename moves a file in), else the OS temporary folder. */
function stagingRoot(lake: Lake): string {
  return lake.localPath() ?? os.tmpdir();
}

/**
 * Removes the staging folders of writers that no longer run on this machine (killed before they
 * could clean up: each holds a batch's CSV and Parquet files, which a scan of the whole lake would
 * count). A folder whose process is alive, this one's included, stays. Returns the folders removed.
 */
export function removeStaleStaging(lake: Lake): string[] {
  const root = stagingRoot(lake);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(STAGING_PREFIX) ? /^(\d+)-/.exec(name.slice(STAGING_PREFIX.length)) : null;
    if (m === null || processAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(path.join(root, name));
  }
  return removed;
}

/** True when a process with this id runs on this machine (one we may not signal counts too). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes the groups with the sink's in-memory DuckDB (one instance for the writer's life): the batch's rows in as one CSV file, then ONE
 * `COPY ... (PARTITION_BY (g))` writes a Parquet file per group (in parallel, on DuckDB's threads)
 * into the staging folder. A local lake gets each file by a rename (same file system: the file
 * appears whole, after an fsync); a Cloud Storage lake by an upload.
 */
async function writeGroups(lake: Lake, topic: string, batch: Encoded, stage: Staging, onFile?: (file: string, rows: number) => void): Promise<void> {
  const groups = batch.groups;
  const root = lake.localPath();
  const tmp = stage.path();
  let ok = false;
  try {
    const rows = path.join(tmp, "batch.csv");
    fs.writeFileSync(rows, batch.csv);
    const columns = `{g: 'INTEGER', ${Object.entries(LAKE_COLUMNS).map(([k, v]) => `${k}: '${v}'`).join(", ")}}`;
    const names = Object.keys(LAKE_COLUMNS).join(", ");
    const out = path.join(tmp, "out");
    // DuckDB keeps at most partitioned_write_max_open_files (default 100) files open and flushes a
    // thread's rows past partitioned_write_flush_threshold rows; past either it starts a second file
    // in a group's folder. One file per group needs both above the batch's groups and rows.
    await stage.run(`SET partitioned_write_max_open_files = ${Math.max(100, groups.length + 16)}`);
    await stage.run(`SET partitioned_write_flush_threshold = ${Math.max(524_288, groups.reduce((n, g) => n + g.rows, 1))}`);
    // OVERWRITE_OR_IGNORE: write into the group folders left (empty) by the previous batch.
    await stage.run(`COPY (SELECT ${names}, g FROM read_csv(${sqlLiteral(rows)}, header = true, delim = ',', quote = '"', escape = '"', nullstr = '', columns = ${columns})) TO ${sqlLiteral(out)} (FORMAT parquet, PARTITION_BY (g), OVERWRITE_OR_IGNORE)`);
    const written = groups.map((g, gi) => {
      const folder = path.join(out, `g=${gi}`);
      const files = fs.readdirSync(folder).filter((f) => f.endsWith(".parquet"));
      if (files.length !== 1) throw new WorkbookError("LAKE_WRITE_FAILED", `DuckDB wrote ${files.length} files for one minute of the batch in ${folder}; expected one.`);
      return { group: g, file: path.join(folder, files[0]), target: groupPath(topic, g) };
    });
    if (root !== undefined) {
      await eachLimit(written, 16, async (w) => {
        const handle = await fs.promises.open(w.file, "r+");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      const folders = new Set(written.map((w) => path.dirname(lake.localPath(w.target) as string)));
      for (const f of folders) fs.mkdirSync(f, { recursive: true });
      for (const w of written) {
        fs.renameSync(w.file, lake.localPath(w.target) as string);
        onFile?.(w.target, w.group.rows);
      }
    } else {
      await eachLimit(written, 8, async (w) => {
        await lake.upload(w.target, w.file);
        fs.unlinkSync(w.file);
        onFile?.(w.target, w.group.rows);
      });
    }
    ok = true;
  } finally {
    if (!ok) stage.remove();
  }
}

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote, a line break or is empty (empty means null here). */
function csv(text: string): string {
  return /[",\r\n]/.test(text) || text === "" ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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
export async function startLakeWriter(options: LakeWriterOptions): Promise<StreamProcessor<WebLogEvent>> {
  const sink = lakeSink(options.lake, options.topic, options.onFile);
  const processor = await startProcessor<WebLogEvent>({
    kafka: options.kafka,
    topic: options.topic,
    checkpointDir: options.checkpointDir,
    parse: (text) => parseLogLine(text),
    eventTime: (e) => e.time,
    watermarkDelayMs: WATERMARK_DELAY_MS,
    queries: [],
    sinks: {},
    recordSinks: [sink, ...(options.recordSinks ?? [])],
    triggerMs: options.triggerMs ?? 200,
    maxBatchRecords: options.maxBatchRecords,
    onBatch: options.onBatch,
  });
  // The processor does not close its sinks; the writer removes its staging folder when it closes.
  const close = processor.close.bind(processor);
  processor.close = async () => {
    await close();
    await sink.close?.();
  };
  return processor;
}

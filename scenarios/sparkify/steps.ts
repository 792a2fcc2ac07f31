/**
 * The steps of the Sparkify ETL, each one DAG task (./dags.ts) and each callable on its own:
 * clean the event logs of an interval (a job on the cluster, Parquet into the lake), stage the
 * songs (a job on the cluster), build the star schema (SQL in the warehouse), write it to the lake
 * (Parquet partitioned as the original), and check its quality.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WorkbookError } from "../../lib/errors";
import type { Cluster } from "../../lib/jobs/cluster";
import type { Lake } from "../../lib/lake/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { CleanFileResult, CleanJobParams, RejectedLine } from "./clean-job";
import type { CleanSong } from "./events";
import type { SongsJobParams } from "./songs-job";
import { SCHEMAS, TABLES, stageEvents, stageSongs, type Interval } from "./star-schema";

export const CLEAN_JOB = path.join(__dirname, "clean-job.js");
export const SONGS_JOB = path.join(__dirname, "songs-job.js");

/** Where the inputs are and where the outputs go. */
export interface SparkifySources {
  /** The song files (song_data/A/B/C/TR....json): a lake opened at that folder or gs:// URI. */
  songs: Lake;
  /** The log files (log_data/YYYY/MM/YYYY-MM-DD-events.json): a lake opened at that folder or gs:// URI. */
  logs: Lake;
  /** The workbook's lake, for the clean events and the star schema. */
  lake: Lake;
}

/** Datasets in the workbook's lake. */
export const CLEAN_DATASET = "sparkify/clean/events";
export const STAR_PREFIX = "sparkify/star";

/** The log files of the interval: any path ending in YYYY-MM-DD-events.json with the day in [start, end). */
export async function logFilesOf(logs: Lake, interval: Interval): Promise<string[]> {
  const start = interval.start.slice(0, 10);
  const end = interval.end.slice(0, 10);
  return (await logs.list(""))
    .map((f) => f.path)
    .filter((p) => {
      const day = /(\d{4}-\d{2}-\d{2})-events\.json$/.exec(p)?.[1];
      return day !== undefined && day >= start && day < end;
    });
}

export interface CleanResult {
  files: number;
  lines: number;
  ok: number;
  rejected: RejectedLine[];
  /** Lake paths of the clean Parquet files. */
  parquet: string[];
}

/** Cleans the interval's log files on the cluster; rejected lines are recorded in the warehouse. `signal` stops the job (JOB_STOPPED). */
export async function cleanEvents(cluster: Cluster, sources: SparkifySources, wh: Warehouse, interval: Interval, signal?: AbortSignal): Promise<CleanResult> {
  const files = await logFilesOf(sources.logs, interval);
  const params: CleanJobParams = { sourceRoot: sources.logs.root, outRoot: sources.lake.root, out: CLEAN_DATASET };
  const result = await cluster.runner.run<{ path: string }, CleanFileResult, CleanJobParams>({ module: CLEAN_JOB, input: files.map((p) => ({ path: p })), params, partitions: Math.min(files.length, cluster.workers) || 1 }, { signal });
  if (result.errors.length > 0) throw new Error(`the clean job could not read ${result.errors.length} file(s): ${result.errors.map((e) => e.error).join("; ")}`);
  const rejected = result.outputs.flatMap((o) => o.rejected);
  // Rejected lines by their key (file, line): a re-run replaces this interval's files' rows.
  await wh.createTable(TABLES.rejected, SCHEMAS.rejected);
  for (const file of files) await wh.query(`DELETE FROM ${TABLES.rejected} WHERE file = @file`, { file });
  if (rejected.length > 0) await wh.loadRows(TABLES.rejected, rejected as unknown as Record<string, unknown>[]);
  const sum = (f: (o: CleanFileResult) => number) => result.outputs.reduce((a, o) => a + f(o), 0);
  return { files: files.length, lines: sum((o) => o.lines), ok: sum((o) => o.ok), rejected, parquet: result.outputs.map((o) => o.parquet).filter(Boolean) };
}

/** The first `limit` rejected log lines in the warehouse, by file and line, with the reason. */
export async function rejectedLines(wh: Warehouse, limit = 10): Promise<{ file: string; line_no: number; reason: string; text: string | null }[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new WorkbookError("OPTIONS_INVALID", `limit=${limit} must be a whole number of rows, 1 or more.`);
  const r = await wh.query<{ file: string; line_no: number; reason: string; text: string | null }>(`SELECT file, line_no, reason, text FROM ${TABLES.rejected} ORDER BY file, line_no LIMIT ${limit}`);
  return r.rows.map((x) => ({ file: x.file, line_no: Number(x.line_no), reason: x.reason, text: x.text }));
}

export interface SongsResult {
  files: number;
  songs: number;
  rejected: { file: string; reason: string }[];
}

/** Reads every song file on the cluster and stages the catalogue in the warehouse. `signal` stops the job (JOB_STOPPED). */
export async function loadSongs(cluster: Cluster, sources: SparkifySources, wh: Warehouse, signal?: AbortSignal): Promise<SongsResult> {
  const files = (await sources.songs.list("")).map((f) => f.path).filter((p) => p.endsWith(".json"));
  const result = await cluster.runner.run<{ path: string }, CleanSong, SongsJobParams>({ module: SONGS_JOB, input: files.map((p) => ({ path: p })), params: { sourceRoot: sources.songs.root }, partitions: Math.min(files.length, cluster.workers) || 1 }, { signal });
  await stageSongs(wh, result.outputs);
  return { files: files.length, songs: result.outputs.length, rejected: result.errors.map((e) => ({ file: e.input.path, reason: e.error })) };
}

/** Stages the interval's clean events (from the lake's Parquet files) in the warehouse. */
export async function loadEvents(lake: Lake, wh: Warehouse, parquet: string[], interval: Interval): Promise<number> {
  return withLocalFiles(lake, parquet, (files) => stageEvents(wh, interval, files));
}

/** Local paths of lake files (downloaded to a temp folder for a GCS lake). */
export async function withLocalFiles<T>(lake: Lake, paths: string[], fn: (files: string[]) => Promise<T>): Promise<T> {
  if (lake.kind === "local") return fn(paths.map((p) => lake.localPath(p) as string));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sparkify-"));
  try {
    const files: string[] = [];
    for (const [i, p] of paths.entries()) {
      const f = path.join(tmp, `${i}-${path.basename(p)}`);
      fs.writeFileSync(f, await lake.readFile(p));
      files.push(f);
    }
    return await fn(files);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

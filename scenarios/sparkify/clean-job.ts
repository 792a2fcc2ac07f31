/**
 * The clean job (run by lib/jobs on the cluster: the local worker pool, or Dataproc): one record
 * per raw log file. It validates every line (lineProblem in ./events.ts), writes the valid events of the file as one Parquet
 * file into the lake (`<out>/date=YYYY-MM-DD/part-<file>.parquet`, named after its input so a re-run
 * replaces it), and returns the counts and the rejected lines with their reasons: lines = ok + rejected.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineJob } from "../../lib/jobs/job";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { CLEAN_EVENT_SELECT, RAW_EVENT_COLUMNS, lineProblem } from "./events";

export interface CleanJobParams {
  /** Where the raw log files are: a folder or gs://bucket/prefix (record paths are relative to it). */
  sourceRoot: string;
  /** The lake the clean events go to (a folder or gs://bucket/prefix). */
  outRoot: string;
  /** Dataset of the clean events in that lake, e.g. "sparkify/clean/events". */
  out: string;
}

export interface RejectedLine {
  file: string;
  line_no: number;
  reason: string;
  text: string;
}

export interface CleanFileResult {
  file: string;
  /** The day of the file's name (YYYY-MM-DD). */
  date: string;
  lines: number;
  ok: number;
  rejected: RejectedLine[];
  /** Lake path of the Parquet file written ("" when no line was valid). */
  parquet: string;
}

let lakes: Map<string, Promise<Lake>> | undefined;

function lakeAt(root: string): Promise<Lake> {
  lakes ??= new Map();
  let lake = lakes.get(root);
  if (!lake) lakes.set(root, (lake = openLake({ root })));
  return lake;
}

type Connection = import("@duckdb/node-api").DuckDBConnection;
let duck: Promise<Connection> | undefined;

/** One in-memory DuckDB per worker process, for writing Parquet (closed when the process ends). */
function connection(): Promise<Connection> {
  duck ??= (async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    return db.connect();
  })();
  return duck;
}

/** The valid lines of a log file's text, and the rejected ones with their reasons (1-based line numbers). */
export function checkLines(file: string, text: string): { lines: number; valid: string[]; rejected: RejectedLine[] } {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the newline that ends the last line
  const valid: string[] = [];
  const rejected: RejectedLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    const problem = lineProblem(line);
    if (problem === undefined) valid.push(line);
    else rejected.push({ file, line_no: i + 1, reason: problem, text: line.slice(0, 500) });
  }
  return { lines: lines.length, valid, rejected };
}

/**
 * Writes valid raw lines as a Parquet file of clean events: DuckDB parses them with explicit types
 * and renames the columns (faster than building objects and serialising them again).
 */
export async function writeCleanParquet(validLines: string[], file: string): Promise<void> {
  const json = `${file}.ndjson`;
  const fd = fs.openSync(json, "w");
  try {
    for (let i = 0; i < validLines.length; i += 5000) fs.writeSync(fd, validLines.slice(i, i + 5000).join("\n") + "\n");
  } finally {
    fs.closeSync(fd);
  }
  const columns = Object.entries(RAW_EVENT_COLUMNS).map(([name, type]) => `'${name}': '${type}'`).join(", ");
  try {
    await (await connection()).run(`COPY (${CLEAN_EVENT_SELECT} FROM read_json('${json.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${columns}})) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  } finally {
    fs.rmSync(json, { force: true });
  }
}

export const job = defineJob<{ path: string }, CleanFileResult, CleanJobParams>({
  name: "sparkify-clean",
  async map(record, params) {
    const source = await lakeAt(params.sourceRoot);
    const lake = await lakeAt(params.outRoot);
    const date = /(\d{4}-\d{2}-\d{2})/.exec(path.basename(record.path))?.[1];
    if (!date) throw new Error(`${record.path}: the file name has no date (expected log_data/YYYY/MM/YYYY-MM-DD-events.json)`);
    const checked = checkLines(record.path, (await source.readFile(record.path)).toString("utf8"));
    let parquet = "";
    if (checked.valid.length > 0) {
      parquet = `${params.out}/date=${date}/part-${path.basename(record.path, ".json").replace(/[^A-Za-z0-9_-]/g, "_")}.parquet`;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sparkify-clean-"));
      try {
        const local = path.join(tmp, "events.parquet");
        await writeCleanParquet(checked.valid, local);
        await lake.upload(parquet, local);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    return { file: record.path, date, lines: checked.lines, ok: checked.valid.length, rejected: checked.rejected, parquet };
  },
});

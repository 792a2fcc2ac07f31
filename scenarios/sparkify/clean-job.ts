/**
 * The clean job (run by lib/jobs on the cluster: the local worker pool, or Dataproc): one record
 * per raw log file. It validates every line, writes the valid events of the file as one Parquet
 * file into the lake (`<out>/date=YYYY-MM-DD/part-<file>.parquet`, named after its input so a re-run
 * replaces it), and returns the counts and the rejected lines with their reasons: lines = ok + rejected.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineJob } from "../../lib/jobs/job";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { CLEAN_EVENT_COLUMNS, parseEventLine, type CleanEvent } from "./events";

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

const DUCK_TYPES: Record<string, string> = { INT64: "BIGINT", TIMESTAMP: "TIMESTAMP", STRING: "VARCHAR", FLOAT64: "DOUBLE" };
let lakes: Map<string, Promise<Lake>> | undefined;

function lakeAt(root: string): Promise<Lake> {
  lakes ??= new Map();
  let lake = lakes.get(root);
  if (!lake) lakes.set(root, (lake = openLake({ root })));
  return lake;
}

/** Writes events to a Parquet file with an in-memory DuckDB (explicit column types, no inference). */
export async function writeEventsParquet(events: CleanEvent[], file: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const json = `${file}.ndjson`;
  fs.writeFileSync(json, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const columns = CLEAN_EVENT_COLUMNS.map(([name, type]) => `'${name}': '${DUCK_TYPES[type]}'`).join(", ");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    await con.run(`COPY (SELECT * FROM read_json('${json.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${columns}})) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  } finally {
    con.closeSync();
    db.closeSync();
    fs.rmSync(json, { force: true });
  }
}

export const job = defineJob<{ path: string }, CleanFileResult, CleanJobParams>({
  name: "sparkify-clean",
  async map(record, params) {
    const source = await lakeAt(params.sourceRoot);
    const lake = await lakeAt(params.outRoot);
    const text = (await source.readFile(record.path)).toString("utf8");
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop(); // the newline that ends the last line
    const date = /(\d{4}-\d{2}-\d{2})/.exec(path.basename(record.path))?.[1];
    if (!date) throw new Error(`${record.path}: the file name has no date (expected log_data/YYYY/MM/YYYY-MM-DD-events.json)`);
    const events: CleanEvent[] = [];
    const rejected: RejectedLine[] = [];
    lines.forEach((line, i) => {
      const parsed = parseEventLine(line);
      if (parsed.ok) events.push(parsed.event);
      else rejected.push({ file: record.path, line_no: i + 1, reason: parsed.reason, text: line.slice(0, 500) });
    });
    let parquet = "";
    if (events.length > 0) {
      parquet = `${params.out}/date=${date}/part-${path.basename(record.path, ".json").replace(/[^A-Za-z0-9_-]/g, "_")}.parquet`;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sparkify-clean-"));
      try {
        const local = path.join(tmp, "events.parquet");
        await writeEventsParquet(events, local);
        await lake.upload(parquet, local);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    return { file: record.path, date, lines: lines.length, ok: events.length, rejected, parquet };
  },
});

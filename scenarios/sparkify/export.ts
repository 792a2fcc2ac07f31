/**
 * Writes the star schema to the lake as Parquet, partitioned as the original: songs by
 * year/artist_id, time and songplays by year/month; users and artists as one file each. Each
 * partition is replaced whole (lake.replacePartition), so a re-run leaves one copy of every row.
 * A month partition is replaced only by an export of that whole month (the DAG runs @monthly): an
 * export of part of a month would drop the rest of it from the lake.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WorkbookError } from "../../lib/errors";
import type { Lake } from "../../lib/lake/lake";
import { sqlLiteral, withMemoryDuckDB, writeRowsParquet } from "../../lib/warehouse/local-duckdb";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES, type Interval } from "./star-schema";

export interface ExportedTable {
  table: string;
  dataset: string;
  partitions: number;
  rows: number;
}

interface ExportSpec {
  name: keyof typeof TABLES;
  /** SELECT text; INTERVAL_START / INTERVAL_END are replaced by timestamp literals. */
  select: string;
  partitionBy: string[];
}

const SPECS: ExportSpec[] = [
  { name: "songplays", select: `SELECT *, EXTRACT(YEAR FROM start_time) AS year, EXTRACT(MONTH FROM start_time) AS month FROM ${TABLES.songplays} WHERE start_time >= INTERVAL_START AND start_time < INTERVAL_END`, partitionBy: ["year", "month"] },
  { name: "time", select: `SELECT * FROM ${TABLES.time} WHERE start_time >= INTERVAL_START AND start_time < INTERVAL_END`, partitionBy: ["year", "month"] },
  { name: "songs", select: `SELECT * FROM ${TABLES.songs}`, partitionBy: ["year", "artist_id"] },
  { name: "users", select: `SELECT * FROM ${TABLES.users}`, partitionBy: [] },
  { name: "artists", select: `SELECT * FROM ${TABLES.artists}`, partitionBy: [] },
];

const tsLiteral = (iso: string) => `TIMESTAMP '${new Date(iso).toISOString().replace("T", " ").replace("Z", "")}'`;
const quote = sqlLiteral;

/** Runs a SELECT in the warehouse into a local Parquet file. */
async function selectToParquet(wh: Warehouse, sql: string, file: string): Promise<void> {
  if (wh.kind === "duckdb") {
    await wh.query(`COPY (${sql}) TO ${quote(file)} (FORMAT parquet)`);
    return;
  }
  await writeRowsParquet((await wh.query(sql)).rows, file);
}

function leafFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith(".parquet")).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** True when `iso` is the first instant of a calendar month (UTC). */
function monthStart(iso: string): boolean {
  const d = new Date(iso);
  return d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
}

/** Writes every star table to `<star>/<table>/...` in the lake; the interval must be whole calendar months (UTC). */
export async function writeStarToLake(wh: Warehouse, lake: Lake, starPrefix: string, interval: Interval): Promise<ExportedTable[]> {
  if (!monthStart(interval.start) || !monthStart(interval.end) || !(new Date(interval.end) > new Date(interval.start))) {
    throw new WorkbookError("INPUT_INVALID", `writeStarToLake replaces the lake's songplays and time partitions (year, month) whole, so it exports whole calendar months (UTC); ${interval.start} to ${interval.end} is not, and would drop the rest of a month's rows. Export from the 1st of a month, 00:00 UTC, to the 1st of a later month.`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sparkify-star-"));
  const out: ExportedTable[] = [];
  try {
    for (const spec of SPECS) {
      const file = path.join(tmp, `${spec.name}.parquet`);
      const sql = spec.select.replace("INTERVAL_START", tsLiteral(interval.start)).replace("INTERVAL_END", tsLiteral(interval.end));
      await selectToParquet(wh, sql, file);
      const dataset = `${starPrefix}/${spec.name}`;
      const rows = await withMemoryDuckDB(async (run) => {
        const n = Number((await run(`SELECT COUNT(*) AS n FROM read_parquet(${quote(file)})`))[0].n);
        if (spec.partitionBy.length > 0 && n > 0) {
          await run(`COPY (SELECT * FROM read_parquet(${quote(file)})) TO ${quote(path.join(tmp, spec.name))} (FORMAT parquet, PARTITION_BY (${spec.partitionBy.join(", ")}))`);
        }
        return n;
      });
      if (spec.partitionBy.length === 0) {
        await lake.writeFile(`${dataset}/part-00000.parquet`, fs.readFileSync(file));
        out.push({ table: spec.name, dataset, partitions: 1, rows });
        continue;
      }
      const files = rows > 0 ? leafFiles(path.join(tmp, spec.name)) : [];
      const queue = [...files];
      const workers = Array.from({ length: 8 }, async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          const rel = path.relative(path.join(tmp, spec.name), path.dirname(f)).split(path.sep);
          const values = Object.fromEntries(rel.map((seg) => seg.split("=") as [string, string]).map(([k, v]) => [k, decodeURIComponent(v)]));
          await lake.replacePartition(dataset, values, [{ name: "part-00000.parquet", data: fs.readFileSync(f) }]);
        }
      });
      await Promise.all(workers);
      out.push({ table: spec.name, dataset, partitions: files.length, rows });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

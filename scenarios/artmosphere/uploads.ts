/**
 * Where artworks are uploaded: uploading.log -> the lake (the raw log as it came, then one NDJSON
 * file per day under `artmosphere/uploads/dt=YYYY-MM-DD/`) -> the warehouse table
 * `artmosphere_uploads`, partitioned by day and replaced one day at a time (a re-run replaces,
 * never doubles) -> uploads per country for the day the learner picks (the original's map query
 * had its date written into the SQL) -> a world map, joined to world-atlas by ISO numeric code.
 */
import type { Lake } from "../../lib/lake/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import type { RejectedLine } from "./catalogue";
import { countryOf } from "./countries";
import { parseUpload } from "./logs";

export const UPLOAD_TABLES = { uploads: "artmosphere_uploads", rejected: "artmosphere_rejected" } as const;
export const LAKE_PATHS = { raw: "artmosphere/raw", uploads: "artmosphere/uploads" } as const;

/** Uploads per country on one day: `@day` is a parameter, never a date in the SQL text. */
export const UPLOADS_BY_COUNTRY_SQL = `SELECT country, COUNT(*) AS uploads
FROM ${UPLOAD_TABLES.uploads}
WHERE day = @day
GROUP BY country
ORDER BY uploads DESC, country`;

export interface UploadLoad {
  lines: number;
  ok: number;
  rejected: RejectedLine[];
  /** Days loaded, each one lake partition and one warehouse partition. */
  days: string[];
}

/** Parses uploading.log, writes the lake (raw + daily partitions) and loads the warehouse by day. */
export async function loadUploads(lake: Lake, wh: Warehouse, lines: string[], artworkIds?: ReadonlySet<string>): Promise<UploadLoad> {
  const rejected: RejectedLine[] = [];
  const byDay = new Map<string, Array<{ uploaded_at: Date; day: string; user_id: string; artwork_id: string; country: string }>>();
  let count = 0;
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    count++;
    const r = parseUpload(line, artworkIds);
    if (!r.ok) {
      rejected.push({ source: "uploading.log", line_no: i + 1, reason: r.reason, line });
      return;
    }
    const day = new Date(r.value.ts).toISOString().slice(0, 10);
    const rows = byDay.get(day) ?? [];
    rows.push({ uploaded_at: new Date(r.value.ts), day, user_id: r.value.user_id, artwork_id: r.value.artwork_id, country: r.value.country });
    byDay.set(day, rows);
  });
  await lake.writeFile(`${LAKE_PATHS.raw}/uploading.log`, lines.join("\n") + "\n");
  await wh.createTable(UPLOAD_TABLES.uploads, {
    columns: [
      { name: "uploaded_at", type: "TIMESTAMP", mode: "REQUIRED" },
      { name: "day", type: "DATE", mode: "REQUIRED" },
      { name: "user_id", type: "STRING", mode: "REQUIRED" },
      { name: "artwork_id", type: "STRING", mode: "REQUIRED" },
      { name: "country", type: "STRING", mode: "REQUIRED" },
    ],
    partitionBy: "day",
    clusterBy: ["country"],
  });
  const days = [...byDay.keys()].sort();
  for (const day of days) {
    const rows = byDay.get(day)!;
    await lake.replacePartition(LAKE_PATHS.uploads, { dt: day }, [{ name: "part-00000.json", data: rows.map((r) => JSON.stringify({ ...r, uploaded_at: r.uploaded_at.toISOString() })).join("\n") + "\n" }]);
    await wh.loadRows(UPLOAD_TABLES.uploads, rows, { partition: day });
  }
  return { lines: count, ok: count - rejected.length, rejected, days };
}

/** Keeps rejected lines of every source in one warehouse table, replaced on each run. */
export async function saveRejected(wh: Warehouse, rejected: RejectedLine[]): Promise<void> {
  await wh.createTable(UPLOAD_TABLES.rejected, { columns: [{ name: "source", type: "STRING" }, { name: "line_no", type: "INT64" }, { name: "reason", type: "STRING" }, { name: "line", type: "STRING" }] });
  await wh.loadRows(UPLOAD_TABLES.rejected, rejected.map((r) => ({ ...r })), { write: "TRUNCATE" });
}

export type CountryUploads = {
  /** ISO numeric, as world-atlas has it. */
  id: string;
  alpha2: string;
  country: string;
  uploads: number;
};

/** Uploads per country on `day` (YYYY-MM-DD), read from the warehouse. */
export async function uploadsByCountry(wh: Warehouse, day: string): Promise<CountryUploads[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new WorkbookError("INPUT_INVALID", `day ${JSON.stringify(day)} is not a date YYYY-MM-DD; pick one of the days the uploads cover, e.g. "2016-02-03".`);
  }
  const { rows } = await wh.query<{ country: string; uploads: number }>(UPLOADS_BY_COUNTRY_SQL, { day }, { types: { day: "DATE" } });
  return rows.map((r) => {
    const c = countryOf(r.country);
    return { id: c?.numeric ?? "", alpha2: r.country, country: c?.name ?? r.country, uploads: Number(r.uploads) };
  });
}

/** The days with uploads in the warehouse, in order. */
export async function uploadDays(wh: Warehouse): Promise<string[]> {
  const { rows } = await wh.query<{ day: string }>(`SELECT DISTINCT day FROM ${UPLOAD_TABLES.uploads} ORDER BY day`);
  return rows.map((r) => String(r.day));
}

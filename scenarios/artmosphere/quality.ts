/**
 * The checks that guard Artmosphere's tables, declared with lib/quality next to the tables they
 * guard, in both places the data lives:
 * - the warehouse: the catalogue as a dimension table (`artmosphere_catalogue`: one row per
 *   artwork, ids unique, titles present, categories Artsy's), the (artwork, gene) rows and the
 *   similar-artworks table (every artwork they name is in the catalogue, Jaccard in 0..1, one row
 *   per artwork and rank), and the uploads, checked one day at a time as a daily load is: the
 *   newest upload at most 6 h before the day's end, a row count near the previous days', known
 *   country codes, every artwork in the catalogue, and the countries' shares not drifting from the
 *   previous day's by more than 10 points;
 * - PostgreSQL: the popularity windows (one row per window and artwork, counts of 1 or more,
 *   5-second windows, every artwork in the search table).
 * `plantUploadOfMissingArtwork` loads one day again with an upload of an artwork the catalogue does
 * not have, runs the day's checks, and puts the day back as it was.
 */
import { WorkbookError, isWorkbookError } from "../../lib/errors";
import {
  acceptedValues, assertChecks, checkName, columnsAre, drift, freshness, notNull, postgresTarget, range, references, runChecks, sqlCheck, unique, volume, warehouseTarget,
  type QualityCheck, type QualityResult, type QualityResultRow,
} from "../../lib/quality";
import type { SqlDatabase } from "../../lib/sql/sql";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { Artwork } from "./catalogue";
import { COUNTRIES } from "./countries";
import { CATEGORIES } from "./generate";
import { POPULARITY_TABLE, WINDOW_MS } from "./popularity";
import { SEARCH_TABLE } from "./search";
import { SIMILARITY_TABLES } from "./similarity";
import { UPLOAD_TABLES } from "./uploads";

export const QUALITY_TABLES = { catalogue: "artmosphere_catalogue" } as const;

/** The artwork id of the planted upload: 24 zeros, an id no catalogue has. */
export const MISSING_ARTWORK = "0".repeat(24);

/** Loads the catalogue into the warehouse as a dimension table (replaced whole). Returns the rows. */
export async function loadCatalogueTable(wh: Warehouse, artworks: readonly Artwork[]): Promise<number> {
  await wh.createTable(QUALITY_TABLES.catalogue, {
    columns: [
      { name: "id", type: "STRING", mode: "REQUIRED" }, { name: "title", type: "STRING", mode: "REQUIRED" }, { name: "category", type: "STRING" },
      { name: "artist_id", type: "STRING", mode: "REQUIRED" }, { name: "genes", type: "INT64" },
    ],
  });
  await wh.loadRows(QUALITY_TABLES.catalogue, artworks.map((a) => ({ id: a.id, title: a.title, category: a.category, artist_id: a.artist_id, genes: a.genes.length })), { write: "TRUNCATE" });
  return artworks.length;
}

/** The warehouse's catalogue, genes and similar-artworks tables (no time column: the whole table). */
export function catalogueChecks(): QualityCheck[] {
  const catalogue = QUALITY_TABLES.catalogue;
  const { genes, similar } = SIMILARITY_TABLES;
  const inCatalogue = (table: string, column: string) => references({ table, column, to: catalogue, toColumn: "id" });
  return [
    volume({ table: catalogue, min: 1 }),
    columnsAre({ table: catalogue, columns: { id: "STRING", title: "STRING", category: "STRING", artist_id: "STRING", genes: "INT64" } }),
    notNull({ table: catalogue, column: "title" }),
    unique({ table: catalogue, columns: ["id"] }),
    // a catalogue of your own may use other categories: recorded as a warning, the load goes on
    acceptedValues({ table: catalogue, column: "category", values: [...CATEGORIES], severity: "warn" }),
    unique({ table: genes, columns: ["artwork_id", "gene"] }),
    inCatalogue(genes, "artwork_id"),
    range({ table: similar, column: "jaccard", min: 0, max: 1 }),
    unique({ table: similar, columns: ["artwork_id", "rank"] }),
    inCatalogue(similar, "similar_id"),
  ];
}

/** The uploads of one day (the interval): fresh, as many as the previous days, known countries and artworks, no drift. */
export function uploadChecks(table: string = UPLOAD_TABLES.uploads): QualityCheck[] {
  const timeColumn = "uploaded_at";
  return [
    freshness({ table, column: "uploaded_at", maxLagHours: 6 }),
    volume({ table, timeColumn, min: 1, tolerance: 0.5, name: "rows within 50% of earlier days" }),
    acceptedValues({ table, timeColumn, column: "country", values: [...COUNTRIES.keys()] }),
    references({ table, timeColumn, column: "artwork_id", to: QUALITY_TABLES.catalogue, toColumn: "id" }),
    drift({ table, timeColumn, column: "country", categorical: true, threshold: 0.1 }),
  ];
}

/** The popularity windows in PostgreSQL. */
export function popularityChecks(): QualityCheck[] {
  const table = POPULARITY_TABLE;
  return [
    volume({ table, min: 1 }),
    unique({ table, columns: ["window_start", "artwork_id"] }),
    range({ table, column: "collects", min: 1 }),
    sqlCheck({ table, kind: "schema", name: `windows are ${WINDOW_MS / 1000} s long`, sql: `SELECT COUNT(*) AS n FROM ${table} WHERE window_end <> window_start + INTERVAL '${WINDOW_MS / 1000} seconds'` }),
    references({ table, column: "artwork_id", to: SEARCH_TABLE, toColumn: "id" }),
  ];
}

/** The interval of one day, YYYY-MM-DD. */
export function dayInterval(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(start.getTime())) throw new WorkbookError("INPUT_INVALID", `day ${JSON.stringify(day)} is not a date YYYY-MM-DD; pick one of the days the uploads cover, e.g. "2016-02-03".`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

export interface ArtmosphereQuality {
  /** The latest result of every check: the catalogue's, the last day's uploads' and the popularity's. */
  results: QualityResult[];
  /** One row per day loaded: its uploads, the largest change of a country's share, the worst status. */
  byDay: { day: string; uploads: number | null; "largest country shift": string; status: string; detail: string }[];
  /** Every stored result of Artmosphere's tables, both targets, for the scorecard. */
  rows: QualityResultRow[];
}

/**
 * Runs the checks: the uploads day by day in order (each day's volume and drift compared with the
 * days before), then the catalogue's and the popularity's, recorded under the last day. Throws
 * nothing for a failed check: `assertChecks(results)` stops the load.
 */
export async function runArtmosphereQuality(wh: Warehouse, db: SqlDatabase, days: readonly string[]): Promise<ArtmosphereQuality> {
  if (days.length === 0) throw new WorkbookError("INPUT_INVALID", "no upload days to check; load the uploads first (loadUploads returns the days).");
  const whTarget = warehouseTarget(wh);
  const pgTarget = postgresTarget(db);
  const byDay: ArtmosphereQuality["byDay"] = [];
  let last: QualityResult[] = [];
  for (const day of [...days].sort()) {
    last = await runChecks(whTarget, uploadChecks(), { interval: dayInterval(day), runId: `uploads ${day}` });
    const vol = last.find((r) => r.kind === "volume");
    const dr = last.find((r) => r.kind === "drift");
    const worst = last.some((r) => r.status === "fail") ? "fail" : last.some((r) => r.status === "warn") ? "warn" : "pass";
    byDay.push({
      day, uploads: vol?.observed ?? null, "largest country shift": dr?.observed === null || dr?.observed === undefined ? "-" : `${(dr.observed * 100).toFixed(1)} points`,
      status: worst, detail: last.filter((r) => r.status !== "pass").map((r) => `${r.check} (${/no earlier run/.test(r.detail) ? "no earlier day yet" : r.detail})`).join("; ") || "all pass",
    });
  }
  const interval = dayInterval([...days].sort()[days.length - 1]);
  const catalogue = await runChecks(whTarget, catalogueChecks(), { interval, runId: "catalogue" });
  const popularity = await runChecks(pgTarget, popularityChecks(), { interval, runId: "popularity" });
  const ours = (r: QualityResultRow) => r.table_name.startsWith("artmosphere_");
  const rows = [...(await whTarget.allResults()), ...(await pgTarget.allResults())].filter(ours);
  return { results: [...catalogue, ...last, ...popularity], byDay, rows };
}

export interface PlantedUpload {
  fault: string;
  /** The check expected to catch it. */
  check: string;
  /** The day's checks with the planted row in the table. */
  results: QualityResult[];
  /** The row planted. */
  row: { uploaded_at: Date; day: string; user_id: string; artwork_id: string; country: string };
  /** What assertChecks said: the load of the day stops (empty if it would have gone on). */
  stopped: string;
}

const dayText = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/**
 * Loads `day` again with one more upload, of an artwork the catalogue does not have (as a loader
 * that skipped the parser's check would), runs that day's checks without recording them, and loads
 * the day back as it was (its partition replaced), whatever happens.
 */
export async function plantUploadOfMissingArtwork(wh: Warehouse, day: string): Promise<PlantedUpload> {
  const interval = dayInterval(day);
  const table = UPLOAD_TABLES.uploads;
  const { rows } = await wh.query<Record<string, unknown>>(`SELECT uploaded_at, day, user_id, artwork_id, country FROM ${table} WHERE day = @day`, { day }, { types: { day: "DATE" } });
  if (rows.length === 0) throw new WorkbookError("INPUT_INVALID", `no uploads on ${day} to plant a fault in; pick one of the days the uploads cover.`);
  const clean = rows.map((r) => ({ uploaded_at: new Date(r.uploaded_at as string | Date), day: dayText(r.day), user_id: String(r.user_id), artwork_id: String(r.artwork_id), country: String(r.country) }));
  const row = { uploaded_at: new Date(interval.start.getTime() + 12 * 3600_000), day, user_id: "user_planted", artwork_id: MISSING_ARTWORK, country: "FR" };
  const checks = uploadChecks(table);
  const check = checks.find((c) => c.type === "relationship")!;
  try {
    await wh.loadRows(table, [...clean, row], { partition: day });
    const results = await runChecks(warehouseTarget(wh), checks, { interval, record: false });
    let stopped = "";
    try {
      assertChecks(results, `the load of ${day}`);
    } catch (err) {
      if (!isWorkbookError(err, "DAG_QUALITY_FAILED")) throw err;
      stopped = err.message;
    }
    return { fault: `an upload on ${day} of artwork ${MISSING_ARTWORK}, not in the catalogue`, check: checkName(check), results, row, stopped };
  } finally {
    await wh.loadRows(table, clean, { partition: day });
  }
}

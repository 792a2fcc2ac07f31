/**
 * The checks that guard the image tables, declared with lib/quality, for the rows processed in the
 * interval checked (the day so far: `processed_at` in start..end):
 * - freshness: the newest `processed_at` is at most 24 hours old;
 * - volume: the day's partition of image_colors has rows;
 * - schema: the columns and their types, a dominant colour on every row, its red, green and blue in
 *   0..255, its share in 0..1, and at most k colours per image;
 * - uniqueness: one row per image and settings (uri, k, resize); one rejected row per image;
 * - referential: every row of image_colors and of image_colors_rejected names an image of the
 *   `images` dimension (the images listed for a run);
 * - drift: the shares of the dominant hues against the previous day's load (a warning: another
 *   day's images may well have other colours; it does not stop the load).
 */
import { columnsAre, drift, freshness, notNull, range, references, runChecks, showScorecard, sqlCheck, unique, volume, warehouseTarget, type PlantedFault, type QualityCheck, type QualityResult, type ResultRow, resultsTable as tableOf } from "../../lib/quality";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { loadImageColours, toTableRow, IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE, IMAGES_TABLE } from "./warehouse";
import type { ImageColoursRow } from "./job";
import type { RejectedImage } from "./scenario";

export interface ImageChecksOptions {
  /** The warehouse's engine: the JSON function that counts an image's colours differs. Default "duckdb". */
  engine?: "duckdb" | "bigquery";
}

/** The checks, in the order they run. */
export function imageChecks(options: ImageChecksOptions = {}): QualityCheck[] {
  const colors = IMAGE_COLORS_TABLE;
  const rejected = IMAGE_REJECTED_TABLE;
  const t = "processed_at";
  const colourCount = options.engine === "bigquery" ? "ARRAY_LENGTH(JSON_QUERY_ARRAY(colours))" : "json_array_length(colours)";
  return [
    freshness({ table: colors, column: t, maxLagHours: 24 }),
    volume({ table: colors, timeColumn: t, min: 1, name: "the day's partition has rows" }),
    columnsAre({ table: colors, columns: { uri: "STRING", k: "INT64", resize: "INT64", colours: "JSON", dominant_share: "FLOAT64", processed_at: "TIMESTAMP" } }),
    notNull({ table: colors, timeColumn: t, column: "dominant_hex" }),
    ...(["dominant_r", "dominant_g", "dominant_b"] as const).map((column) => range({ table: colors, timeColumn: t, column, min: 0, max: 255 })),
    range({ table: colors, timeColumn: t, column: "dominant_share", min: 0, max: 1 }),
    sqlCheck({ table: colors, kind: "schema", name: "at most k colours per image", sql: `SELECT COUNT(*) AS n FROM ${colors} WHERE ${colourCount} > k AND ${t} >= @start AND ${t} < @end` }),
    unique({ table: colors, timeColumn: t, columns: ["uri", "k", "resize"], name: "one row per image and settings" }),
    unique({ table: rejected, timeColumn: t, columns: ["uri"], name: "one rejected row per image" }),
    references({ table: colors, timeColumn: t, column: "uri", to: IMAGES_TABLE, toColumn: "uri" }),
    references({ table: rejected, timeColumn: t, column: "uri", to: IMAGES_TABLE, toColumn: "uri" }),
    drift({ table: colors, timeColumn: t, column: "dominant_hue", categorical: true, threshold: 0.25, severity: "warn" }),
  ];
}

/** The day so far: from midnight UTC of `now` to `now`. */
export function daySoFar(now = new Date()): { start: Date; end: Date } {
  return { start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())), end: now };
}

/**
 * Runs the checks on the warehouse for the day so far and records them in its quality_results
 * (a re-run the same day replaces that day's results). `assertChecks` on the result stops the load.
 */
export async function runImageChecks(wh: Warehouse, options: { now?: Date; record?: boolean } = {}): Promise<QualityResult[]> {
  return runChecks(warehouseTarget(wh), imageChecks({ engine: wh.kind }), { interval: daySoFar(options.now), record: options.record ?? true });
}

/** A fault to plant: a row loaded twice, or a colour row whose image nobody listed. */
export type ImageFault = "duplicated row" | "unlisted image";

/** The check each fault should trip. */
export const IMAGE_FAULT_CHECKS: Readonly<Record<ImageFault, string>> = {
  "duplicated row": "one row per image and settings",
  "unlisted image": `every uri exists in ${IMAGES_TABLE}`,
};

/**
 * Plants one fault in a scratch copy (`scratch`: an empty warehouse, e.g. openWarehouse({ memory: true })):
 * this run's rows are loaded there as in the real load, then the first row is inserted again
 * ("duplicated row") or inserted under a uri missing from `images` ("unlisted image"), and the
 * checks run there without recording. The real tables and results are not touched.
 */
export async function plantImageFault(scratch: Warehouse, fault: ImageFault, rows: readonly ImageColoursRow[], rejected: readonly RejectedImage[], listed: readonly string[]): Promise<QualityResult[]> {
  if (rows.length === 0) throw new Error("plantImageFault needs at least one processed row to copy");
  await loadImageColours(scratch, rows, rejected, { listed });
  const [first] = rows;
  const copy = fault === "duplicated row" ? first : { ...first, uri: "gs://elsewhere/unlisted.png" };
  await scratch.loadRows(IMAGE_COLORS_TABLE, [toTableRow(copy)]);
  return runImageChecks(scratch, { record: false });
}

/**
 * Plants each fault in a scratch warehouse of its own (DuckDB in memory, closed after) and returns
 * them as lib/quality's PlantedFault, for `qualitySummary`. None when no image was processed.
 */
export async function plantImageFaults(rows: readonly ImageColoursRow[], rejected: readonly RejectedImage[], listed: readonly string[]): Promise<PlantedFault[]> {
  if (rows.length === 0) return [];
  const planted: PlantedFault[] = [];
  for (const fault of Object.keys(IMAGE_FAULT_CHECKS) as ImageFault[]) {
    const scratch = await openWarehouse({ memory: true });
    try {
      planted.push({ fault: fault === "duplicated row" ? "a row loaded twice" : "a colour row of an image nobody listed", check: IMAGE_FAULT_CHECKS[fault], results: await plantImageFault(scratch, fault, rows, rejected, listed) });
    } finally {
      await scratch.close();
    }
  }
  return planted;
}

export { plantedTable } from "../../lib/quality";

/** The results as a table without their detail, observed to 3 decimals. */
export const resultsTable = (results: readonly QualityResult[]): ResultRow[] => tableOf(results, { detail: false, decimals: 3 });

/** The scorecard of the image tables' latest results (the warehouse's quality_results may hold other scenarios' too). */
export async function showImageScorecard(wh: Warehouse): Promise<void> {
  const tables: string[] = [IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE];
  const rows = (await warehouseTarget(wh).allResults()).filter((r) => tables.includes(r.table_name));
  await showScorecard(rows, { title: "Image tables: data quality" });
}

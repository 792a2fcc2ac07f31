/**
 * The warehouse side: the `image_colors` table (one row per image and settings, partitioned by
 * processing day), its rejected rows, and the two queries of the scenario. Loads merge by the rows'
 * own key, so a run replaces the rows it recomputes and leaves every other run's rows alone.
 */
import { WorkbookError } from "../../lib/errors";
import { parseHex } from "../../lib/images/colour";
import type { QueryParams, TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import type { ImageColoursRow } from "./job";
import type { RejectedImage } from "./scenario";

export const IMAGE_COLORS_TABLE = "image_colors";
export const IMAGE_REJECTED_TABLE = "image_colors_rejected";
/** The images dimension: one row per image ever listed for a run (the rows of both tables refer to it). */
export const IMAGES_TABLE = "images";

/** What identifies a row of `image_colors`: the image and the settings its colours depend on. */
export const IMAGE_COLORS_KEY = ["uri", "k", "resize"];
/** What identifies a row of `image_colors_rejected`: the image (why it failed does not depend on k). */
export const IMAGE_REJECTED_KEY = ["uri"];

/** One row per image and settings; the dominant colour is also in flat columns, so queries stay portable SQL. */
export const IMAGE_COLORS_SCHEMA: TableSchema = {
  columns: [
    { name: "uri", type: "STRING", mode: "REQUIRED" },
    { name: "width", type: "INT64" },
    { name: "height", type: "INT64" },
    { name: "k", type: "INT64", mode: "REQUIRED" },
    { name: "resize", type: "INT64", mode: "REQUIRED", description: "long side, in pixels, the image was shrunk to before k-means" },
    { name: "colours", type: "JSON", description: "[{hex, r, g, b, share, hue}], largest share first" },
    { name: "dominant_hex", type: "STRING" },
    { name: "dominant_hue", type: "STRING" },
    { name: "dominant_share", type: "FLOAT64" },
    { name: "dominant_r", type: "INT64" },
    { name: "dominant_g", type: "INT64" },
    { name: "dominant_b", type: "INT64" },
    { name: "processed_at", type: "TIMESTAMP", mode: "REQUIRED" },
  ],
  partitionBy: "processed_at",
  clusterBy: ["dominant_hue"],
};

export const IMAGE_REJECTED_SCHEMA: TableSchema = {
  columns: [
    { name: "uri", type: "STRING", mode: "REQUIRED" },
    { name: "reason", type: "STRING", mode: "REQUIRED" },
    { name: "processed_at", type: "TIMESTAMP", mode: "REQUIRED" },
  ],
  partitionBy: "processed_at",
};

/** One row per image listed: its uri, its file name, and when it was last listed. */
export const IMAGES_SCHEMA: TableSchema = {
  columns: [
    { name: "uri", type: "STRING", mode: "REQUIRED" },
    { name: "file_name", type: "STRING", mode: "REQUIRED" },
    { name: "listed_at", type: "TIMESTAMP", mode: "REQUIRED" },
  ],
};

/** The file name of a path or URI ("sample-001.png"). */
export function fileName(uri: string): string {
  return uri.split(/[\\/]/).pop() || uri;
}

/** A job row as a table row. */
export function toTableRow(row: ImageColoursRow): Record<string, unknown> {
  const top = row.colours[0];
  return {
    uri: row.uri, width: row.width, height: row.height, k: row.k, resize: row.resize, colours: row.colours,
    dominant_hex: top?.hex ?? null, dominant_hue: top?.hue ?? null, dominant_share: top?.share ?? null,
    dominant_r: top?.r ?? null, dominant_g: top?.g ?? null, dominant_b: top?.b ?? null,
    processed_at: row.processed_at,
  };
}

export interface LoadImageColoursResult {
  /** Rows merged into image_colors (one per image and settings). */
  rows: number;
  /** Rows merged into image_colors_rejected (one per image). */
  rejected: number;
}

/**
 * Creates the tables if needed and merges the rows by their own key, idempotently: an image
 * processed again with the same k and resize replaces its row, and every other row stays, whichever
 * run or day wrote it. A rejected image replaces its earlier rejection; an image processed now
 * leaves the rejected table. (Replacing the processing day's partition instead would erase the
 * rows of every other run of that day.) An image listed twice counts once, its last result. Every
 * image listed (`listed`, default: those of the rows and rejected rows) is merged into the `images`
 * dimension first, which the rows of both tables refer to.
 */
export async function loadImageColours(warehouse: Warehouse, rows: readonly ImageColoursRow[], rejected: readonly RejectedImage[] = [], options: { listed?: readonly string[] } = {}): Promise<LoadImageColoursResult> {
  await warehouse.createTable(IMAGES_TABLE, IMAGES_SCHEMA);
  await warehouse.createTable(IMAGE_COLORS_TABLE, IMAGE_COLORS_SCHEMA);
  await warehouse.createTable(IMAGE_REJECTED_TABLE, IMAGE_REJECTED_SCHEMA);
  const columns = (await warehouse.describeTable(IMAGE_COLORS_TABLE)).schema.columns.map((c) => c.name);
  if (!columns.includes("resize")) {
    throw new WorkbookError("SCHEMA_MISMATCH", `Table ${JSON.stringify(IMAGE_COLORS_TABLE)} was made by an earlier workbook, without the column "resize" that is part of each row's key (${IMAGE_COLORS_KEY.join(", ")}); drop it (npx workbook query "DROP TABLE ${IMAGE_COLORS_TABLE}") and run again.`);
  }
  const colours = lastPerKey(rows.map(toTableRow), IMAGE_COLORS_KEY);
  const failed = lastPerKey(rejected.map((r) => ({ ...r })), IMAGE_REJECTED_KEY);
  const listedAt = [...rows.map((r) => r.processed_at), ...rejected.map((r) => r.processed_at)].sort().pop() ?? new Date().toISOString();
  const listed = [...new Set([...(options.listed ?? []), ...colours.map((r) => String(r.uri)), ...failed.map((r) => String(r.uri))])];
  const stillRejected = new Set(failed.map((r) => r.uri));
  const nowProcessed = [...new Set(colours.map((r) => String(r.uri)))].filter((uri) => !stillRejected.has(uri));
  if (listed.length > 0) await warehouse.mergeRows(IMAGES_TABLE, listed.map((uri) => ({ uri, file_name: fileName(uri), listed_at: listedAt })), { key: ["uri"] });
  await warehouse.mergeRows(IMAGE_COLORS_TABLE, colours, { key: IMAGE_COLORS_KEY });
  await warehouse.mergeRows(IMAGE_REJECTED_TABLE, failed, { key: IMAGE_REJECTED_KEY, delete: nowProcessed.map((uri) => ({ uri })) });
  return { rows: colours.length, rejected: failed.length };
}

/** One row per key, the last one given (a merge takes one row per key). */
function lastPerKey(rows: Record<string, unknown>[], key: readonly string[]): Record<string, unknown>[] {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const row of rows) byKey.set(JSON.stringify(key.map((k) => row[k])), row);
  return [...byKey.values()];
}

export interface StoredCounts {
  /** Rows in image_colors, from every run. */
  rows: number;
  /** Distinct images among them. */
  images: number;
  /** Rows in image_colors_rejected. */
  rejected: number;
}

/** What the tables hold now, from every run: rows, distinct images, rejected images. */
export async function storedCounts(warehouse: Warehouse): Promise<StoredCounts> {
  const { rows } = await warehouse.query<Record<string, number>>(
    `SELECT (SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE}) AS n_rows,
            (SELECT COUNT(DISTINCT uri) FROM ${IMAGE_COLORS_TABLE}) AS n_images,
            (SELECT COUNT(*) FROM ${IMAGE_REJECTED_TABLE}) AS n_rejected`,
  );
  return { rows: Number(rows[0].n_rows), images: Number(rows[0].n_images), rejected: Number(rows[0].n_rejected) };
}

/** Only the rows made with these settings (each run's k and resize give rows of their own). */
export interface SettingsFilter {
  /** Default: every k. */
  k?: number;
  /** Default: every resize. */
  resize?: number;
}

function settingsWhere(filter: SettingsFilter): { where: string; params: QueryParams; types: Record<string, "INT64"> } {
  const names = (["k", "resize"] as const).filter((name) => filter[name] !== undefined);
  return {
    where: names.length > 0 ? `WHERE ${names.map((n) => `${n} = @${n}`).join(" AND ")}` : "",
    params: Object.fromEntries(names.map((n) => [n, filter[n]])),
    types: Object.fromEntries(names.map((n) => [n, "INT64" as const])),
  };
}

export type HueCount = {
  hue: string;
  images: number;
  /** Average share of that dominant colour in those images. */
  avg_share: number;
};

/** The most frequent dominant hues: how many images have each colour family as their largest colour. */
export async function topHues(warehouse: Warehouse, options: SettingsFilter & { limit?: number } = {}): Promise<HueCount[]> {
  const only = settingsWhere(options);
  const { rows } = await warehouse.query<HueCount>(
    `SELECT dominant_hue AS hue, COUNT(*) AS images, ROUND(AVG(dominant_share), 3) AS avg_share
     FROM ${IMAGE_COLORS_TABLE}
     ${only.where}
     GROUP BY dominant_hue
     ORDER BY images DESC, hue
     LIMIT @limit`,
    { ...only.params, limit: options.limit ?? 10 },
    { types: { ...only.types, limit: "INT64" } },
  );
  return rows.map((r) => ({ hue: String(r.hue), images: Number(r.images), avg_share: Number(r.avg_share) }));
}

export type NearImage = {
  uri: string;
  dominant_hex: string;
  dominant_share: number;
  /** Euclidean RGB distance between the dominant colour and the one asked for. */
  distance: number;
};

/** The images whose dominant colour is nearest to `hex` (e.g. "#3080ff"). */
export async function nearestImages(warehouse: Warehouse, hex: string, options: SettingsFilter & { limit?: number } = {}): Promise<NearImage[]> {
  const rgb = parseHex(hex);
  if (!rgb) throw new WorkbookError("OPTIONS_INVALID", `colour ${JSON.stringify(hex)} is not a hex colour; write it like "#3080ff".`);
  const only = settingsWhere(options);
  const { rows } = await warehouse.query<NearImage>(
    `SELECT uri, dominant_hex, dominant_share,
            SQRT(POW(dominant_r - @r, 2) + POW(dominant_g - @g, 2) + POW(dominant_b - @b, 2)) AS distance
     FROM ${IMAGE_COLORS_TABLE}
     ${only.where}
     ORDER BY distance, uri
     LIMIT @limit`,
    { ...only.params, r: rgb[0], g: rgb[1], b: rgb[2], limit: options.limit ?? 5 },
    { types: { ...only.types, r: "INT64", g: "INT64", b: "INT64", limit: "INT64" } },
  );
  return rows.map((r) => ({ uri: String(r.uri), dominant_hex: String(r.dominant_hex), dominant_share: Number(r.dominant_share), distance: Math.round(Number(r.distance) * 10) / 10 }));
}

/**
 * The warehouse side: the `image_colors` table (partitioned by processing day), its rejected
 * rows, and the two queries of the scenario.
 */
import { WorkbookError } from "../../lib/errors";
import { parseHex } from "../../lib/images/colour";
import type { TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import type { ImageColoursRow } from "./job";
import type { RejectedImage } from "./scenario";

export const IMAGE_COLORS_TABLE = "image_colors";
export const IMAGE_REJECTED_TABLE = "image_colors_rejected";

/** One row per image; the dominant colour is also in flat columns, so queries stay portable SQL. */
export const IMAGE_COLORS_SCHEMA: TableSchema = {
  columns: [
    { name: "uri", type: "STRING", mode: "REQUIRED" },
    { name: "width", type: "INT64" },
    { name: "height", type: "INT64" },
    { name: "k", type: "INT64" },
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

/** A job row as a table row. */
export function toTableRow(row: ImageColoursRow): Record<string, unknown> {
  const top = row.colours[0];
  return {
    uri: row.uri, width: row.width, height: row.height, k: row.k, colours: row.colours,
    dominant_hex: top?.hex ?? null, dominant_hue: top?.hue ?? null, dominant_share: top?.share ?? null,
    dominant_r: top?.r ?? null, dominant_g: top?.g ?? null, dominant_b: top?.b ?? null,
    processed_at: row.processed_at,
  };
}

export interface LoadImageColoursResult {
  rows: number;
  rejected: number;
  /** The processing days replaced. */
  days: string[];
}

/**
 * Creates the tables if needed and loads the rows, one processing day at a time. Each day's
 * partition is replaced (idempotent: running the same images again the same day gives the same
 * table, not twice the rows).
 */
export async function loadImageColours(warehouse: Warehouse, rows: readonly ImageColoursRow[], rejected: readonly RejectedImage[] = []): Promise<LoadImageColoursResult> {
  await warehouse.createTable(IMAGE_COLORS_TABLE, IMAGE_COLORS_SCHEMA);
  await warehouse.createTable(IMAGE_REJECTED_TABLE, IMAGE_REJECTED_SCHEMA);
  const days = new Set<string>();
  for (const [day, group] of byDay(rows.map(toTableRow))) {
    await warehouse.loadRows(IMAGE_COLORS_TABLE, group, { partition: day });
    days.add(day);
  }
  for (const [day, group] of byDay(rejected.map((r) => ({ ...r })))) {
    await warehouse.loadRows(IMAGE_REJECTED_TABLE, group, { partition: day });
    days.add(day);
  }
  return { rows: rows.length, rejected: rejected.length, days: [...days].sort() };
}

function byDay(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const day = String(row.processed_at).slice(0, 10);
    groups.set(day, [...(groups.get(day) ?? []), row]);
  }
  return groups;
}

export type HueCount = {
  hue: string;
  images: number;
  /** Average share of that dominant colour in those images. */
  avg_share: number;
};

/** The most frequent dominant hues: how many images have each colour family as their largest colour. */
export async function topHues(warehouse: Warehouse, options: { limit?: number } = {}): Promise<HueCount[]> {
  const { rows } = await warehouse.query<HueCount>(
    `SELECT dominant_hue AS hue, COUNT(*) AS images, ROUND(AVG(dominant_share), 3) AS avg_share
     FROM ${IMAGE_COLORS_TABLE}
     GROUP BY dominant_hue
     ORDER BY images DESC, hue
     LIMIT @limit`,
    { limit: options.limit ?? 10 },
    { types: { limit: "INT64" } },
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
export async function nearestImages(warehouse: Warehouse, hex: string, options: { limit?: number } = {}): Promise<NearImage[]> {
  const rgb = parseHex(hex);
  if (!rgb) throw new WorkbookError("OPTIONS_INVALID", `colour ${JSON.stringify(hex)} is not a hex colour; write it like "#3080ff".`);
  const { rows } = await warehouse.query<NearImage>(
    `SELECT uri, dominant_hex, dominant_share,
            SQRT(POW(dominant_r - @r, 2) + POW(dominant_g - @g, 2) + POW(dominant_b - @b, 2)) AS distance
     FROM ${IMAGE_COLORS_TABLE}
     ORDER BY distance, uri
     LIMIT @limit`,
    { r: rgb[0], g: rgb[1], b: rgb[2], limit: options.limit ?? 5 },
    { types: { r: "INT64", g: "INT64", b: "INT64", limit: "INT64" } },
  );
  return rows.map((r) => ({ uri: String(r.uri), dominant_hex: String(r.dominant_hex), dominant_share: Number(r.dominant_share), distance: Math.round(Number(r.distance) * 10) / 10 }));
}

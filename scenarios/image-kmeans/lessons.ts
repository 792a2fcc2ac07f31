/**
 * What the image notebook shows beside the job: the input images as a strip of thumbnails, the
 * rejected rows with file names instead of machine paths, the images that got fewer than k colours
 * (and why), and the naive "replace today's partition" load against the keyed merge.
 */
import { loadSharp } from "../../lib/images/dominant-colours";
import { publish } from "../../lib/display/output";
import { pictureBundle } from "../../lib/display/picture";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { ImageColoursRow } from "./job";
import { readImage } from "./read-image";
import type { RejectedImage } from "./scenario";
import { fileName, IMAGE_COLORS_KEY, IMAGE_COLORS_SCHEMA, toTableRow } from "./warehouse";

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Thumbnail {
  name: string;
  /** A PNG of the image shrunk to fit the thumbnail, or undefined when it cannot be read. */
  png?: Buffer;
  /** Why there is no picture ("missing file", "corrupt image"...). */
  problem?: string;
}

/** Reads each image and shrinks it to fit `size` x `size` * 3/4 pixels; an unreadable one keeps its reason. */
export async function thumbnails(uris: readonly string[], size = 96): Promise<Thumbnail[]> {
  const sharp = loadSharp();
  const out: Thumbnail[] = [];
  for (const uri of uris) {
    const name = fileName(uri);
    try {
      const bytes = await readImage(uri, { timeoutMs: 5000 });
      const png = await sharp(bytes, { failOn: "error" }).resize({ width: size, height: Math.round((size * 3) / 4), fit: "contain", background: "#ffffff" }).flatten({ background: "#ffffff" }).png().toBuffer();
      out.push({ name, png });
    } catch (err) {
      const message = (err as Error).message;
      out.push({ name, problem: message.startsWith("missing file") ? "missing file" : "cannot be decoded" });
    }
  }
  return out;
}

/** The thumbnails as one SVG strip (the pictures embedded as PNG), `perRow` to a row, each with its file name. */
export function thumbnailsSvg(items: readonly Thumbnail[], options: { size?: number; perRow?: number } = {}): string {
  const size = options.size ?? 96;
  const perRow = Math.max(1, options.perRow ?? 7);
  const h = Math.round((size * 3) / 4);
  const cellW = size + 12;
  const cellH = h + 22;
  const rows = Math.ceil(items.length / perRow);
  const width = cellW * Math.min(perRow, Math.max(1, items.length));
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${rows * cellH}" font-family="sans-serif" font-size="10">`];
  items.forEach((item, i) => {
    const x = (i % perRow) * cellW + 6;
    const y = Math.floor(i / perRow) * cellH;
    if (item.png) parts.push(`<image x="${x}" y="${y}" width="${size}" height="${h}" xlink:href="data:image/png;base64,${item.png.toString("base64")}"/>`);
    else {
      parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${h}" fill="#eeeeee" stroke="#cc0000" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${x + size / 2}" y="${y + h / 2 + 4}" text-anchor="middle" fill="#cc0000">${escape(item.problem ?? "unreadable")}</text>`);
    }
    const label = item.name.length > 18 ? `${item.name.slice(0, 17)}…` : item.name;
    parts.push(`<text x="${x + size / 2}" y="${y + h + 14}" text-anchor="middle">${escape(label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Shows the input images as a strip of thumbnails (SVG with a PNG beside it); unreadable ones as a dashed box saying why. */
export async function showThumbnails(uris: readonly string[], options: { size?: number; perRow?: number } = {}): Promise<void> {
  const items = await thumbnails(uris, options.size);
  const text = items.map((t) => `${t.name}${t.problem ? ` (${t.problem})` : ""}`).join(", ");
  publish(await pictureBundle(thumbnailsSvg(items, options), text));
}

/** Rejected rows as a learner reads them: the file name, and the reason with the path replaced by the file name. */
export function rejectedForDisplay(rejected: readonly RejectedImage[]): { image: string; reason: string }[] {
  return rejected.map((r) => ({ image: fileName(r.uri), reason: r.reason.split(r.uri).join(fileName(r.uri)) }));
}

// a type alias, not an interface, so that it fits show()'s Record<string, unknown>[]
export type FewerColours = {
  image: string;
  k: number;
  /** Colours the job found. */
  colours_found: number;
  /** Distinct colours of the image once shrunk as the job shrinks it (null: not readable here). */
  distinct_colours: number | null;
};

/** Distinct RGB colours of an image shrunk as the job shrinks it (nearest neighbour, long side `resize`, flattened on white). */
export async function distinctColours(uri: string, resize: number): Promise<number> {
  const bytes = await readImage(uri, { timeoutMs: 5000 });
  const { data, info } = await loadSharp()(bytes, { failOn: "error" })
    .resize({ width: resize, height: resize, fit: "inside", withoutEnlargement: true, kernel: "nearest" })
    .flatten({ background: "#ffffff" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const seen = new Set<number>();
  for (let i = 0; i + info.channels - 1 < data.length; i += info.channels) {
    seen.add(info.channels >= 3 ? (data[i] << 16) | (data[i + 1] << 8) | data[i + 2] : data[i]);
  }
  return seen.size;
}

/** The rows with fewer colours than their k, each with the distinct colours its shrunk image has. */
export async function fewerThanK(rows: readonly ImageColoursRow[]): Promise<FewerColours[]> {
  const out: FewerColours[] = [];
  for (const r of rows.filter((x) => x.colours.length < x.k)) {
    let distinct: number | null = null;
    try {
      distinct = await distinctColours(r.uri, r.resize);
    } catch {
      distinct = null;
    }
    out.push({ image: fileName(r.uri), k: r.k, colours_found: r.colours.length, distinct_colours: distinct });
  }
  return out;
}

/** The demo tables of the naive and the keyed load (copies of image_colors' schema). */
export const DAY_LOAD_TABLES = { truncate: "image_colors_demo_truncate", merge: "image_colors_demo_merge" } as const;

export interface DayLoadComparison {
  /** The day both sets were processed (the partition the naive load replaces). */
  day: string;
  /** One row per way of loading the second set: rows before, rows left, rows lost. */
  table: { load: string; rows_before: number; rows_after: number; lost: number }[];
  /** File names of the rows the naive load erased. */
  lost: string[];
  naive: { before: number; left: number };
  merged: { before: number; left: number };
}

async function storedUris(wh: Warehouse, table: string): Promise<string[]> {
  const { rows } = await wh.query<{ uri: string }>(`SELECT uri FROM ${table} ORDER BY uri`);
  return rows.map((r) => String(r.uri));
}

/**
 * Loads `first` and then `second` (two sets processed the same day) into two demo tables: once the
 * naive way, the second load replacing the day's partition (BigQuery: WRITE_TRUNCATE into
 * `table$YYYYMMDD`), once merged by the rows' key (uri, k, resize). Each demo table starts from the
 * first set alone. The scenario's own table is not touched.
 */
export async function compareDayLoads(wh: Warehouse, first: readonly ImageColoursRow[], second: readonly ImageColoursRow[]): Promise<DayLoadComparison> {
  const day = (second[0]?.processed_at ?? first[0]?.processed_at ?? new Date().toISOString()).slice(0, 10);
  const run = async (table: string, loadSecond: () => Promise<unknown>) => {
    await wh.createTable(table, IMAGE_COLORS_SCHEMA);
    await wh.loadRows(table, first.map(toTableRow), { write: "TRUNCATE" }); // the demo table starts from the first set alone
    const before = await storedUris(wh, table);
    await loadSecond();
    return { before, after: await storedUris(wh, table) };
  };
  const naive = await run(DAY_LOAD_TABLES.truncate, () => wh.loadRows(DAY_LOAD_TABLES.truncate, second.map(toTableRow), { partition: day }));
  const merged = await run(DAY_LOAD_TABLES.merge, () => wh.mergeRows(DAY_LOAD_TABLES.merge, second.map(toTableRow), { key: IMAGE_COLORS_KEY }));
  const lostOf = (r: { before: string[]; after: string[] }) => r.before.filter((u) => !r.after.includes(u));
  const lost = lostOf(naive);
  return {
    day,
    table: [
      { load: `WRITE_TRUNCATE of the partition ${day}`, rows_before: naive.before.length, rows_after: naive.after.length, lost: lost.length },
      { load: `MERGE by (${IMAGE_COLORS_KEY.join(", ")})`, rows_before: merged.before.length, rows_after: merged.after.length, lost: lostOf(merged).length },
    ],
    lost: lost.map(fileName),
    naive: { before: naive.before.length, left: naive.after.length },
    merged: { before: merged.before.length, left: merged.after.length },
  };
}

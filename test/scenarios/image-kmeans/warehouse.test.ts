import { test } from "node:test";
import assert from "node:assert/strict";
import { isWorkbookError } from "../../../lib/errors";
import { openWarehouse } from "../../../lib/warehouse";
import type { ColourShare, ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import type { RejectedImage } from "../../../scenarios/image-kmeans/scenario";
import {
  IMAGE_COLORS_SCHEMA, IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE, loadImageColours, nearestImages, storedCounts, topHues,
} from "../../../scenarios/image-kmeans/warehouse";

function colour(hex: string, share: number, hue: string): ColourShare {
  return { hex, r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16), share, hue };
}

function row(uri: string, processedAt: string, colours: ColourShare[], settings: { k?: number; resize?: number } = {}): ImageColoursRow {
  return { uri, width: 160, height: 120, k: settings.k ?? 3, resize: settings.resize ?? 100, colours, processed_at: processedAt };
}

function rejection(uri: string, processedAt: string, reason = `missing file: ${uri}`): RejectedImage {
  return { uri, reason, processed_at: processedAt };
}

const DAY1 = "2024-05-01T10:00:00.000Z";
const DAY2 = "2024-05-02T09:30:00.000Z";
const ROWS = [
  row("a.png", DAY1, [colour("#2040e0", 0.6, "blue"), colour("#ffffff", 0.4, "white")]),
  row("b.png", DAY1, [colour("#3050d0", 0.5, "blue"), colour("#e02020", 0.5, "red")]),
  row("c.png", DAY1, [colour("#e03030", 0.7, "red"), colour("#2040e0", 0.3, "blue")]),
  row("d.png", DAY2, [colour("#1030f8", 0.9, "blue"), colour("#000000", 0.1, "black")]),
  row("e.png", DAY2, [colour("#30c050", 0.8, "green"), colour("#ffffff", 0.2, "white")]),
];

const TIMEOUT = { timeout: 60_000 };

async function warehouseFor(t: { after(fn: () => Promise<void>): void }) {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  return wh;
}

test("image rows merge into image_colors, partitioned by processing date, with the rejected rows beside", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  const result = await loadImageColours(wh, ROWS, [rejection("bad.png", DAY2, "not an image: bad.png")]);
  assert.deepEqual(result, { rows: 5, rejected: 1 });
  const info = await wh.describeTable(IMAGE_COLORS_TABLE);
  assert.equal(info.schema.partitionBy, "processed_at");
  const perDay = await wh.query<{ day: string; n: number }>(`SELECT CAST(processed_at AS DATE) AS day, COUNT(*) AS n FROM ${IMAGE_COLORS_TABLE} GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(perDay.rows.map((r) => [String(r.day), Number(r.n)]), [["2024-05-01", 3], ["2024-05-02", 2]]);
  const rejected = await wh.query(`SELECT uri, reason FROM ${IMAGE_REJECTED_TABLE}`);
  assert.deepEqual(rejected.rows, [{ uri: "bad.png", reason: "not an image: bad.png" }]);
  const stored = await wh.query<{ dominant_hex: string; dominant_share: number; k: number; resize: number }>(`SELECT dominant_hex, dominant_share, k, resize FROM ${IMAGE_COLORS_TABLE} WHERE uri = 'c.png'`);
  assert.deepEqual(stored.rows, [{ dominant_hex: "#e03030", dominant_share: 0.7, k: 3, resize: 100 }]);
  assert.deepEqual(await storedCounts(wh), { rows: 5, images: 5, rejected: 1 });
});

test("a second set of images the same day keeps the first: sets A, B, then A again leave |A| + |B| rows, each once", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, "0")}:00.000Z`;
  const blue = [colour("#2040e0", 1, "blue")];
  // A: a, b, c and late.png, which is missing the first time; B: d, e, f and notes.png, not an image.
  const runA = (minute: number, lateIsThere: boolean) =>
    loadImageColours(wh, ["a", "b", "c", ...(lateIsThere ? ["late"] : [])].map((n) => row(`${n}.png`, at(minute), blue)), lateIsThere ? [] : [rejection("late.png", at(minute))]);
  await runA(0, false);
  assert.deepEqual(await storedCounts(wh), { rows: 3, images: 3, rejected: 1 });
  await loadImageColours(wh, ["d", "e", "f"].map((n) => row(`${n}.png`, at(10), blue)), [rejection("notes.png", at(10), "not an image: notes.png")]);
  assert.deepEqual(await storedCounts(wh), { rows: 6, images: 6, rejected: 2 }, "B kept A's rows, on the same day");
  await runA(20, true);
  assert.deepEqual(await storedCounts(wh), { rows: 7, images: 7, rejected: 1 }, "A again replaced its own rows, and late.png left the rejected table");
  const rows = await wh.query<{ uri: string; n: number; at: Date }>(`SELECT uri, COUNT(*) AS n, MAX(processed_at) AS at FROM ${IMAGE_COLORS_TABLE} GROUP BY uri ORDER BY uri`);
  assert.deepEqual(rows.rows.map((r) => [r.uri, Number(r.n), r.at.toISOString()]), [
    ["a.png", 1, at(20)], ["b.png", 1, at(20)], ["c.png", 1, at(20)], ["d.png", 1, at(10)], ["e.png", 1, at(10)], ["f.png", 1, at(10)], ["late.png", 1, at(20)],
  ]);
  assert.deepEqual((await wh.query(`SELECT uri FROM ${IMAGE_REJECTED_TABLE}`)).rows, [{ uri: "notes.png" }]);
});

test("re-processing an image with the same k and resize replaces its row, on any day; other settings give rows of their own", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS);
  const redder = [colour("#e02020", 0.9, "red"), colour("#2040e0", 0.1, "blue")];
  await loadImageColours(wh, [row("a.png", DAY2, redder)]);
  const a = await wh.query<{ dominant_hue: string; day: string }>(`SELECT dominant_hue, CAST(processed_at AS DATE) AS day FROM ${IMAGE_COLORS_TABLE} WHERE uri = 'a.png'`);
  assert.deepEqual(a.rows, [{ dominant_hue: "red", day: "2024-05-02" }], "one row, moved to the day it was processed again");
  await loadImageColours(wh, [row("a.png", DAY2, redder, { k: 5 }), row("a.png", DAY2, redder, { resize: 60 }), row("a.png", DAY2, redder, { resize: 60 })]);
  assert.deepEqual(await storedCounts(wh), { rows: 7, images: 5, rejected: 0 }, "k 5 and resize 60 are two more rows of a.png (listed twice, counted once)");
  // the queries read one setting's rows
  assert.deepEqual(await topHues(wh, { k: 3, resize: 100 }), [
    { hue: "blue", images: 2, avg_share: 0.7 },
    { hue: "red", images: 2, avg_share: 0.8 },
    { hue: "green", images: 1, avg_share: 0.8 },
  ]);
  assert.deepEqual(await topHues(wh, { k: 5 }), [{ hue: "red", images: 1, avg_share: 0.9 }]);
  assert.deepEqual((await nearestImages(wh, "#e02020", { resize: 60 })).map((n) => n.uri), ["a.png"]);
});

test("a rejected image rejected again replaces its rejection; the rows of a run that only rejects stay", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS.slice(0, 2), [rejection("x.png", DAY1)]);
  await loadImageColours(wh, [], [rejection("x.png", DAY2, "corrupt image: x.png"), rejection("y.png", DAY2)]);
  const rejected = await wh.query<{ uri: string; reason: string }>(`SELECT uri, reason FROM ${IMAGE_REJECTED_TABLE} ORDER BY uri`);
  assert.deepEqual(rejected.rows, [{ uri: "x.png", reason: "corrupt image: x.png" }, { uri: "y.png", reason: "missing file: y.png" }]);
  assert.deepEqual(await storedCounts(wh), { rows: 2, images: 2, rejected: 2 });
});

test("an image_colors table made without resize (an earlier workbook) fails with how to fix it", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  await wh.createTable(IMAGE_COLORS_TABLE, { ...IMAGE_COLORS_SCHEMA, columns: IMAGE_COLORS_SCHEMA.columns.filter((c) => c.name !== "resize") });
  await assert.rejects(loadImageColours(wh, ROWS), (err: unknown) =>
    isWorkbookError(err, "SCHEMA_MISMATCH") && /without the column "resize".*DROP TABLE image_colors/.test((err as Error).message));
});

test("topHues counts images by the hue of their dominant colour, most frequent first", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS);
  assert.deepEqual(await topHues(wh), [
    { hue: "blue", images: 3, avg_share: 0.667 },
    { hue: "green", images: 1, avg_share: 0.8 },
    { hue: "red", images: 1, avg_share: 0.7 },
  ]);
  assert.equal((await topHues(wh, { limit: 1 })).length, 1);
});

test("nearestImages ranks images by the distance of their dominant colour to the one asked for", TIMEOUT, async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS);
  const near = await nearestImages(wh, "#2040e0", { limit: 3 });
  // b is (16, 16, -16) away, d (-16, -16, 24): b first.
  assert.deepEqual(near.map((n) => n.uri), ["a.png", "b.png", "d.png"]);
  assert.equal(near[0].distance, 0);
  assert.equal(near[1].distance, 27.7);
  assert.equal(near[2].distance, 33);
  assert.equal((await nearestImages(wh, "#e02020", { limit: 1 }))[0].uri, "c.png");
  await assert.rejects(nearestImages(wh, "blue"), (err: unknown) => isWorkbookError(err, "OPTIONS_INVALID"));
});

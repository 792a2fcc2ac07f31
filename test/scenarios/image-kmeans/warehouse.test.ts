import { test } from "node:test";
import assert from "node:assert/strict";
import { isWorkbookError } from "../../../lib/errors";
import { openWarehouse } from "../../../lib/warehouse";
import type { ColourShare, ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import { IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE, loadImageColours, nearestImages, topHues } from "../../../scenarios/image-kmeans/warehouse";

function colour(hex: string, share: number, hue: string): ColourShare {
  return { hex, r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16), share, hue };
}

function row(uri: string, processedAt: string, colours: ColourShare[]): ImageColoursRow {
  return { uri, width: 160, height: 120, k: 3, colours, processed_at: processedAt };
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

async function warehouseFor(t: { after(fn: () => Promise<void>): void }) {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  return wh;
}

test("image rows load into image_colors, partitioned by processing date, with the rejected rows beside", async (t) => {
  const wh = await warehouseFor(t);
  const result = await loadImageColours(wh, ROWS, [{ uri: "bad.png", reason: "not an image: bad.png", processed_at: DAY2 }]);
  assert.deepEqual(result, { rows: 5, rejected: 1, days: ["2024-05-01", "2024-05-02"] });
  const info = await wh.describeTable(IMAGE_COLORS_TABLE);
  assert.equal(info.schema.partitionBy, "processed_at");
  const perDay = await wh.query<{ day: string; n: number }>(`SELECT CAST(processed_at AS DATE) AS day, COUNT(*) AS n FROM ${IMAGE_COLORS_TABLE} GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(perDay.rows.map((r) => [String(r.day), Number(r.n)]), [["2024-05-01", 3], ["2024-05-02", 2]]);
  const rejected = await wh.query(`SELECT uri, reason FROM ${IMAGE_REJECTED_TABLE}`);
  assert.deepEqual(rejected.rows, [{ uri: "bad.png", reason: "not an image: bad.png" }]);
  const stored = await wh.query<{ dominant_hex: string; dominant_share: number }>(`SELECT dominant_hex, dominant_share FROM ${IMAGE_COLORS_TABLE} WHERE uri = 'c.png'`);
  assert.deepEqual(stored.rows, [{ dominant_hex: "#e03030", dominant_share: 0.7 }]);
});

test("loading the same day again replaces that day's rows instead of adding them", async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS);
  await loadImageColours(wh, ROWS.slice(0, 2));
  const n = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${IMAGE_COLORS_TABLE}`);
  // Day 1 now holds a and b only; day 2 is untouched.
  assert.equal(Number(n.rows[0].n), 4);
});

test("topHues counts images by the hue of their dominant colour, most frequent first", async (t) => {
  const wh = await warehouseFor(t);
  await loadImageColours(wh, ROWS);
  assert.deepEqual(await topHues(wh), [
    { hue: "blue", images: 3, avg_share: 0.667 },
    { hue: "green", images: 1, avg_share: 0.8 },
    { hue: "red", images: 1, avg_share: 0.7 },
  ]);
  assert.equal((await topHues(wh, { limit: 1 })).length, 1);
});

test("nearestImages ranks images by the distance of their dominant colour to the one asked for", async (t) => {
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

import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { isWorkbookError } from "../../../lib/errors";
import { colourDistance } from "../../../lib/images/colour";
import { dominantColours } from "../../../lib/images/dominant-colours";
import { seededRandom } from "../../../lib/images/kmeans";

/** Vertical stripes of the given colours and widths, each pixel jittered by up to ±noise per channel. */
async function stripes(parts: { rgb: [number, number, number]; width: number }[], height: number, noise: number, seed = 1): Promise<Buffer> {
  const width = parts.reduce((a, p) => a + p.width, 0);
  const random = seededRandom(seed);
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    let x = 0;
    for (const p of parts) {
      for (let i = 0; i < p.width; i++, x++) {
        for (let c = 0; c < 3; c++) px[3 * (y * width + x) + c] = Math.max(0, Math.min(255, p.rgb[c] + Math.round((random() * 2 - 1) * noise)));
      }
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

const RED: [number, number, number] = [208, 48, 48];
const GREEN: [number, number, number] = [48, 160, 80];
const BLUE: [number, number, number] = [48, 80, 208];

test("an image of three known colours in known proportions gives those colours and shares", async () => {
  // 50 % red, 30 % green, 20 % blue, with noise, so k-means has real work to do.
  const png = await stripes([{ rgb: RED, width: 200 }, { rgb: GREEN, width: 120 }, { rgb: BLUE, width: 80 }], 200, 12);
  const result = await dominantColours(png, { k: 3 });
  assert.equal(result.width, 400);
  assert.equal(result.height, 200);
  assert.equal(result.pixels, 100 * 50);
  assert.ok(result.iterations > 0, "k-means ran");
  assert.equal(result.colours.length, 3);
  const expected = [{ rgb: RED, share: 0.5, hue: "red" }, { rgb: GREEN, share: 0.3, hue: "green" }, { rgb: BLUE, share: 0.2, hue: "blue" }];
  result.colours.forEach((c, i) => {
    assert.ok(colourDistance(c.rgb, expected[i].rgb) < 4, `colour ${i}: ${c.hex} is not near ${expected[i].rgb}`);
    assert.ok(Math.abs(c.share - expected[i].share) < 0.01, `colour ${i}: share ${c.share}, expected ${expected[i].share}`);
    assert.equal(c.hue, expected[i].hue);
    assert.match(c.hex, /^#[0-9a-f]{6}$/);
  });
  assert.ok(Math.abs(result.colours.reduce((a, c) => a + c.share, 0) - 1) < 1e-9);
});

test("the same seed gives the same colours, and colours come largest share first", async () => {
  const png = await stripes([{ rgb: RED, width: 30 }, { rgb: GREEN, width: 50 }, { rgb: BLUE, width: 20 }, { rgb: [240, 220, 40], width: 25 }], 80, 40, 5);
  const a = await dominantColours(png, { k: 4, seed: 3 });
  const b = await dominantColours(png, { k: 4, seed: 3 });
  assert.deepEqual(a, b);
  for (let i = 1; i < a.colours.length; i++) assert.ok(a.colours[i - 1].share >= a.colours[i].share);
});

test("an image with fewer distinct colours than k gives exactly those colours", async () => {
  const png = await stripes([{ rgb: RED, width: 60 }, { rgb: BLUE, width: 40 }], 10, 0);
  const result = await dominantColours(png, { k: 5 });
  assert.equal(result.iterations, 0);
  assert.deepEqual(result.colours.map((c) => [c.hex, c.share]), [["#d03030", 0.6], ["#3050d0", 0.4]]);
});

test("resize shrinks the long side to `resize` pixels and never enlarges", async () => {
  const png = await stripes([{ rgb: RED, width: 30 }, { rgb: BLUE, width: 10 }], 20, 0);
  assert.equal((await dominantColours(png, { resize: 100 })).pixels, 40 * 20);
  assert.equal((await dominantColours(png, { resize: 20 })).pixels, 20 * 10);
});

test("transparent pixels count as white and grey images work", async () => {
  const rgba = Buffer.alloc(10 * 10 * 4);
  for (let i = 0; i < 100; i++) rgba.set(i < 50 ? [0, 0, 255, 255] : [0, 0, 0, 0], 4 * i);
  const withAlpha = await sharp(rgba, { raw: { width: 10, height: 10, channels: 4 } }).png().toBuffer();
  assert.deepEqual((await dominantColours(withAlpha)).colours.map((c) => [c.hex, c.share]), [["#0000ff", 0.5], ["#ffffff", 0.5]]);
  const grey = await sharp(Buffer.alloc(64, 90), { raw: { width: 8, height: 8, channels: 1 } }).png().toBuffer();
  assert.deepEqual((await dominantColours(grey)).colours.map((c) => [c.hex, c.hue]), [["#5a5a5a", "grey"]]);
});

test("bytes that are not an image throw INPUT_UNREADABLE", async () => {
  await assert.rejects(dominantColours(Buffer.from("hello, not an image")), (err: unknown) => isWorkbookError(err, "INPUT_UNREADABLE") && /cannot decode a 19-byte buffer/.test(err.message));
});

test("options out of range are refused before any work", async () => {
  await assert.rejects(dominantColours(Buffer.alloc(0), { k: 0 }), (err: unknown) => isWorkbookError(err, "OPTIONS_INVALID") && /k=0/.test(err.message));
  await assert.rejects(dominantColours(Buffer.alloc(0), { resize: 2.5 }), (err: unknown) => isWorkbookError(err, "OPTIONS_INVALID") && /resize=2.5/.test(err.message));
});

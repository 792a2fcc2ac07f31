/** What the image notebook shows: thumbnails, rejected rows without paths, fewer than k colours, the naive day load against the merge. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import type { ColourShare, ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import { compareDayLoads, DAY_LOAD_TABLES, distinctColours, fewerThanK, rejectedForDisplay, thumbnails, thumbnailsSvg } from "../../../scenarios/image-kmeans/lessons";
import { makeFlatImage, makeSecondImageSet } from "../../../scenarios/image-kmeans/samples";
import { IMAGE_COLORS_TABLE } from "../../../scenarios/image-kmeans/warehouse";
import { tempDir } from "../../helpers";

const blue: ColourShare[] = [{ hex: "#2040e0", r: 32, g: 64, b: 224, share: 1, hue: "blue" }];
const row = (uri: string, at: string, colours = blue, k = 3): ImageColoursRow => ({ uri, width: 160, height: 120, k, resize: 40, colours, processed_at: at });

test("thumbnails: one embedded picture per readable image, a dashed box naming the problem for a missing one", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const flat = await makeFlatImage(path.join(dir, "flat.png"), [200, 30, 30]);
  const items = await thumbnails([flat, path.join(dir, "gone.png")]);
  assert.deepEqual(items.map((i) => [i.name, i.problem, i.png !== undefined]), [["flat.png", undefined, true], ["gone.png", "missing file", false]]);
  const svg = thumbnailsSvg(items);
  assert.equal((svg.match(/<image /g) ?? []).length, 1);
  assert.match(svg, />missing file</);
  assert.doesNotMatch(svg, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no machine path");
});

test("rejected rows show the file name, not the path, in both columns", () => {
  const uri = "/home/someone/project/data/images/sample-014-missing.png";
  assert.deepEqual(rejectedForDisplay([{ uri, reason: `missing file: ${uri} does not exist`, processed_at: "2024-05-01T10:00:00.000Z" }]),
    [{ image: "sample-014-missing.png", reason: "missing file: sample-014-missing.png does not exist" }]);
});

test("a flat image has one distinct colour, so it gets one colour whatever k is; rows with k colours are not listed", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const flat = await makeFlatImage(path.join(dir, "flat.png"), [128, 128, 128]);
  assert.equal(await distinctColours(flat, 40), 1);
  const grey: ColourShare[] = [{ hex: "#808080", r: 128, g: 128, b: 128, share: 1, hue: "grey" }];
  const three: ColourShare[] = [0, 1, 2].map((i) => ({ ...blue[0], share: 1 / 3, hex: `#00000${i}` }));
  assert.deepEqual(await fewerThanK([row(flat, "2024-05-01T10:00:00.000Z", grey, 5), row(path.join(dir, "x.png"), "2024-05-01T10:00:00.000Z", three, 3)]),
    [{ image: "flat.png", k: 5, colours_found: 1, distinct_colours: 1 }]);
});

test("the second set: three samples and a flat grey image, files of their own", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const files = await makeSecondImageSet(dir);
  assert.deepEqual(files.map((f) => path.basename(f)), ["day2-001.png", "day2-002.png", "day2-003.png", "day2-flat.png"]);
  for (const f of files) assert.ok(fs.existsSync(f));
});

test("replacing the day's partition with a second set erases the first set's rows; the merge keeps them", { timeout: 60_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const at = (m: number) => `2024-05-01T10:${String(m).padStart(2, "0")}:00.000Z`;
  const first = ["a.png", "b.png", "c.png", "d.png", "e.png"].map((u, i) => row(`/x/${u}`, at(i)));
  const second = ["f.png", "g.png"].map((u, i) => row(`/y/${u}`, at(30 + i)));
  const r = await compareDayLoads(wh, first, second);
  // worked out by hand: 5 rows, then the day's partition holds only the 2 new ones; the merge holds 5 + 2
  assert.equal(r.day, "2024-05-01");
  assert.deepEqual(r.naive, { before: 5, left: 2 });
  assert.deepEqual(r.merged, { before: 5, left: 7 });
  assert.deepEqual(r.lost, ["a.png", "b.png", "c.png", "d.png", "e.png"]);
  assert.deepEqual(r.table.map((x) => x.lost), [5, 0]);
  // run again: the demo tables start over, same figures; the scenario's own table was never made
  assert.deepEqual((await compareDayLoads(wh, first, second)).naive, { before: 5, left: 2 });
  assert.deepEqual((await wh.listTables()).filter((n) => n === IMAGE_COLORS_TABLE), []);
  assert.deepEqual((await wh.listTables()).filter((n) => n.startsWith("image_colors_demo")), [DAY_LOAD_TABLES.merge, DAY_LOAD_TABLES.truncate].sort());
});

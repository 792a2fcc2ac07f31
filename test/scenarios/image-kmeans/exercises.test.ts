import { test } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse } from "../../../lib/warehouse";
import type { ColourShare, ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import { HALF_DOMINANT_SQL, imageExercises, mostEvenImage, mostEvenShare, REJECTED_SQL } from "../../../scenarios/image-kmeans/exercises";
import { IMAGE_COLORS_TABLE, loadImageColours } from "../../../scenarios/image-kmeans/warehouse";

function colour(hex: string, share: number, hue: string): ColourShare {
  return { hex, r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16), share, hue };
}
const at = "2024-05-01T10:00:00.000Z";
const row = (uri: string, colours: ColourShare[], resize = 100): ImageColoursRow => ({ uri, width: 160, height: 120, k: 3, resize, colours, processed_at: at });
const ROWS = [
  row("/data/a.png", [colour("#2040e0", 0.6, "blue"), colour("#ffffff", 0.4, "white")]),
  row("/data/b.png", [colour("#3050d0", 0.4, "blue"), colour("#e02020", 0.35, "red"), colour("#000000", 0.25, "black")]),
  row("/data/c.png", [colour("#e03030", 0.7, "red"), colour("#2040e0", 0.3, "blue")]),
  // another resize: its 0.95 must not count for this run's settings
  row("/data/d.png", [colour("#1030f8", 0.95, "blue"), colour("#000000", 0.05, "black")], 50),
  row("/data/e.png", [colour("#10f830", 0.8, "green"), colour("#000000", 0.2, "black")], 50),
];
const REJECTED = [
  { uri: "/data/x.png", reason: "corrupt image: /data/x.png: unexpected end of file", processed_at: at },
  { uri: "/data/y.png", reason: "missing file: /data/y.png", processed_at: at },
];

async function setUp(t: { after(fn: () => Promise<void>): void }) {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadImageColours(wh, ROWS, REJECTED);
  return { wh, ex: imageExercises(wh, ROWS.filter((r) => r.resize === 100), { k: 3, resize: 100 }) };
}

test("the reference answers pass and a placeholder is not attempted", async (t) => {
  const { ex } = await setUp(t);
  assert.equal((await ex.rejectedReasons.verdict(REJECTED_SQL)).status, "correct");
  assert.equal((await ex.halfDominant.verdict(HALF_DOMINANT_SQL)).status, "correct");
  assert.equal((await ex.mostColourful.verdict(await ex.mostColourful.solution())).status, "correct");
  for (const e of [ex.rejectedReasons, ex.halfDominant, ex.mostColourful]) assert.equal((await e.verdict(undefined)).status, "not-attempted");
});

test("typical wrong answers fail without showing the expected value", async (t) => {
  const { ex } = await setUp(t);
  const colours = await ex.rejectedReasons.verdict(`SELECT uri, dominant_hex AS reason FROM ${IMAGE_COLORS_TABLE}`);
  assert.equal(colours.status, "incorrect");
  const noReason = await ex.rejectedReasons.verdict("SELECT uri FROM image_colors_rejected");
  assert.equal(noReason.status, "incorrect");
  assert.match(noReason.message, /columns uri and reason/);
  // forgetting the settings counts d.png too (another resize); forgetting the share counts every image
  const allSettings = await ex.halfDominant.verdict(`SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE} WHERE dominant_share > 0.5`);
  assert.match(allSettings.message, /gives 4\. That counts the rows of every run's settings/);
  assert.match((await ex.halfDominant.verdict(`SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE} WHERE k = @k AND resize = @resize`)).message, /every image of the run/);
  assert.match((await ex.halfDominant.verdict(`SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE} WHERE k = @k AND resize = @resize AND dominant_share > 50`)).message, /not a percentage/);
  // the largest dominant share instead of the smallest
  const wrongWay = await ex.mostColourful.verdict(0.7);
  assert.match(wrongWay.message, /smallest largest share/);
  assert.doesNotMatch(wrongWay.message, /0\.4\b/);
  assert.match((await ex.mostColourful.verdict(40)).message, /not a percentage/);
});

test("the expected values, worked out by hand from the rows above: the two rejected rows, 2 images above half (a 0.6, c 0.7), most even b.png, its largest share 0.4", async (t) => {
  const { ex } = await setUp(t);
  assert.deepEqual(await ex.rejectedReasons.expected(), REJECTED.map((r) => ({ uri: r.uri, reason: r.reason })));
  assert.equal(await ex.halfDominant.expected(), 2);
  assert.equal(await ex.mostColourful.expected(), 0.4);
  assert.equal((await ex.halfDominant.verdict(`SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE} WHERE k = 3 AND resize = 100 AND dominant_share > 0.5`)).status, "correct", "the settings written in");
  assert.equal(mostEvenImage(ROWS), "b.png");
  assert.equal(mostEvenShare(ROWS), 0.4);
  assert.equal((await ex.mostColourful.verdict(0.4)).status, "correct");
  assert.equal((await ex.mostColourful.verdict(0.401)).status, "correct", "to two decimals");
  assert.throws(() => mostEvenImage([]), /no processed images/);
});

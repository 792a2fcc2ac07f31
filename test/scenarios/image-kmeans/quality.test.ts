/** The image tables' checks on DuckDB: a clean load passes (drift: no earlier day, a warning); a duplicated row and an unlisted image are caught. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import type { ColourShare, ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import { imageChecks, plantImageFault, runImageChecks, IMAGE_FAULT_CHECKS } from "../../../scenarios/image-kmeans/quality";
import { loadImageColours } from "../../../scenarios/image-kmeans/warehouse";

const NOW = new Date();
const at = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();
const c = (hex: string, share: number, hue: string): ColourShare => ({ hex, r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16), share, hue });
const rows: ImageColoursRow[] = [
  { uri: "/i/a.png", width: 10, height: 10, k: 3, resize: 40, processed_at: at(2000), colours: [c("#2040e0", 0.6, "blue"), c("#ffffff", 0.4, "white")] },
  { uri: "/i/b.png", width: 10, height: 10, k: 3, resize: 40, processed_at: at(1000), colours: [c("#e02020", 1, "red")] },
];
const rejected = [{ uri: "/i/bad.png", reason: "not an image: /i/bad.png", processed_at: at(1000) }];
const listed = ["/i/a.png", "/i/b.png", "/i/bad.png"];

test("image checks: six kinds; a clean load passes but for drift's first run; each planted fault fails its own check", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  assert.deepEqual([...new Set(imageChecks().map((x) => x.type))].sort(), ["columns", "drift", "freshness", "not_null", "range", "relationship", "sql", "unique", "volume"]);
  await loadImageColours(wh, rows, rejected, { listed });
  const clean = await runImageChecks(wh, { now: NOW });
  assert.deepEqual(clean.filter((r) => r.status !== "pass").map((r) => [r.check, r.status]), [["dominant_hue distribution", "warn"]], JSON.stringify(clean.filter((r) => r.status !== "pass")));
  assert.deepEqual([...new Set(clean.map((r) => r.kind))], ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.equal(clean.find((r) => r.check === "the day's partition has rows")?.observed, 2);

  for (const fault of ["duplicated row", "unlisted image"] as const) {
    const scratch = await openWarehouse({ memory: true });
    t.after(() => scratch.close());
    const results = await plantImageFault(scratch, fault, rows, rejected, listed);
    const failed = results.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]);
    // one duplicated key; one row of three without its image in `images`
    assert.deepEqual(failed, [[IMAGE_FAULT_CHECKS[fault], fault === "duplicated row" ? 1 : 1 / 3]], fault);
  }
  // the real warehouse was not touched
  assert.equal((await wh.query<{ n: number }>("SELECT COUNT(*) AS n FROM image_colors")).rows[0].n, 2);
});

test("a second day with other hues: drift compares the day's dominant hues with the previous day's", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const yesterday = new Date(NOW.getTime() - 86_400_000);
  await loadImageColours(wh, rows.map((r) => ({ ...r, processed_at: new Date(yesterday.getTime() - 1000).toISOString() })), []);
  await runImageChecks(wh, { now: yesterday });
  await loadImageColours(wh, rows.map((r) => ({ ...r, uri: r.uri.replace("/i/", "/j/"), colours: [c("#30c050", 1, "green")] })), []);
  const today = await runImageChecks(wh, { now: NOW });
  const d = today.find((r) => r.check === "dominant_hue distribution");
  // yesterday: blue 1/2, red 1/2; today: green 2/2. The largest change of one share: green, 0 -> 1
  assert.equal(d?.status, "warn");
  assert.equal(d?.observed, 1);
});

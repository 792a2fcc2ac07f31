import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { openLake } from "../../../lib/lake";
import { openWarehouse } from "../../../lib/warehouse";
import { isWorkbookError } from "../../../lib/errors";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { LAKE_PATHS, loadUploads, saveRejected, UPLOAD_TABLES, uploadDays, uploadsByCountry } from "../../../scenarios/artmosphere/uploads";
import { countryOf } from "../../../scenarios/artmosphere/countries";
import { tempDir } from "../../helpers";

test("uploads go to the lake by day and to a day-partitioned warehouse table; the map rows for a chosen day equal a recount, and a re-run does not double them", { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const d = generateArtmosphere({ artworks: 300, artists: 80, uploads: 1400, days: 7, seed: 9 });
  const ids = new Set(d.artworks.map((a) => a.id));
  const load = await loadUploads(lake, wh, d.uploadingLog, ids);
  assert.equal(load.lines, load.ok + load.rejected.length);
  assert.equal(load.rejected.length, d.truth.badUploadLines);
  assert.deepEqual(load.days, ["2016-02-01", "2016-02-02", "2016-02-03", "2016-02-04", "2016-02-05", "2016-02-06", "2016-02-07"]);
  const parts = await lake.partitions(LAKE_PATHS.uploads);
  assert.deepEqual(parts.map((p) => p.values.dt), load.days);
  assert.ok(fs.existsSync(path.join(dir, "lake", LAKE_PATHS.raw, "uploading.log")), "the raw log is kept as it came");
  assert.deepEqual(await uploadDays(wh), load.days);

  const day = "2016-02-03";
  const want = new Map<string, number>();
  for (const line of d.uploadingLog) {
    const [ts, , action, artwork, code] = line.split(",");
    if (action === "uploaded" && ts.startsWith(day) && ids.has(artwork) && countryOf(code ?? "")) want.set(code, (want.get(code) ?? 0) + 1);
  }
  const rows = await uploadsByCountry(wh, day);
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.alpha2, r.uploads])), Object.fromEntries(want));
  assert.equal(rows[0].alpha2, [...want].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0], "most uploads first");
  for (const r of rows) assert.equal(r.id, countryOf(r.alpha2)!.numeric);
  assert.ok(rows.length > 10, "many countries on the map");
  assert.notDeepEqual(await uploadsByCountry(wh, "2016-02-04"), rows, "another day, another map");
  assert.deepEqual(await uploadsByCountry(wh, "2016-03-01"), [], "a day without uploads has an empty map");

  await loadUploads(lake, wh, d.uploadingLog, ids);
  assert.deepEqual(await uploadsByCountry(wh, day), rows, "a re-run replaces each day");
  await saveRejected(wh, load.rejected);
  const rejected = await wh.query<{ reason: string }>(`SELECT reason FROM ${UPLOAD_TABLES.rejected} ORDER BY line_no`);
  assert.equal(rejected.rows.length, d.truth.badUploadLines);
  await assert.rejects(uploadsByCountry(wh, "03/02/2016"), (e) => isWorkbookError(e, "INPUT_INVALID") && /"03\/02\/2016" is not a date YYYY-MM-DD/.test(e.message));
});

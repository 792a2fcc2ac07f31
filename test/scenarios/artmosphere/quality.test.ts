/** Artmosphere's checks on a real load: everything passes; an upload of a missing artwork, a drifted day and a late day are caught. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { openLake } from "../../../lib/lake";
import { openSql } from "../../../lib/sql";
import { openWarehouse } from "../../../lib/warehouse";
import { runChecks, warehouseTarget } from "../../../lib/quality";
import { parseCatalogue } from "../../../scenarios/artmosphere/catalogue";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { createPopularityTable, POPULARITY_TABLE } from "../../../scenarios/artmosphere/popularity";
import { catalogueChecks, dayInterval, loadCatalogueTable, MISSING_ARTWORK, plantUploadOfMissingArtwork, popularityChecks, runArtmosphereQuality, uploadChecks } from "../../../scenarios/artmosphere/quality";
import { buildSearchIndex } from "../../../scenarios/artmosphere/search";
import { computeSimilarity, loadArtworkGenes } from "../../../scenarios/artmosphere/similarity";
import { loadUploads, UPLOAD_TABLES } from "../../../scenarios/artmosphere/uploads";
import { tempDir } from "../../helpers";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";

test("Artmosphere quality: 20 checks of six kinds pass on a clean load; the first day's volume and drift warn; a planted upload of a missing artwork fails its check and the day is put back", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const db = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  t.after(() => db.close());
  const d = generateArtmosphere({ artworks: 400, artists: 100, uploads: 1400, days: 7, seed: 11 });
  const catalogue = parseCatalogue(d.artistsJson, d.artworksJson);
  const ids = new Set(catalogue.artworks.map((a) => a.id));
  await buildSearchIndex(db, catalogue);
  await loadArtworkGenes(wh, catalogue.artworks);
  await computeSimilarity(wh);
  await loadCatalogueTable(wh, catalogue.artworks);
  const uploads = await loadUploads(lake, wh, d.uploadingLog, ids);
  await createPopularityTable(db);
  await db.exec(`INSERT INTO ${POPULARITY_TABLE} VALUES ('2016-02-01 12:00:00', '2016-02-01 12:00:05', '${catalogue.artworks[0].id}', 3), ('2016-02-01 12:00:05', '2016-02-01 12:00:10', '${catalogue.artworks[1].id}', 1)`);

  const q = await runArtmosphereQuality(wh, db, uploads.days);
  assert.equal(q.results.length, 10 + 5 + 5, "10 on the catalogue, genes and similar tables, 5 on a day's uploads, 5 on the popularity windows");
  assert.deepEqual(q.results.filter((r) => r.status !== "pass").map((r) => `${r.table}: ${r.check} ${r.detail}`), []);
  assert.deepEqual([...new Set(q.results.map((r) => r.kind))].sort(), ["drift", "freshness", "referential", "schema", "uniqueness", "volume"]);
  assert.deepEqual(q.byDay.map((r) => r.status), ["warn", "pass", "pass", "pass", "pass", "pass", "pass"], "the first day has nothing to compare volume and drift with");
  assert.match(q.byDay[0].detail, /no earlier day yet/);
  // the uploads per day, recounted from the log
  const perDay = new Map<string, number>();
  for (const line of d.uploadingLog) {
    const [ts, , action, artwork, code] = line.split(",");
    if (action === "uploaded" && /^\d{4}-\d{2}-\d{2}T/.test(ts) && ids.has(artwork) && /^[A-Z]{2}$/.test(code ?? "") && code !== "XX") perDay.set(ts.slice(0, 10), (perDay.get(ts.slice(0, 10)) ?? 0) + 1);
  }
  assert.deepEqual(q.byDay.map((r) => r.uploads), uploads.days.map((day) => perDay.get(day)));
  assert.ok(q.rows.every((r) => r.table_name.startsWith("artmosphere_")));

  const day = "2016-02-03";
  const planted = await plantUploadOfMissingArtwork(wh, day);
  assert.equal(planted.check, "every artwork_id exists in artmosphere_catalogue");
  const hit = planted.results.find((r) => r.check === planted.check)!;
  assert.equal(hit.status, "fail");
  assert.equal(hit.observed, 1 / (perDay.get(day)! + 1), "one upload of the day's, plus the planted one, is of a missing artwork");
  assert.equal(planted.row.artwork_id, MISSING_ARTWORK);
  assert.match(planted.stopped, /so the load of 2016-02-03 stopped: artmosphere_uploads: every artwork_id exists in artmosphere_catalogue/);
  const { rows } = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${UPLOAD_TABLES.uploads} WHERE day = @day`, { day }, { types: { day: "DATE" } });
  assert.equal(Number(rows[0].n), perDay.get(day), "the day is back as it was");
  const again = await runChecks(warehouseTarget(wh), uploadChecks(), { interval: dayInterval(day), record: false });
  assert.equal(again.find((r) => r.check === planted.check)!.status, "pass");

  // a drifted day: every upload of 2016-02-08 from one country, after a normal 2016-02-07
  const drifted = Array.from({ length: 30 }, (_, i) => ({ uploaded_at: new Date(Date.UTC(2016, 1, 8, 0, i)), day: "2016-02-08", user_id: "u", artwork_id: catalogue.artworks[0].id, country: "JP" }));
  await wh.loadRows(UPLOAD_TABLES.uploads, drifted, { partition: "2016-02-08" });
  const next = await runChecks(warehouseTarget(wh), uploadChecks(), { interval: dayInterval("2016-02-08") });
  const drift = next.find((r) => r.kind === "drift")!;
  assert.equal(drift.status, "fail");
  assert.match(drift.detail, /"JP"/);
  assert.equal(next.find((r) => r.kind === "volume")!.status, "fail", "30 uploads is more than 50% below the earlier days' mean (about 200)");
  // a late day: nothing since the 8th, checked at the end of the 9th
  const late = await runChecks(warehouseTarget(wh), uploadChecks(), { interval: dayInterval("2016-02-09"), record: false });
  assert.equal(late.find((r) => r.kind === "freshness")!.status, "fail");

  // the declarations name only columns that exist (validated before running) and have the kinds declared
  assert.equal(catalogueChecks().length + uploadChecks().length + popularityChecks().length, 20);
});

test("Artmosphere quality: bad input names the value and the fix", async () => {
  assert.throws(() => dayInterval("2016-02-30x"), /day "2016-02-30x" is not a date YYYY-MM-DD; pick one of the days the uploads cover/);
  const wh = await openWarehouse({ memory: true });
  try {
    await assert.rejects(runArtmosphereQuality(wh, undefined as never, []), /no upload days to check; load the uploads first/);
  } finally {
    await wh.close();
  }
});

test("BigQuery contract: the catalogue table and the planted day's SELECT reach BigQuery with @day as a DATE and no DuckDB-only syntax", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "art", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  const d = generateArtmosphere({ artworks: 50, artists: 20 });
  assert.equal(await loadCatalogueTable(wh, d.artworks), 50);
  const lake = await openLake({ root: path.join(tempDir(t), "lake") });
  t.after(() => lake.close());
  await loadUploads(lake, wh, d.uploadingLog.slice(0, 20));
  // the stand-in answers no rows: the day has nothing to plant a fault in, and says so
  await assert.rejects(plantUploadOfMissingArtwork(wh, "2016-02-01"), /no uploads on 2016-02-01 to plant a fault in/);
  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as Record<string, unknown>);
  const select = queries.find((q) => /^SELECT uploaded_at, day, user_id, artwork_id, country FROM artmosphere_uploads WHERE day = @day$/.test(String(q.query)));
  assert.ok(select, `the planted day's SELECT was sent: ${queries.map((q) => String(q.query).slice(0, 60)).join(" | ")}`);
  assert.doesNotMatch(String(select.query), /\$\w|::|QUALIFY|GROUP BY ALL|\bILIKE\b/i);
  assert.deepEqual((select.queryParameters as { name: string; parameterType: { type: string } }[]).map((p) => [p.name, p.parameterType.type]), [["day", "DATE"]]);
});

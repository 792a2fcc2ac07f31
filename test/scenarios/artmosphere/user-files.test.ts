/**
 * Artmosphere on the user's own catalogue (test/fixtures/user-files/artmosphere, made by hand); the
 * answers, worked out by hand, are in ../user-files.ts: lines, search hits and similar pairs.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { openSql } from "../../../lib/sql";
import { openWarehouse } from "../../../lib/warehouse";
import { parseCatalogue } from "../../../scenarios/artmosphere/catalogue";
import { parseCollect, parseUpload } from "../../../scenarios/artmosphere/logs";
import { buildSearchIndex } from "../../../scenarios/artmosphere/search";
import { computeSimilarity, loadArtworkGenes } from "../../../scenarios/artmosphere/similarity";
import { artmosphereData, artsyRecords, readCatalogueFiles } from "../../../scenarios/artmosphere/user-files";
import { tempDir } from "../../helpers";
import { CATALOGUE_BY_HAND, CATALOGUE_DIR } from "../user-files";

test("a catalogue folder of the user's: lines = artworks + artists + rejected, search hits and similar pairs as worked out by hand", { timeout: 120_000 }, async (t) => {
  const data = await artmosphereData({ cataloguePath: CATALOGUE_DIR, eventsPerSecond: 5, durationSeconds: 2, uploads: 20 });
  const catalogue = parseCatalogue(data.artistsJson, data.artworksJson);
  assert.deepEqual([catalogue.lines, catalogue.artists.length, catalogue.artworks.length, catalogue.rejected.length], [CATALOGUE_BY_HAND.lines, CATALOGUE_BY_HAND.artists, CATALOGUE_BY_HAND.artworks, CATALOGUE_BY_HAND.rejected]);
  assert.deepEqual(catalogue.rejected.map((r) => [r.source, r.line_no, r.reason]), [
    ["artists.json", 3, "name is empty"],
    ["artworks.json", 6, 'artist_id "a00000000000000000000009" is not in the artists file'],
    ["artworks.json", 7, "not JSON"],
    ["artworks.json", 8, "id b00000000000000000000001 appears twice (the first one is kept)"],
  ]);
  // no logs in the folder: they are generated over the user's artworks
  const ids = new Set(catalogue.artworks.map((a) => a.id));
  // 5 a second for 2 s, and the generator's 4 planted bad lines (one of them an artwork not in the catalogue)
  assert.equal(data.collectingLog.length, 14);
  assert.equal(data.collectingLog.filter((l) => parseCollect(l, ids).ok).length, 10, "the generated collects name the user's artworks");
  assert.equal(data.uploadingLog.filter((l) => parseUpload(l, ids).ok).length, 20);
  assert.deepEqual(data.truth, { badArtworkLines: 3, badArtistLines: 1, badCollectLines: 4, badUploadLines: 4, streamStart: Date.parse("2016-02-01T12:00:00Z") });

  const db = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  t.after(() => db.close());
  const search = await buildSearchIndex(db, catalogue);
  assert.equal(await search.count(CATALOGUE_BY_HAND.query), CATALOGUE_BY_HAND.searchHits);
  assert.deepEqual((await search.search(CATALOGUE_BY_HAND.query)).hits.map((h) => h.id).sort(), CATALOGUE_BY_HAND.hits);
  assert.deepEqual((await search.search("nympheas")).hits.map((h) => h.id), ["b00000000000000000000002"], "accents folded");
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  assert.equal(await loadArtworkGenes(wh, catalogue.artworks), 12, "3 + 3 + 2 + 2 + 2 (artwork, gene) rows");
  const batch = await computeSimilarity(wh);
  assert.equal(batch.pairs, CATALOGUE_BY_HAND.similarPairs);
  assert.equal(batch.artworks, 5);
});

test("the catalogue's files may be one JSON array or an Artsy API page each, and the folder's own logs are used when there", async (t) => {
  const dir = tempDir(t, "artmosphere-user-");
  const artworks = fs.readFileSync(path.join(CATALOGUE_DIR, "artworks.json"), "utf8").trim().split("\n").slice(0, 5).map((l) => JSON.parse(l) as unknown);
  const artists = fs.readFileSync(path.join(CATALOGUE_DIR, "artists.json"), "utf8").trim().split("\n").slice(0, 2).map((l) => JSON.parse(l) as unknown);
  fs.writeFileSync(path.join(dir, "artworks-page-1.json"), JSON.stringify({ _embedded: { artworks }, _links: { next: { href: "https://api.artsy.net/api/artworks?cursor=x" } } }));
  fs.writeFileSync(path.join(dir, "artists.json"), JSON.stringify(artists, null, 2));
  fs.writeFileSync(path.join(dir, "collecting.log"), "2016-02-01T12:00:00.000Z,user_1,collected,b00000000000000000000003\n");
  fs.writeFileSync(path.join(dir, "uploading.log"), "2016-02-01T13:00:00.000Z,user_2,uploaded,b00000000000000000000003,JP\n");
  const data = await artmosphereData({ cataloguePath: dir });
  assert.deepEqual([data.artworks.length, data.artists.length], [5, 2]);
  assert.deepEqual(data.collectingLog, ["2016-02-01T12:00:00.000Z,user_1,collected,b00000000000000000000003"]);
  assert.deepEqual(data.uploadingLog, ["2016-02-01T13:00:00.000Z,user_2,uploaded,b00000000000000000000003,JP"]);
  assert.equal(artsyRecords("{\"a\":1}\n{\"a\":2}\n", "artworks"), "{\"a\":1}\n{\"a\":2}\n", "NDJSON stays as it is");
  fs.rmSync(path.join(dir, "artists.json"));
  await assert.rejects(readCatalogueFiles(dir), (err: Error) => isWorkbookError(err, "INPUT_MISSING") && /needs an artworks file and an artists file .* it has artworks-page-1\.json, collecting\.log, uploading\.log/.test(err.message));
});

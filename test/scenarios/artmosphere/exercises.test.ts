import { test } from "node:test";
import assert from "node:assert/strict";
import { openSql } from "../../../lib/sql";
import { openWarehouse } from "../../../lib/warehouse";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { ArtSearch } from "../../../scenarios/artmosphere/search";
import { computeSimilarity, loadArtworkGenes } from "../../../scenarios/artmosphere/similarity";
import { createPopularityTable } from "../../../scenarios/artmosphere/popularity";
import { artmosphereExercises, SHARED_GENES_SQL } from "../../../scenarios/artmosphere/exercises";

test("each exercise: the placeholder is not attempted, a typical wrong answer fails without quoting the expected value, the reference passes", { timeout: 120_000 }, async (t) => {
  const sql = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  t.after(() => sql.close());
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const d = generateArtmosphere({ artworks: 800, artists: 200 });
  const search = await ArtSearch.create(sql, d);
  await loadArtworkGenes(wh, d.artworks);
  await computeSimilarity(wh);
  await createPopularityTable(sql);
  const a = d.artworks[0].id;
  const b = d.artworks[1].id;
  await sql.upsert("artmosphere_popularity", [
    { window_start: new Date("2016-02-01T12:00:00Z"), window_end: new Date("2016-02-01T12:00:05Z"), artwork_id: a, collects: 9 },
    { window_start: new Date("2016-02-01T12:00:00Z"), window_end: new Date("2016-02-01T12:00:05Z"), artwork_id: b, collects: 5 },
    { window_start: new Date("2016-02-01T12:00:05Z"), window_end: new Date("2016-02-01T12:00:10Z"), artwork_id: b, collects: 6 },
  ], { key: ["window_start", "artwork_id"] });
  const withPairs = d.artworks.find((x) => x.genes.length >= 5)!.id;
  const ex = artmosphereExercises({ search, wh, sql, word: "water lil", artworkId: withPairs });

  assert.equal((await ex.missed.verdict(undefined)).status, "not-attempted");
  const missed = await ex.missed.solution();
  assert.ok(missed >= 1 && missed < (await search.count("water lil")), `ILIKE misses the hyphenated titles (${missed})`);
  assert.equal((await ex.missed.verdict(await search.count("water lil"))).status, "incorrect", "all matches is not what is missed");
  assert.equal((await ex.missed.verdict(missed)).status, "correct");

  const wrongSql = SHARED_GENES_SQL.replace("HAVING COUNT(*) >= 2", "HAVING COUNT(*) >= 1");
  const wrong = await ex.sharedGenes.verdict(wrongSql);
  assert.equal(wrong.status, "incorrect");
  assert.match(wrong.message, /two genes or more/);
  assert.equal((await ex.sharedGenes.verdict("SELECT 1 AS x")).status, "incorrect");
  assert.equal((await ex.sharedGenes.verdict(await ex.sharedGenes.solution())).status, "correct");

  assert.equal(await ex.mostCollected.solution(), b, "11 collects over two windows beat 9 in one");
  const busiestWindow = await ex.mostCollected.verdict(a);
  assert.equal(busiestWindow.status, "incorrect");
  assert.doesNotMatch(busiestWindow.message, new RegExp(b));
  assert.equal((await ex.mostCollected.verdict(b)).status, "correct");
});

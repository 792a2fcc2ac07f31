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
  // pinned by hand: of the 7 titles "water" then a word starting "lil" (accents folded), ILIKE '%water lil%' misses the
  // two hyphenated ones, "Water-Lilies" and "Water-Lilies at Dusk"; counted again here in plain TypeScript
  const fold = (t: string) => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const byWords = d.artworks.filter((x) => /\bwater[\s-]+lil/.test(fold(x.title)));
  assert.equal(byWords.length, 7);
  assert.deepEqual(byWords.filter((x) => !x.title.toLowerCase().includes("water lil")).map((x) => x.title).sort(), ["Water-Lilies", "Water-Lilies at Dusk"]);
  assert.equal(await ex.missed.expected(), 2);
  assert.match((await ex.missed.verdict(-2)).message, /cannot be negative/);

  const wrongSql = SHARED_GENES_SQL.replace("HAVING COUNT(*) >= 2", "HAVING COUNT(*) >= 1");
  const wrong = await ex.sharedGenes.verdict(wrongSql);
  assert.equal(wrong.status, "incorrect");
  assert.match(wrong.message, /two genes or more/);
  assert.equal((await ex.sharedGenes.verdict("SELECT 1 AS x")).status, "incorrect");
  assert.equal((await ex.sharedGenes.verdict(await ex.sharedGenes.solution())).status, "correct");

  // pinned by hand: b has 5 + 6 = 11 collects over two windows, a has 9 in one, 20 in all
  assert.equal(await ex.mostCollects.expected(), 11);
  const busiestWindow = await ex.mostCollects.verdict(9);
  assert.match(busiestWindow.message, /busiest single window/);
  assert.doesNotMatch(busiestWindow.message, /\b11\b/);
  assert.match((await ex.mostCollects.verdict(20)).message, /every artwork together/);
  assert.equal((await ex.mostCollects.verdict(11)).status, "correct");

  // shared genes, counted again in plain TypeScript over the generated artworks (not the warehouse's self-join)
  const chosen = d.artworks.find((x) => x.id === withPairs)!;
  const mine = new Set(chosen.genes);
  const byHand = d.artworks
    .filter((x) => x.id !== withPairs)
    .map((x) => ({ similar_id: x.id, shared_genes: new Set(x.genes.filter((g) => mine.has(g))).size }))
    .filter((p) => p.shared_genes >= 2)
    .sort((p, q) => (p.similar_id < q.similar_id ? -1 : p.similar_id > q.similar_id ? 1 : 0));
  assert.ok(byHand.length > 0);
  assert.deepEqual(await ex.sharedGenes.expected(), byHand);
  assert.match((await ex.sharedGenes.verdict(SHARED_GENES_SQL.replace("AND b.artwork_id <> a.artwork_id", ""))).message, /artwork itself is in your answer/);
});

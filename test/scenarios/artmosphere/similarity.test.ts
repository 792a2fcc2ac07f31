import { test } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse } from "../../../lib/warehouse";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { compareOrders, computeSimilarity, indexedScanAll, loadArtworkGenes, naiveScanAll, scanSizes, similarArtworks, similarByIndex, similarByScan, SIMILARITY_TABLES, timingTable } from "../../../scenarios/artmosphere/similarity";
import type { Artwork } from "../../../scenarios/artmosphere/catalogue";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";

/** Independent: every pair counted with sets in TypeScript, sorted by (Jaccard desc, shared desc, id). */
function expectedTop5(artworks: Artwork[]): Map<string, Array<[string, number, number]>> {
  const byGene = new Map<string, string[]>();
  for (const a of artworks) for (const g of a.genes) byGene.set(g, [...(byGene.get(g) ?? []), a.id]);
  const size = new Map(artworks.map((a) => [a.id, a.genes.length]));
  const out = new Map<string, Array<[string, number, number]>>();
  for (const a of artworks) {
    const shared = new Map<string, number>();
    for (const g of a.genes) for (const b of byGene.get(g)!) if (b !== a.id) shared.set(b, (shared.get(b) ?? 0) + 1);
    const list = [...shared].map(([b, n]): [string, number, number] => [b, n, n / (size.get(a.id)! + size.get(b)! - n)]);
    list.sort((x, y) => y[2] - x[2] || y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    if (list.length) out.set(a.id, list.slice(0, 5));
  }
  return out;
}

test("the similarity batch writes the top 5 per artwork to one table, equal to an independent computation, ranked by Jaccard, ties broken by more shared genes then id", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const d = generateArtmosphere({ artworks: 1200, artists: 300, seed: 5 });
  assert.equal(await loadArtworkGenes(wh, d.artworks), d.artworks.reduce((s, a) => s + a.genes.length, 0));
  const batch = await computeSimilarity(wh);
  const want = expectedTop5(d.artworks);
  assert.equal(batch.artworks, want.size);
  assert.equal(batch.pairs, [...want.values()].reduce((s, l) => s + l.length, 0));
  const { rows } = await wh.query<Record<string, unknown>>(`SELECT artwork_id, rank, similar_id, shared_genes, jaccard FROM ${SIMILARITY_TABLES.similar} ORDER BY artwork_id, rank`);
  const got = new Map<string, Array<[string, number, number]>>();
  for (const r of rows) got.set(String(r.artwork_id), [...(got.get(String(r.artwork_id)) ?? []), [String(r.similar_id), Number(r.shared_genes), Number(r.jaccard)]]);
  let ties = 0;
  for (const [id, list] of want) {
    const mine = got.get(id)!;
    assert.deepEqual(mine.map((x) => x[0]), list.map((x) => x[0]), id);
    assert.deepEqual(mine.map((x) => x[1]), list.map((x) => x[1]), id);
    mine.forEach((x, i) => assert.ok(Math.abs(x[2] - list[i][2]) < 1e-6, `${id} jaccard`));
    for (let i = 1; i < list.length; i++) if (list[i][1] === list[i - 1][1] && list[i][2] === list[i - 1][2]) ties++;
  }
  assert.ok(ties > 100, `ties are common, so the tie-break matters (${ties})`);
  // read back from the same table, and the naive on-demand scan agrees for one artwork
  const one = d.artworks[10].id;
  const read = await similarArtworks(wh, one);
  assert.deepEqual(read.map((r) => r.similar_id), want.get(one)!.map((x) => x[0]));
  assert.deepEqual(similarByScan(d.artworks, one), read);
  // a pair that shares more genes can rank lower: the order is Jaccard's, not the count's
  let countFirst = 0;
  for (const list of want.values()) for (let i = 1; i < list.length; i++) if (list[i][1] > list[i - 1][1]) countFirst++;
  assert.ok(countFirst > 10, `some top lists put fewer shared genes first (${countFirst})`);
  // the gene index gives the same top 5 for every artwork
  const indexed = similarByIndex(d.artworks);
  assert.equal(indexed.top.size, want.size);
  for (const [id, list] of want) assert.deepEqual(indexed.top.get(id)!.map((x) => x.similar_id), list.map((x) => x[0]), id);
  // a re-run replaces the table: same rows, not twice as many
  assert.equal((await computeSimilarity(wh)).pairs, batch.pairs);
});

test("BigQuery contract: the similarity batch reaches BigQuery as one CREATE OR REPLACE TABLE in the dataset, with no DuckDB-only syntax", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "art", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  await loadArtworkGenes(wh, generateArtmosphere({ artworks: 50, artists: 20 }).artworks);
  await computeSimilarity(wh);
  await similarArtworks(wh, "a".repeat(24));
  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as Record<string, unknown>);
  assert.equal(queries.length, 3);
  assert.match(String(queries[0].query), /^CREATE OR REPLACE TABLE art\.artmosphere_similar AS\nWITH sizes AS/);
  for (const q of queries) {
    assert.equal(q.useLegacySql, false);
    assert.doesNotMatch(String(q.query), /\$\w|::|QUALIFY|GROUP BY ALL|\bILIKE\b|\bLIST\(/i);
  }
  assert.deepEqual(((queries[2].queryParameters ?? []) as { name: string }[]).map((p) => p.name), ["artwork_id"]);
});

test("compareOrders: by hand, a candidate sharing more genes but carrying many ranks first by count and lower by Jaccard", () => {
  const id = (c: string) => c.repeat(24);
  const art = (c: string, genes: string[]): Artwork => ({ id: id(c), title: `T${c}`, category: "Painting", medium: "", date: "", collecting_institution: "", artist_id: id("f"), genes });
  // me: g1..g4. b: shares g1,g2,g3 of its 7 genes (Jaccard 3/8 = 0.375); c: shares g1,g2 of its 3 (2/5 = 0.4); e: shares g4 of its 1 (1/4 = 0.25)
  const me = art("a", ["g1", "g2", "g3", "g4"]);
  const artworks = [me, art("b", ["g1", "g2", "g3", "x1", "x2", "x3", "x4"]), art("c", ["g1", "g2", "y1"]), art("e", ["g4"]), art("1", ["z"])];
  const c = compareOrders(artworks, me.id);
  assert.equal(c.artworkId, me.id);
  assert.equal(c.differ, true);
  assert.deepEqual(c.rows.map((r) => [r.similar_id, r.shared_genes, r.jaccard, r.by_shared, r.by_jaccard]), [[id("c"), 2, 0.4, 2, 1], [id("b"), 3, 0.375, 1, 2], [id("e"), 1, 0.25, 3, 3]]);
  assert.match(c.note, /"Tb" shares 3 of its 7 genes with "Ta" \(4 genes\): Jaccard 3\/\(4 \+ 7 - 3\) = 0\.375, so it is number 1 by shared genes and number 2 by Jaccard/);
  // an artwork whose two orders agree: the first artwork where they differ is shown instead
  assert.equal(compareOrders(artworks, id("e")).artworkId, me.id);
  assert.throws(() => compareOrders(artworks, id("9")), /is not in the catalogue/);
  // a catalogue where no artwork's orders differ: the one given, its orders agreeing
  const agree = compareOrders([art("a", ["g1"]), art("b", ["g1"])], id("b"));
  assert.deepEqual([agree.artworkId, agree.differ, agree.note, agree.rows.length], [id("b"), false, "the two orders agree", 1]);
});

test("the naive scan stops at its budget; the gene index answers every size with the same top 5", () => {
  const d = generateArtmosphere({ artworks: 800, artists: 200, seed: 3 });
  assert.deepEqual(scanSizes(800), [100, 200, 400, 800]);
  assert.deepEqual(scanSizes(3000), [375, 750, 1500, 3000]);
  assert.throws(() => scanSizes(1), /2 or more/);
  const naive = naiveScanAll(d.artworks, { sizes: [100, 800], budgetSeconds: 0.02 });
  assert.equal(naive[1].status, "over budget", "800 x 799 pairs cannot be compared in 20 ms");
  assert.ok(naive[1].done < 1 && naive[1].pairs_compared === Math.round(naive[1].done * 800) * 799);
  const roomy = naiveScanAll(d.artworks, { sizes: [100], budgetSeconds: 30 });
  assert.deepEqual([roomy[0].status, roomy[0].done, roomy[0].pairs_compared], ["done", 1, 100 * 99]);
  const indexed = indexedScanAll(d.artworks, [...roomy, naive[1]]);
  assert.ok(indexed.every((r) => r.same_as_naive));
  // pairs formed: for each gene, its artworks times the others that have it, counted by hand here
  const perGene = new Map<string, number>();
  for (const a of d.artworks.slice(0, 100)) for (const g of a.genes) perGene.set(g, (perGene.get(g) ?? 0) + 1);
  assert.equal(indexed[0].pairs_formed, [...perGene.values()].reduce((s, k) => s + k * (k - 1), 0));
  const table = timingTable([...roomy, naive[1]], indexed, 0.02);
  assert.equal(table[0].naive, "done");
  assert.match(String(table[1].naive), /^stopped at the 0.02 s budget, \d+% done$/);
  assert.throws(() => naiveScanAll(d.artworks, { sizes: [100], budgetSeconds: 0 }), /must be a number of seconds above 0/);
  assert.throws(() => naiveScanAll(d.artworks, { sizes: [900], budgetSeconds: 1 }), /from 2 to the catalogue's 800 artworks/);
});

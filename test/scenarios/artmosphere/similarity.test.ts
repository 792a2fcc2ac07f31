import { test } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse } from "../../../lib/warehouse";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { computeSimilarity, loadArtworkGenes, similarArtworks, similarByScan, SIMILARITY_TABLES } from "../../../scenarios/artmosphere/similarity";
import type { Artwork } from "../../../scenarios/artmosphere/catalogue";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";

/** Independent: every pair counted with sets in TypeScript, sorted by (shared desc, Jaccard desc, id). */
function expectedTop5(artworks: Artwork[]): Map<string, Array<[string, number, number]>> {
  const byGene = new Map<string, string[]>();
  for (const a of artworks) for (const g of a.genes) byGene.set(g, [...(byGene.get(g) ?? []), a.id]);
  const size = new Map(artworks.map((a) => [a.id, a.genes.length]));
  const out = new Map<string, Array<[string, number, number]>>();
  for (const a of artworks) {
    const shared = new Map<string, number>();
    for (const g of a.genes) for (const b of byGene.get(g)!) if (b !== a.id) shared.set(b, (shared.get(b) ?? 0) + 1);
    const list = [...shared].map(([b, n]): [string, number, number] => [b, n, n / (size.get(a.id)! + size.get(b)! - n)]);
    list.sort((x, y) => y[1] - x[1] || y[2] - x[2] || (x[0] < y[0] ? -1 : 1));
    if (list.length) out.set(a.id, list.slice(0, 5));
  }
  return out;
}

test("the similarity batch writes the top 5 per artwork to one table, equal to an independent computation, ties broken by Jaccard then id", { timeout: 120_000 }, async (t) => {
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

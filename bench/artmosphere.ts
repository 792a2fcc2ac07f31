/**
 * Artmosphere benchmark (npm run bench:artmosphere [artworks] [queries]), on the original's size by
 * default: 26,000 artworks and 45,000 artists.
 * 1. Search: queries per second and p50/p99 latency of the full-text search (GIN index on the
 *    tsvector, ts_rank, ts_headline, the top 10) in PGlite, over typed texts drawn from the titles
 *    (whole words and prefixes, accents and all). Baseline in the same run: the same searches as a
 *    brute-force scan that computes every row's document for every query (no index, no stored
 *    tsvector); the results are checked equal. Goal: ratio >= 20 and p99 <= 20 ms.
 * 2. Similarity: the full batch in the DuckDB warehouse (self-join on the gene, Jaccard, top 5 for
 *    every artwork, CREATE OR REPLACE TABLE), with the time to load the (artwork, gene) rows.
 */
import { openSql } from "../lib/sql";
import { openWarehouse } from "../lib/warehouse";
import { progress } from "../lib/progress";
import { seededRandom } from "../lib/random";
import { generateArtmosphere } from "../scenarios/artmosphere/generate";
import { ArtSearch, foldAccents } from "../scenarios/artmosphere/search";
import { computeSimilarity, loadArtworkGenes } from "../scenarios/artmosphere/similarity";

const ARTWORKS = Number(process.argv[2] ?? 26_000);
const QUERIES = Number(process.argv[3] ?? 400);
/** The brute force gets at most this many queries, or this much time. */
const BASELINE_QUERIES = 40;
const BASELINE_SECONDS = 30;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Search texts as people type them: one or two words from real titles, the last one often cut short. */
function workload(titles: string[], n: number): string[] {
  const rand = seededRandom(2016);
  const out: string[] = [];
  while (out.length < n) {
    const words = titles[Math.floor(rand() * titles.length)].split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 1);
    if (words.length === 0) continue;
    const start = Math.floor(rand() * words.length);
    const take = words.slice(start, start + 1 + Math.floor(rand() * 2));
    const last = take[take.length - 1];
    take[take.length - 1] = last.slice(0, Math.max(2, Math.ceil(last.length * (0.4 + rand() * 0.6))));
    const text = take.join(" ");
    out.push(rand() < 0.3 ? foldAccents(text) : text);
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`artmosphere benchmark: ${ARTWORKS} artworks, ${Math.round(ARTWORKS * 45 / 26)} artists, ${QUERIES} search queries`);
  const data = generateArtmosphere({ artworks: ARTWORKS, artists: Math.round((ARTWORKS * 45) / 26), uploads: 0, durationSeconds: 1 });

  // 1. search
  const db = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  let began = performance.now();
  const search = await ArtSearch.create(db, data);
  console.log(`search index: ${await search.size()} artworks in PGlite in ${((performance.now() - began) / 1000).toFixed(1)} s (unaccent ${search.capabilities.unaccent}, pg_trgm ${search.capabilities.pg_trgm})`);
  const texts = workload(data.artworks.map((a) => a.title), QUERIES);
  for (const t of texts.slice(0, 20)) await search.search(t, { typoFallback: false }); // warm-up
  const latencies: number[] = [];
  const hits: string[][] = [];
  const bar = progress({ total: texts.length, label: "indexed search" });
  began = performance.now();
  for (const t of texts) {
    const s = performance.now();
    const r = await search.search(t, { typoFallback: false });
    latencies.push(performance.now() - s);
    hits.push(r.hits.map((h) => h.id));
    bar.tick();
  }
  const indexedSeconds = (performance.now() - began) / 1000;
  bar.done();
  const sorted = [...latencies].sort((a, b) => a - b);
  const qps = texts.length / indexedSeconds;
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const empty = hits.filter((h) => h.length === 0).length;
  console.log(`indexed: ${qps.toFixed(1)} queries/s, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${texts.length - empty} of ${texts.length} queries with hits)`);

  const baseBar = progress({ total: BASELINE_QUERIES, label: "brute-force scan" });
  let baseCount = 0;
  let mismatches = 0;
  began = performance.now();
  for (let i = 0; i < BASELINE_QUERIES && (performance.now() - began) / 1000 < BASELINE_SECONDS; i++) {
    const ids = (await search.bruteForce(texts[i], 10)).map((h) => h.id);
    if (JSON.stringify(ids) !== JSON.stringify(hits[i])) mismatches++;
    baseCount++;
    baseBar.tick();
  }
  const baseSeconds = (performance.now() - began) / 1000;
  baseBar.done();
  const baseQps = baseCount / baseSeconds;
  console.log(`brute-force scan: ${baseQps.toFixed(2)} queries/s over ${baseCount} queries; results ${mismatches === 0 ? "equal to the indexed search" : `DIFFER in ${mismatches} queries`}`);
  await db.close();
  if (mismatches > 0) throw new Error(`the indexed search and the brute-force scan disagree on ${mismatches} queries`);

  // 2. similarity
  const wh = await openWarehouse({ memory: true });
  began = performance.now();
  const geneRows = await loadArtworkGenes(wh, data.artworks);
  const loadSeconds = (performance.now() - began) / 1000;
  const batch = await computeSimilarity(wh);
  await wh.close();
  console.log(`similarity batch (DuckDB): ${geneRows} (artwork, gene) rows loaded in ${loadSeconds.toFixed(1)} s; top ${5} for ${batch.artworks} artworks (${batch.pairs} pairs) in ${(batch.ms / 1000).toFixed(1)} s`);

  const ratio = qps / baseQps;
  console.log(`goals: ratio >= 20 (${ratio.toFixed(1)}: ${ratio >= 20 ? "met" : "NOT met"}), p99 <= 20 ms (${p99.toFixed(2)} ms: ${p99 <= 20 ? "met" : "NOT met"})`);
  console.log(`RESULT artmosphere search_qps=${qps.toFixed(1)} queries/s baseline=${baseQps.toFixed(2)} ratio=${ratio.toFixed(1)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * "Similar artworks": the artworks most like a given one by their genes, computed in batch in the
 * warehouse for every artwork (a self-join of artwork_genes on the gene), ranked by the Jaccard
 * index (shared genes / genes of either), ties broken by more shared genes and then the smaller id,
 * top 5 each, written to ONE table and read back from that same table (the original wrote
 * `similar_artworks` and read another table). `compareOrders` shows where ranking by the count of
 * shared genes alone would differ; `naiveScanAll` times the naive all-pairs scan (with a budget)
 * and `indexedScanAll` the same answers through a gene index, the batch's way, in this process.
 *
 * The SQL is one text both DuckDB and BigQuery accept (no `::` casts, no QUALIFY, `/` is a float
 * division in both).
 */
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import type { Artwork } from "./catalogue";

export const SIMILARITY_TABLES = { genes: "artmosphere_artwork_genes", similar: "artmosphere_similar" } as const;

/** How many similar artworks are kept per artwork. */
export const TOP_SIMILAR = 5;

/** The batch: shared genes per pair, Jaccard, a rank per artwork by Jaccard, the top 5 (as a SELECT). */
export function similaritySelectSql(genesTable: string = SIMILARITY_TABLES.genes, top = TOP_SIMILAR): string {
  if (!Number.isInteger(top) || top < 1) throw new WorkbookError("OPTIONS_INVALID", `top=${top} must be a whole number, 1 or more.`);
  return `WITH sizes AS (
  SELECT artwork_id, COUNT(*) AS genes FROM ${genesTable} GROUP BY artwork_id
),
shared AS (
  SELECT a.artwork_id AS artwork_id, b.artwork_id AS similar_id, COUNT(*) AS shared_genes
  FROM ${genesTable} AS a
  JOIN ${genesTable} AS b ON a.gene = b.gene AND a.artwork_id <> b.artwork_id
  GROUP BY a.artwork_id, b.artwork_id
),
scored AS (
  SELECT s.artwork_id, s.similar_id, s.shared_genes,
    ROUND(s.shared_genes / (x.genes + y.genes - s.shared_genes), 6) AS jaccard
  FROM shared AS s
  JOIN sizes AS x ON x.artwork_id = s.artwork_id
  JOIN sizes AS y ON y.artwork_id = s.similar_id
),
ranked AS (
  SELECT artwork_id, similar_id, shared_genes, jaccard,
    ROW_NUMBER() OVER (PARTITION BY artwork_id ORDER BY jaccard DESC, shared_genes DESC, similar_id) AS rank
  FROM scored
)
SELECT artwork_id, rank, similar_id, shared_genes, jaccard
FROM ranked
WHERE rank <= ${top}`;
}

/** Loads (artwork_id, gene) rows, replacing the table. Returns the rows loaded. */
export async function loadArtworkGenes(wh: Warehouse, artworks: Artwork[]): Promise<number> {
  await wh.createTable(SIMILARITY_TABLES.genes, { columns: [{ name: "artwork_id", type: "STRING", mode: "REQUIRED" }, { name: "gene", type: "STRING", mode: "REQUIRED" }], clusterBy: ["gene"] });
  const rows = artworks.flatMap((a) => a.genes.map((gene) => ({ artwork_id: a.id, gene })));
  await wh.loadRows(SIMILARITY_TABLES.genes, rows, { write: "TRUNCATE" });
  return rows.length;
}

export interface SimilarityBatch {
  /** Rows of the similar table (artwork, similar artwork) pairs. */
  pairs: number;
  /** Artworks that have at least one similar artwork. */
  artworks: number;
  ms: number;
  /** The statement that wrote the table. */
  sql: string;
}

/**
 * Runs the batch: CREATE OR REPLACE TABLE <dataset>.artmosphere_similar AS <the SELECT>, so the
 * result is computed and written inside the warehouse, replaced whole on every run.
 */
export async function computeSimilarity(wh: Warehouse, options: { top?: number } = {}): Promise<SimilarityBatch> {
  const began = performance.now();
  await wh.createDataset();
  const sql = `CREATE OR REPLACE TABLE ${wh.dataset}.${SIMILARITY_TABLES.similar} AS\n${similaritySelectSql(SIMILARITY_TABLES.genes, options.top ?? TOP_SIMILAR)}`;
  await wh.query(sql);
  const { rows } = await wh.query<{ pairs: number; artworks: number }>(`SELECT COUNT(*) AS pairs, COUNT(DISTINCT artwork_id) AS artworks FROM ${SIMILARITY_TABLES.similar}`);
  return { pairs: Number(rows[0]?.pairs ?? 0), artworks: Number(rows[0]?.artworks ?? 0), ms: performance.now() - began, sql };
}

export interface SimilarArtwork {
  rank: number;
  similar_id: string;
  shared_genes: number;
  jaccard: number;
}

/** The similar artworks of one artwork, read from the table the batch wrote, best first. */
export async function similarArtworks(wh: Warehouse, artworkId: string): Promise<SimilarArtwork[]> {
  const { rows } = await wh.query<Record<string, unknown>>(
    `SELECT rank, similar_id, shared_genes, jaccard FROM ${SIMILARITY_TABLES.similar} WHERE artwork_id = @artwork_id ORDER BY rank`,
    { artwork_id: artworkId },
  );
  return rows.map((r) => ({ rank: Number(r.rank), similar_id: String(r.similar_id), shared_genes: Number(r.shared_genes), jaccard: Number(r.jaccard) }));
}

type Scored = { similar_id: string; shared_genes: number; jaccard: number };
const byId = (x: Scored, y: Scored) => (x.similar_id < y.similar_id ? -1 : x.similar_id > y.similar_id ? 1 : 0);
/** The batch's order: Jaccard, then more shared genes, then the smaller id. */
const byJaccard = (x: Scored, y: Scored) => y.jaccard - x.jaccard || y.shared_genes - x.shared_genes || byId(x, y);
/** The other order one might write: the count of shared genes first. */
const byShared = (x: Scored, y: Scored) => y.shared_genes - x.shared_genes || y.jaccard - x.jaccard || byId(x, y);

/** Every other artwork sharing a gene with `me`, scored. */
function scoreAgainst(artworks: readonly Artwork[], me: Artwork): (Scored & { genes: number })[] {
  const mine = new Set(me.genes);
  const out: (Scored & { genes: number })[] = [];
  for (const a of artworks) {
    if (a.id === me.id) continue;
    let shared = 0;
    for (const g of a.genes) if (mine.has(g)) shared++;
    if (shared > 0) out.push({ similar_id: a.id, shared_genes: shared, genes: a.genes.length, jaccard: Math.round((shared / (mine.size + a.genes.length - shared)) * 1e6) / 1e6 });
  }
  return out;
}

/**
 * The naive way: for one artwork, count shared genes against every other artwork in TypeScript,
 * on demand. Right for one, but it is N x N for every artwork and runs on every page view.
 */
export function similarByScan(artworks: Artwork[], artworkId: string, top = TOP_SIMILAR): SimilarArtwork[] {
  const me = artworks.find((a) => a.id === artworkId);
  if (!me) throw new WorkbookError("INPUT_INVALID", `artwork ${JSON.stringify(artworkId)} is not in the catalogue; pick an id from the search results.`);
  return scoreAgainst(artworks, me)
    .map(({ similar_id, shared_genes, jaccard }) => ({ similar_id, shared_genes, jaccard }))
    .sort(byJaccard)
    .slice(0, top)
    .map((x, i) => ({ rank: i + 1, ...x }));
}

/** One candidate of an artwork, ranked both ways. */
export type OrderRow = {
  similar_id: string;
  title: string;
  /** Genes of the candidate. */
  genes: number;
  shared_genes: number;
  jaccard: number;
  /** Its rank by the count of shared genes (then Jaccard, then id). */
  by_shared: number;
  /** Its rank by Jaccard (then shared genes, then id): the batch's order. */
  by_jaccard: number;
};

export interface OrderComparison {
  artworkId: string;
  /** Genes of the artwork itself. */
  genes: number;
  /** The candidates in the top `top` of either order, in the batch's order. */
  rows: OrderRow[];
  /** Whether the two top lists differ (in members or order). */
  differ: boolean;
  /** The candidate the count of shared genes ranks highest above its Jaccard rank, in one sentence. */
  note: string;
}

/**
 * The top `top` of one artwork by Jaccard and by the count of shared genes, side by side. Without
 * `artworkId`, the first artwork of the catalogue whose two top lists differ (the one given is used
 * when they differ for it); when no artwork's do (a small catalogue), the one given, or the first.
 */
export function compareOrders(artworks: readonly Artwork[], artworkId?: string, top = TOP_SIMILAR): OrderComparison {
  const titles = new Map(artworks.map((a) => [a.id, a.title]));
  const compare = (me: Artwork): OrderComparison => {
    const scored = scoreAgainst(artworks, me);
    const shared = [...scored].sort(byShared);
    const jaccard = [...scored].sort(byJaccard);
    const rankShared = new Map(shared.map((x, i) => [x.similar_id, i + 1]));
    const rankJaccard = new Map(jaccard.map((x, i) => [x.similar_id, i + 1]));
    const keep = jaccard.filter((x) => rankJaccard.get(x.similar_id)! <= top || rankShared.get(x.similar_id)! <= top);
    const differ = shared.slice(0, top).some((x, i) => x.similar_id !== jaccard[i]?.similar_id);
    const rows = keep.map((x) => ({ similar_id: x.similar_id, title: titles.get(x.similar_id) ?? "", genes: x.genes, shared_genes: x.shared_genes, jaccard: x.jaccard, by_shared: rankShared.get(x.similar_id)!, by_jaccard: rankJaccard.get(x.similar_id)! }));
    // the candidate the count would put highest above its Jaccard rank
    const far = [...rows].sort((a, b) => b.by_jaccard - b.by_shared - (a.by_jaccard - a.by_shared))[0];
    const note = !far || far.by_shared >= far.by_jaccard ? "the two orders agree"
      : `"${far.title}" shares ${far.shared_genes} of its ${far.genes} genes with "${me.title}" (${me.genes.length} genes): Jaccard ${far.shared_genes}/(${me.genes.length} + ${far.genes} - ${far.shared_genes}) = ${far.jaccard.toFixed(3)}, so it is number ${far.by_shared} by shared genes and number ${far.by_jaccard} by Jaccard`;
    return { artworkId: me.id, genes: me.genes.length, differ, rows, note };
  };
  if (artworkId !== undefined) {
    const me = artworks.find((a) => a.id === artworkId);
    if (!me) throw new WorkbookError("INPUT_INVALID", `artwork ${JSON.stringify(artworkId)} is not in the catalogue; pick an id from the search results.`);
    const mine = compare(me);
    if (mine.differ) return mine;
  }
  for (const a of artworks) {
    const c = compare(a);
    if (c.differ) return c;
  }
  // no artwork's two orders differ (a small catalogue): the one given, or the first, with its agreeing orders
  const me = artworks.find((a) => a.id === artworkId) ?? artworks[0];
  if (!me) throw new WorkbookError("INPUT_INVALID", "compareOrders needs at least one artwork; parse a catalogue with valid artworks first.");
  return compare(me);
}

/** The sizes timed: an eighth, a quarter, a half and all of `n` artworks. */
export function scanSizes(n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new WorkbookError("OPTIONS_INVALID", `n=${n} must be a whole number, 2 or more.`);
  return [...new Set([Math.round(n / 8), Math.round(n / 4), Math.round(n / 2), n].filter((k) => k >= 2))];
}

/** The naive scan of one size: the first `artworks` of the catalogue, every one against every other. */
export type NaiveRun = {
  artworks: number;
  /** Pairs compared (artworks done x the others). */
  pairs_compared: number;
  /** Share of the artworks done, 0..1. */
  done: number;
  seconds: number;
  /** "done", or "over budget" when it was stopped. */
  status: "done" | "over budget";
};

/**
 * The naive way for every artwork: `similarByScan` for each of the first n artworks (every pair
 * compared, as a page view would), for each size, stopped when it has run `budgetSeconds`.
 */
export function naiveScanAll(artworks: Artwork[], options: { sizes: number[]; budgetSeconds: number }): NaiveRun[] {
  const { sizes, budgetSeconds } = options;
  if (!(typeof budgetSeconds === "number" && budgetSeconds > 0 && Number.isFinite(budgetSeconds))) throw new WorkbookError("OPTIONS_INVALID", `budgetSeconds=${String(budgetSeconds)} must be a number of seconds above 0, e.g. 2.`);
  return sizes.map((n) => {
    if (!Number.isInteger(n) || n < 2 || n > artworks.length) throw new WorkbookError("OPTIONS_INVALID", `size ${n} must be a whole number from 2 to the catalogue's ${artworks.length} artworks.`);
    const subset = artworks.slice(0, n);
    const began = performance.now();
    let done = 0;
    for (const a of subset) {
      if (performance.now() - began > budgetSeconds * 1000) break;
      similarByScan(subset, a.id);
      done++;
    }
    const seconds = (performance.now() - began) / 1000;
    return { artworks: n, pairs_compared: done * (n - 1), done: done / n, seconds, status: done === n ? "done" : "over budget" };
  });
}

/**
 * The indexed way, in this process: a map from each gene to the artworks that carry it, so each
 * artwork is paired only with the artworks sharing a gene (what the batch's join on the gene does).
 * The top `top` of every artwork, in the batch's order; `pairs` counts the pairs formed.
 */
export function similarByIndex(artworks: readonly Artwork[], top = TOP_SIMILAR): { top: Map<string, SimilarArtwork[]>; pairs: number } {
  const byGene = new Map<string, number[]>();
  artworks.forEach((a, i) => {
    for (const g of a.genes) {
      const list = byGene.get(g);
      if (list) list.push(i);
      else byGene.set(g, [i]);
    }
  });
  const out = new Map<string, SimilarArtwork[]>();
  let pairs = 0;
  artworks.forEach((a, i) => {
    const shared = new Map<number, number>();
    for (const g of a.genes) {
      for (const j of byGene.get(g)!) {
        if (j === i) continue;
        pairs++;
        shared.set(j, (shared.get(j) ?? 0) + 1);
      }
    }
    const scored: Scored[] = [];
    for (const [j, n] of shared) scored.push({ similar_id: artworks[j].id, shared_genes: n, jaccard: Math.round((n / (a.genes.length + artworks[j].genes.length - n)) * 1e6) / 1e6 });
    if (scored.length) out.set(a.id, scored.sort(byJaccard).slice(0, top).map((x, k) => ({ rank: k + 1, ...x })));
  });
  return { top: out, pairs };
}

/** The indexed way at one size. */
export type IndexedRun = {
  artworks: number;
  /** Pairs formed through the gene index: an artwork and another, once per gene they share (the rows the join on the gene makes). */
  pairs_formed: number;
  seconds: number;
  /** Whether its top 5 equal the naive scan's for every artwork the naive scan finished. */
  same_as_naive: boolean;
};

/**
 * The indexed way at each size of a naive run: every artwork's top 5 through the gene index,
 * timed, and compared with the naive scan's top 5 for the artworks it finished.
 */
export function indexedScanAll(artworks: Artwork[], naive: readonly NaiveRun[]): IndexedRun[] {
  return naive.map((n) => {
    const subset = artworks.slice(0, n.artworks);
    const began = performance.now();
    const r = similarByIndex(subset);
    const seconds = (performance.now() - began) / 1000;
    const checked = subset.slice(0, Math.min(50, Math.round(n.done * n.artworks)));
    const same = checked.every((a) => JSON.stringify(r.top.get(a.id) ?? []) === JSON.stringify(similarByScan(subset, a.id)));
    return { artworks: n.artworks, pairs_formed: r.pairs, seconds, same_as_naive: same };
  });
}

/** The two side by side, one row per size, for a table. */
export function timingTable(naive: readonly NaiveRun[], indexed: readonly IndexedRun[], budgetSeconds: number): Record<string, unknown>[] {
  return naive.map((n) => {
    const x = indexed.find((r) => r.artworks === n.artworks);
    return {
      artworks: n.artworks,
      "naive: pairs compared": n.pairs_compared,
      "naive: seconds": n.seconds.toFixed(2),
      naive: n.status === "done" ? "done" : `stopped at the ${budgetSeconds} s budget, ${Math.floor(n.done * 100)}% done`,
      "indexed: pairs formed": x?.pairs_formed ?? null,
      "indexed: seconds": x ? x.seconds.toFixed(2) : null,
      "same top 5": x ? x.same_as_naive : null,
    };
  });
}

/**
 * "Similar artworks": the artworks sharing the most genes with a given one, computed in batch in
 * the warehouse for every artwork (a self-join of artwork_genes on the gene), scored with the
 * Jaccard index (shared / genes of either), top 5 each with ties broken by the Jaccard index and
 * then the smaller id, written to ONE table and read back from that same table (the original
 * wrote `similar_artworks` and read another table).
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

/** The batch: shared genes per pair, Jaccard, a rank per artwork, the top 5 (as a SELECT). */
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
    ROW_NUMBER() OVER (PARTITION BY artwork_id ORDER BY shared_genes DESC, jaccard DESC, similar_id) AS rank
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

/**
 * The naive way: for one artwork, count shared genes against every other artwork in TypeScript,
 * on demand. Right for one, but it is N x N for every artwork and runs on every page view.
 */
export function similarByScan(artworks: Artwork[], artworkId: string, top = TOP_SIMILAR): SimilarArtwork[] {
  const me = artworks.find((a) => a.id === artworkId);
  if (!me) throw new WorkbookError("INPUT_INVALID", `artwork ${JSON.stringify(artworkId)} is not in the catalogue; pick an id from the search results.`);
  const mine = new Set(me.genes);
  return artworks
    .filter((a) => a.id !== me.id)
    .map((a) => {
      const shared = a.genes.filter((g) => mine.has(g)).length;
      return { similar_id: a.id, shared_genes: shared, jaccard: Math.round((shared / (mine.size + a.genes.length - shared)) * 1e6) / 1e6 };
    })
    .filter((x) => x.shared_genes > 0)
    .sort((x, y) => y.shared_genes - x.shared_genes || y.jaccard - x.jaccard || (x.similar_id < y.similar_id ? -1 : x.similar_id > y.similar_id ? 1 : 0))
    .slice(0, top)
    .map((x, i) => ({ rank: i + 1, ...x }));
}

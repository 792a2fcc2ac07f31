/**
 * The notebook's exercises, with their reference solutions. Expected values are computed from the
 * data by the reference code (the search index, the warehouse, the stream's table), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { SqlDatabase } from "../../lib/sql/sql";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { naiveSearch, type ArtSearch } from "./search";
import { SIMILARITY_TABLES } from "./similarity";
import { POPULARITY_TABLE } from "./popularity";

export interface ArtmosphereExercises {
  missed: Exercise<number>;
  sharedGenes: Exercise<string>;
  mostCollects: Exercise<number>;
}

/** Reference: the artworks sharing at least two genes with @artwork_id, with how many they share. */
export const SHARED_GENES_SQL = `SELECT b.artwork_id AS similar_id, COUNT(*) AS shared_genes
FROM ${SIMILARITY_TABLES.genes} AS a
JOIN ${SIMILARITY_TABLES.genes} AS b ON a.gene = b.gene AND b.artwork_id <> a.artwork_id
WHERE a.artwork_id = @artwork_id
GROUP BY b.artwork_id
HAVING COUNT(*) >= 2
ORDER BY shared_genes DESC, similar_id`;

/** Reference: the collects of the most collected artwork, summed over all its windows. */
export const MOST_COLLECTS_SQL = `SELECT sum(collects) AS collects FROM ${POPULARITY_TABLE} GROUP BY artwork_id ORDER BY sum(collects) DESC LIMIT 1`;

type Pair = { similar_id: string; shared_genes: number };

/** How many artworks full-text search finds for `word` (words, the last one a prefix) that `title ILIKE '%word%'` misses. */
export async function missedByNaive(search: ArtSearch, word: string): Promise<number> {
  const naive = new Set((await naiveSearch(search.db, word, { table: search.table, limit: 100_000 })).map((r) => r.id));
  return (await search.matchingIds(word)).filter((id) => !naive.has(id)).length;
}

export function artmosphereExercises(options: { search: ArtSearch; wh: Warehouse; sql: SqlDatabase; word: string; artworkId: string; popularityTable?: string }): ArtmosphereExercises {
  const { search, wh, sql, word, artworkId } = options;
  const popularity = options.popularityTable ?? POPULARITY_TABLE;
  const pairs = async (text: string): Promise<Pair[]> => {
    const r = await wh.query<Record<string, unknown>>(text, /@artwork_id\b/.test(text) ? { artwork_id: artworkId } : {});
    if (!r.columns.includes("similar_id") || !r.columns.includes("shared_genes")) throw new Error(`the query must return the columns similar_id and shared_genes; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ similar_id: String(x.similar_id), shared_genes: Number(x.shared_genes) })).sort((a, b) => (a.similar_id < b.similar_id ? -1 : a.similar_id > b.similar_id ? 1 : 0));
  };
  const collects = async (text: string) => Number((await sql.query<{ collects: number }>(text.replace(POPULARITY_TABLE, popularity))).rows[0]?.collects ?? 0);
  const mostCollects = () => collects(MOST_COLLECTS_SQL);
  return exerciseSet({
    missed: exercise<number>({
      id: "missed",
      title: `What ILIKE misses for "${word}"`,
      hints: [
        "ILIKE compares characters: 'Water-Lilies' does not contain 'water lil' (a hyphen is not a space), and 'Étude' does not contain 'etude' (É is not e). Full-text search compares words, folded by the unaccent dictionary, the last one as a prefix.",
        `search.count("${word}") counts the full-text matches; naiveSearch(db, "${word}") lists what ILIKE finds.`,
        "Take the ids full text finds, remove the ids ILIKE finds, and count what is left.",
      ],
      solution: () => missedByNaive(search, word),
      expected: () => missedByNaive(search, word),
      nudge: (v) => (v < 0 ? "A count of artworks cannot be negative: count the ids one finds and the other does not." : "Count the artworks full text finds and ILIKE does not (not the other way round, and not all matches)."),
    }),
    sharedGenes: exercise<string, Pair[]>({
      id: "shared-genes",
      title: "Artworks sharing at least two genes",
      hints: [
        "Two artworks share a gene when the gene appears in artwork_genes once for each of them: join the table to itself on the gene.",
        `FROM ${SIMILARITY_TABLES.genes} AS a JOIN ${SIMILARITY_TABLES.genes} AS b ON a.gene = b.gene, keep a.artwork_id = @artwork_id, leave out the artwork itself.`,
        "GROUP BY b.artwork_id, COUNT(*) AS shared_genes, HAVING COUNT(*) >= 2; name the other id similar_id.",
      ],
      solution: () => SHARED_GENES_SQL,
      evaluate: pairs,
      expected: () => pairs(SHARED_GENES_SQL),
      show: (v) => `${v.length} artworks${v.length ? `, e.g. ${v.slice(0, 3).map((p) => `${p.similar_id.slice(0, 6)}.. ${p.shared_genes}`).join(", ")}` : ""}`,
      nudge: (v) => (v.some((p) => p.similar_id === artworkId) ? "The artwork itself is in your answer: it shares every gene with itself." : v.some((p) => p.shared_genes < 2) ? "Keep only the artworks that share two genes or more (HAVING)." : "Check the join on the gene and the filter on @artwork_id."),
    }),
    mostCollects: exercise<number>({
      id: "most-collects",
      title: "The collects of the most collected artwork of the stream",
      hints: [
        "The stream wrote one row per artwork per 5-second window; an artwork's collects over the whole stream are the sum over its windows.",
        `Query PostgreSQL: SELECT artwork_id, sum(collects) FROM ${popularity} GROUP BY artwork_id ...`,
        "ORDER BY the sum descending and take the first sum (LIMIT 1).",
      ],
      solution: mostCollects,
      expected: mostCollects,
      nudge: async (v) => {
        if (v === (await collects(`SELECT max(collects) AS collects FROM ${POPULARITY_TABLE}`))) return "That is the busiest single window: add up all the windows of each artwork.";
        if (v === (await collects(`SELECT sum(collects) AS collects FROM ${POPULARITY_TABLE}`))) return "That is every artwork together: sum per artwork, then take the largest.";
        return "Sum the collects of each artwork over its windows, and give the largest sum.";
      },
    }),
  });
}

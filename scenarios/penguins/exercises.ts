/**
 * The notebook's exercises, with their reference solutions. Expected values are computed from the
 * data by the reference SQL and code, never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { SqlQueryable } from "../../lib/sql/sql";
import { hasMissingValue, type PenguinRecord } from "./data";
import { FEATURES_VIEW } from "./features";

export interface PenguinsExercises {
  trainBySpecies: Exercise<string>;
  islandBaseline: Exercise<string>;
  missingRecords: Exercise<number>;
}

/** Reference: penguins per species in the train split, as (species, n) rows. */
export const TRAIN_BY_SPECIES_SQL = `SELECT species, COUNT(*) AS n FROM ${FEATURES_VIEW} WHERE split = 'train' GROUP BY species ORDER BY species`;

/** Reference: the test accuracy of guessing, for each penguin, the species most common on its island in the train split. */
export const ISLAND_BASELINE_SQL = `WITH by_island AS (
  SELECT island, species, ROW_NUMBER() OVER (PARTITION BY island ORDER BY COUNT(*) DESC, species) AS rank
  FROM ${FEATURES_VIEW} WHERE split = 'train' GROUP BY island, species
)
SELECT AVG(CASE WHEN f.species = b.species THEN 1.0 ELSE 0.0 END)::float8 AS accuracy
FROM ${FEATURES_VIEW} AS f JOIN by_island AS b ON b.island = f.island AND b.rank = 1
WHERE f.split = 'test'`;

/** The majority-class baseline in SQL (the notebook shows its figure): a typical slip for the island baseline. */
const MAJORITY_BASELINE_SQL = `WITH majority AS (
  SELECT species FROM ${FEATURES_VIEW} WHERE split = 'train' GROUP BY species ORDER BY COUNT(*) DESC, species LIMIT 1
)
SELECT AVG(CASE WHEN f.species = m.species THEN 1.0 ELSE 0.0 END)::float8 AS accuracy
FROM ${FEATURES_VIEW} AS f CROSS JOIN majority AS m WHERE f.split = 'test'`;

type SpeciesRow = { species: string; n: number };

/** The exercises over the loaded database and the source records. */
export function penguinsExercises(db: SqlQueryable, records: PenguinRecord[]): PenguinsExercises {
  const speciesRows = async (sql: string): Promise<SpeciesRow[]> => {
    const r = await db.query<Record<string, unknown>>(sql);
    if (!r.columns.includes("species") || !r.columns.includes("n")) throw new Error(`the query must return the columns species and n; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ species: String(x.species), n: Number(x.n) })).sort((a, b) => a.species.localeCompare(b.species));
  };
  const accuracy = async (sql: string) => Number((await db.query<{ accuracy: number }>(sql)).rows[0].accuracy);
  const close = (a: number, b: number) => Math.abs(a - b) < 0.0005;
  const missing = () => records.filter(hasMissingValue).length;
  return exerciseSet({
    trainBySpecies: exercise<string, SpeciesRow[]>({
      id: "train-by-species",
      title: "Penguins per species in the train split",
      hints: [
        "The split is a column of the features view: every row is 'train' or 'test'.",
        `Query ${FEATURES_VIEW}; filter with WHERE, count with COUNT(*) and GROUP BY.`,
        `SELECT species, COUNT(*) AS n FROM ${FEATURES_VIEW} WHERE split = ... GROUP BY species`,
      ],
      solution: () => TRAIN_BY_SPECIES_SQL,
      evaluate: speciesRows,
      expected: () => speciesRows(TRAIN_BY_SPECIES_SQL),
      nudge: (v) => (v.reduce((s, r) => s + r.n, 0) > 300 ? "That counts more penguins than the train split holds: did you filter on the split?" : "Count the train rows of each species."),
    }),
    islandBaseline: exercise<string, number>({
      id: "island-baseline",
      title: "A baseline that knows the island, in SQL",
      hints: [
        "A classifier with no model: for each penguin, guess the species most common on its island among the TRAIN rows; measure its accuracy on the TEST rows.",
        "Count train rows per island and species (GROUP BY island, species) and keep the top species of each island (ROW_NUMBER() OVER (PARTITION BY island ORDER BY COUNT(*) DESC) = 1); join the test rows to it on the island.",
        "SELECT AVG(CASE WHEN f.species = b.species THEN 1.0 ELSE 0.0 END) AS accuracy FROM penguin_features f JOIN by_island b ON b.island = f.island AND b.rank = 1 WHERE f.split = 'test'",
      ],
      solution: () => ISLAND_BASELINE_SQL,
      evaluate: async (sql) => {
        const r = await db.query<Record<string, unknown>>(sql);
        if (!r.columns.includes("accuracy") || r.rows.length !== 1) throw new Error(`the query must return one row with a column accuracy; it returns ${r.rows.length} row(s) with ${r.columns.join(", ")}`);
        return Number(r.rows[0].accuracy);
      },
      expected: () => accuracy(ISLAND_BASELINE_SQL),
      compare: close,
      nudge: async (v) => {
        if (v > 1) return "An accuracy is a share between 0 and 1, not a count or a percentage.";
        if (close(v, await accuracy(MAJORITY_BASELINE_SQL))) return "That is the majority baseline, one guess for every penguin: guess per island instead.";
        if (close(v, await accuracy(ISLAND_BASELINE_SQL.replace("WHERE f.split = 'test'", "WHERE f.split = 'train'")))) return "That is measured on the TRAIN rows: a baseline is scored on the TEST rows, like the network.";
        return "Is the guess the species most common on each island in the TRAIN rows, scored on the TEST rows?";
      },
    }),
    missingRecords: exercise<number>({
      id: "missing-records",
      title: "Records with a missing value",
      hints: [
        "The source file marks a missing value in two ways; look at the Sex of a few records.",
        "Check every value of a record: null, or the original's own marker \".\". `records` holds the file's records.",
        "records.filter((r) => Object.values(r).some((v) => v === null || v === \".\")).length",
      ],
      solution: missing,
      expected: missing,
      nudge: (v) => (v === records.filter((r) => Object.values(r).some((x) => x === null)).length ? "Close: one record writes its missing sex another way." : v < 5 ? "Measurements are not the only values that can be missing." : "Count records (rows), not missing values."),
    }),
  });
}

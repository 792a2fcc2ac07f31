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
  majorityBaseline: Exercise<string>;
  missingRecords: Exercise<number>;
}

/** Reference: penguins per species in the train split, as (species, n) rows. */
export const TRAIN_BY_SPECIES_SQL = `SELECT species, COUNT(*) AS n FROM ${FEATURES_VIEW} WHERE split = 'train' GROUP BY species ORDER BY species`;

/** Reference: the test accuracy of always guessing the train split's most common species. */
export const MAJORITY_BASELINE_SQL = `WITH majority AS (
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
  const majority = async () => Number((await db.query<{ accuracy: number }>(MAJORITY_BASELINE_SQL)).rows[0].accuracy);
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
    majorityBaseline: exercise<string, number>({
      id: "majority-baseline",
      title: "The majority-class baseline, in SQL",
      hints: [
        "The simplest classifier always answers the species most common in the TRAIN rows; its accuracy is measured on the TEST rows.",
        `Find that species with GROUP BY species ORDER BY COUNT(*) DESC LIMIT 1 (WHERE split = 'train'), e.g. in a WITH clause; then average a CASE over the test rows.`,
        "SELECT AVG(CASE WHEN f.species = m.species THEN 1.0 ELSE 0.0 END) AS accuracy FROM penguin_features f CROSS JOIN majority m WHERE f.split = 'test'",
      ],
      solution: () => MAJORITY_BASELINE_SQL,
      evaluate: async (sql) => {
        const r = await db.query<Record<string, unknown>>(sql);
        if (!r.columns.includes("accuracy") || r.rows.length !== 1) throw new Error(`the query must return one row with a column accuracy; it returns ${r.rows.length} row(s) with ${r.columns.join(", ")}`);
        return Number(r.rows[0].accuracy);
      },
      expected: majority,
      compare: (v, e) => Math.abs(v - e) < 0.0005,
      nudge: (v) => (v > 1 ? "An accuracy is a share between 0 and 1, not a count or a percentage." : "Is that the share in the TEST rows, of the species most common in the TRAIN rows?"),
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

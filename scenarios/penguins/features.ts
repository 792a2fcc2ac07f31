/**
 * Features and the split, in SQL; scaling and one-hot encoding, with danfojs.
 *
 * The split is a hash of the key: md5 of the penguin's id, its first byte modulo 5; 0 goes to test
 * (about one in five), the rest to train. The same penguin lands on the same side on every run,
 * every machine and every database, and new penguins never move old ones.
 * Missing values: rows missing a measurement were rejected at load; a missing sex becomes the
 * category "unknown" (COALESCE), its own one-hot column.
 * Scaling is fitted on the train rows only, so nothing of the test rows leaks into the model.
 */
import type { DataFrame } from "danfojs-node";
import type { SqlQueryable } from "../../lib/sql/sql";
import { TABLES } from "./load";
import { tensorflow } from "./model";

export const FEATURES_VIEW = "penguin_features";

/** The split of one row, in SQL: 'test' for about one key in five, by a hash of the key. */
export const SPLIT_SQL = "CASE WHEN mod(get_byte(decode(md5(penguin_id::text), 'hex'), 0), 5) = 0 THEN 'test' ELSE 'train' END";

export const FEATURES_SQL = `CREATE OR REPLACE VIEW ${FEATURES_VIEW} AS
SELECT penguin_id, species, island, COALESCE(sex, 'unknown') AS sex,
       bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g,
       ${SPLIT_SQL} AS split
FROM ${TABLES.penguins}`;

export const NUMERIC_FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"] as const;
export type NumericFeature = (typeof NUMERIC_FEATURES)[number];

/** One row of the features view. */
export interface FeatureRow {
  penguin_id: number;
  species: string;
  island: string;
  sex: string;
  bill_length_mm: number;
  bill_depth_mm: number;
  flipper_length_mm: number;
  body_mass_g: number;
  split: "train" | "test";
}

/** The penguin a model is asked about: measurements, island and sex (no species, no key). */
export type PenguinDescription = Pick<FeatureRow, NumericFeature | "island" | "sex">;

/** Creates (or replaces) the features view. */
export async function createFeaturesView(db: SqlQueryable): Promise<void> {
  await db.exec(FEATURES_SQL);
}

/** The rows of the features view, train and test, each ordered by key. */
export async function readFeatures(db: SqlQueryable): Promise<{ train: FeatureRow[]; test: FeatureRow[] }> {
  await createFeaturesView(db);
  const r = await db.query<FeatureRow>(`SELECT * FROM ${FEATURES_VIEW} ORDER BY penguin_id`);
  const rows = r.rows.map((x) => ({ ...x, penguin_id: Number(x.penguin_id) }));
  return { train: rows.filter((x) => x.split === "train"), test: rows.filter((x) => x.split === "test") };
}

/** What preprocessing learned from the train rows: plain numbers, saved beside the model. */
export interface Preprocessor {
  numeric: string[];
  /** Mean and standard deviation of each numeric feature over the train rows. */
  mean: number[];
  std: number[];
  /** One-hot categories (sorted). */
  islands: string[];
  sexes: string[];
  /** The classes, in the order of the network's outputs. */
  species: string[];
}

function danfo(): typeof import("danfojs-node") {
  tensorflow(); // danfojs computes on TensorFlow.js: its first-use banner becomes one line on stdout
  return require("danfojs-node") as typeof import("danfojs-node");
}

/** Labels a fitted danfojs OneHotEncoder learned (in order of first appearance; sorted here). */
function encoderLabels(values: string[]): string[] {
  const encoder = new (danfo().OneHotEncoder)().fit(values);
  return [...((encoder as unknown as { $labels: string[] }).$labels)].sort();
}

/** Fits the scaler (danfojs StandardScaler) and the one-hot categories (danfojs OneHotEncoder) on `train` only. */
export function fitPreprocessor(train: FeatureRow[]): Preprocessor {
  if (train.length === 0) throw new Error("fitPreprocessor needs at least one train row");
  const d = danfo();
  const frame = new d.DataFrame(train.map((r) => NUMERIC_FEATURES.map((c) => Number(r[c]))), { columns: [...NUMERIC_FEATURES] });
  const scaler = new d.StandardScaler().fit(frame) as unknown as { $mean: { arraySync(): number[] }; $std: { arraySync(): number[] } };
  const mean = scaler.$mean.arraySync();
  const std = scaler.$std.arraySync().map((s) => (s > 0 ? s : 1));
  return {
    numeric: [...NUMERIC_FEATURES],
    mean,
    std,
    islands: encoderLabels(train.map((r) => r.island)),
    sexes: encoderLabels(train.map((r) => r.sex)),
    species: encoderLabels(train.map((r) => r.species)),
  };
}

/** The names of the model's inputs, in order. */
export function featureNames(p: Preprocessor): string[] {
  return [...p.numeric, ...p.islands.map((i) => `island_${i}`), ...p.sexes.map((s) => `sex_${s}`)];
}

/** One penguin as the model's input: scaled measurements, then the one-hot island and sex (an unseen category is all zeros). */
export function featureVector(row: PenguinDescription, p: Preprocessor, options: { scale?: boolean } = {}): number[] {
  const scale = options.scale ?? true;
  const numbers = p.numeric.map((c, i) => {
    const x = Number((row as unknown as Record<string, unknown>)[c]);
    return scale ? (x - p.mean[i]) / p.std[i] : x;
  });
  const sex = row.sex === "female" || row.sex === "male" ? row.sex : "unknown";
  return [...numbers, ...p.islands.map((i) => (row.island === i ? 1 : 0)), ...p.sexes.map((s) => (sex === s ? 1 : 0))];
}

/** The input matrix of rows. `scale: false` is the naive way: raw grams next to millimetres. */
export function featureMatrix(rows: PenguinDescription[], p: Preprocessor, options: { scale?: boolean } = {}): number[][] {
  return rows.map((r) => featureVector(r, p, options));
}

/** The class index of each row's species. */
export function labels(rows: Pick<FeatureRow, "species">[], p: Preprocessor): number[] {
  return rows.map((r) => {
    const i = p.species.indexOf(r.species);
    if (i < 0) throw new Error(`species ${JSON.stringify(r.species)} is not one of ${p.species.join(", ")}`);
    return i;
  });
}

/** Rows as a danfojs DataFrame of model inputs, with named columns (to show). */
export function featureFrame(rows: PenguinDescription[], p: Preprocessor): DataFrame {
  return new (danfo().DataFrame)(featureMatrix(rows, p).map((v) => v.map((x) => Math.round(x * 1000) / 1000)), { columns: featureNames(p) });
}

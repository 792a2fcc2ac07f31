/**
 * The checks that guard the penguin tables in PostgreSQL, declared with lib/quality, one or more of
 * each of the six kinds:
 * - freshness: the newest `loaded_at` is at most 24 hours old;
 * - volume: the table has rows, not far fewer or more than the previous loads; and, given the
 *   records read, every record is either loaded or rejected (read = loaded + rejected);
 * - schema: the columns and their types; species, island and sex among the known values; body masses
 *   plausible grams (2,000 to 7,000: a batch in kilograms passes the table's CHECK > 0 but not this)
 *   and bill lengths millimetres (25 to 65);
 * - uniqueness: one row per key, and one row per bird (no two rows with the same species, island,
 *   measurements and sex: a record loaded twice under two keys);
 * - referential: every penguin's island is in the `penguin_islands` dimension;
 * - drift: the species' shares and the body masses against the previous load.
 * The table's own constraints already hold the key, not-null and the CHECKs; the checks say so on the
 * scorecard, and catch the same faults where the constraints are missing (a copy, another engine).
 */
import { acceptedValues, columnsAre, drift, freshness, postgresTarget, range, references, runChecks, showScorecard, sqlCheck, unique, volume, type PlantedFault, type QualityCheck, type QualityResult, type ResultRow, resultsTable as tableOf } from "../../lib/quality";
import { openSql } from "../../lib/sql";
import type { SqlDatabase } from "../../lib/sql/sql";
import { ISLANDS, SPECIES, type PenguinRecord } from "./data";
import { loadPenguins, TABLES } from "./load";

export interface PenguinChecksOptions {
  /** Records read from the source: adds the check read = loaded + rejected. Default: not checked. */
  records?: number;
}

export function penguinChecks(options: PenguinChecksOptions = {}): QualityCheck[] {
  const table = TABLES.penguins;
  return [
    freshness({ table, column: "loaded_at", maxLagHours: 24 }),
    volume({ table, min: 1, tolerance: 0.5, name: "row count near previous loads" }),
    ...(options.records === undefined ? [] : [sqlCheck({
      table, kind: "volume", name: "every record loaded or rejected",
      sql: `SELECT ABS((SELECT COUNT(*) FROM ${table}) + (SELECT COUNT(*) FROM ${TABLES.rejected}) - ${Math.floor(options.records)}) AS n`,
    })]),
    columnsAre({ table, columns: { penguin_id: "integer", species: "text", island: "text", bill_length_mm: "numeric", body_mass_g: "numeric", sex: "text", loaded_at: "timestamp with time zone" } }),
    acceptedValues({ table, column: "species", values: [...SPECIES] }),
    acceptedValues({ table, column: "island", values: [...ISLANDS] }),
    acceptedValues({ table, column: "sex", values: ["female", "male"] }),
    range({ table, column: "body_mass_g", min: 2000, max: 7000 }),
    range({ table, column: "bill_length_mm", min: 25, max: 65 }),
    unique({ table, columns: ["penguin_id"] }),
    unique({ table, columns: ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"], name: "one row per bird" }),
    references({ table, column: "island", to: TABLES.islands, toColumn: "island" }),
    drift({ table, column: "species", categorical: true, threshold: 0.1 }),
    drift({ table, column: "body_mass_g", threshold: 0.2 }),
  ];
}

/** The day so far: from midnight UTC of `now` to `now`. */
export function daySoFar(now = new Date()): { start: Date; end: Date } {
  return { start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())), end: now };
}

/** Runs the checks on PostgreSQL for the day so far, recorded in its quality_results (a re-run the same day replaces them). */
export async function runPenguinChecks(db: SqlDatabase, options: PenguinChecksOptions & { now?: Date; record?: boolean } = {}): Promise<QualityResult[]> {
  return runChecks(postgresTarget(db), penguinChecks(options), { interval: daySoFar(options.now), record: options.record ?? true });
}

/** The island of the planted penguin: a real island of the Palmer Archipelago, but not one of the study's. */
export const PLANTED_ISLAND = "Anvers";

/**
 * Plants a penguin on an unknown island in a scratch copy (PGlite in memory, closed after): the
 * records are loaded there as in the real load, the table's CHECK on island is dropped (as on an
 * engine that enforces none), and the first penguin is inserted again under a new key on
 * PLANTED_ISLAND; the checks run there without recording. The real database is not touched.
 */
export async function plantUnknownIsland(records: PenguinRecord[]): Promise<PlantedFault> {
  const scratch = await openSql({ memory: true });
  try {
    await loadPenguins(scratch, records);
    await scratch.exec(`ALTER TABLE ${TABLES.penguins} DROP CONSTRAINT IF EXISTS penguins_island_check`);
    await scratch.query(`INSERT INTO ${TABLES.penguins} (penguin_id, species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, loaded_at)
      SELECT (SELECT MAX(penguin_id) + 1 FROM ${TABLES.penguins}), species, $1, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, loaded_at
      FROM ${TABLES.penguins} WHERE penguin_id = (SELECT MIN(penguin_id) FROM ${TABLES.penguins})`, [PLANTED_ISLAND]);
    const results = await runPenguinChecks(scratch, { records: records.length, record: false });
    return { fault: `a penguin on ${PLANTED_ISLAND}, an island not in the study`, check: `every island exists in ${TABLES.islands}`, results };
  } finally {
    await scratch.close();
  }
}

/** The results as a table without their detail, observed to 3 decimals. */
export const resultsTable = (results: readonly QualityResult[]): ResultRow[] => tableOf(results, { detail: false, decimals: 3 });

/** The scorecard of the penguins table's latest results (the database's quality_results may hold other scenarios' too). */
export async function showPenguinScorecard(db: SqlDatabase): Promise<void> {
  const rows = (await postgresTarget(db).allResults()).filter((r) => r.table_name === TABLES.penguins);
  await showScorecard(rows, { title: "penguins: data quality" });
}

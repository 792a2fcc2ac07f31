/**
 * Data-quality checks declared as data, next to the table they guard:
 *
 *   const checks = [
 *     volume({ table: "songplays", timeColumn: "start_time", min: 1 }),
 *     notNull({ table: "songplays", column: "user_id" }),
 *     unique({ table: "songplays", columns: ["session_id", "item_in_session"] }),
 *     references({ table: "songplays", column: "song_id", to: "songs", toColumn: "song_id", maxMissingShare: 0.05 }),
 *     drift({ table: "songplays", column: "level", categorical: true, threshold: 0.1 }),
 *   ];
 *
 * Each declaration is a plain object (`type` says which test); the constructors only fill in the
 * defaults and a readable name. Six kinds, as the field groups them: freshness, volume, schema
 * (columns and types, not-null, accepted values, ranges), uniqueness, referential integrity and
 * distribution drift. `severity: "warn"` records a failure without stopping the load.
 */

export type QualityKind = "freshness" | "volume" | "schema" | "uniqueness" | "referential" | "drift";
export const QUALITY_KINDS: readonly QualityKind[] = ["freshness", "volume", "schema", "uniqueness", "referential", "drift"];

/** "block" (default): a failure stops the load; "warn": a failure is recorded as a warning. */
export type Severity = "block" | "warn";

interface Common {
  /** The table guarded (`name` or `dataset.name`). */
  table: string;
  /** A readable name, unique per table (the check's id in the results). Default: made from the declaration. */
  name?: string;
  /** Default "block". */
  severity?: Severity;
  /**
   * A TIMESTAMP column: only rows of the data interval are checked (start <= column < end). Default:
   * the whole table.
   */
  timeColumn?: string;
}

/** The newest `column` before the interval's end is at most `maxLagHours` older than that end. */
export interface FreshnessCheck extends Common { type: "freshness"; column: string; maxLagHours: number }

/**
 * Row count (of the interval, with `timeColumn`) within `min`..`max`, and/or within `tolerance` (a
 * share, 0.5 = 50%) of the mean of the previous `window` runs' counts (default 5).
 */
export interface VolumeCheck extends Common { type: "volume"; min?: number; max?: number; tolerance?: number; window?: number }

/** The table has these columns with these types (the engine's names, compared case-insensitively). */
export interface ColumnsCheck extends Common { type: "columns"; columns: Record<string, string> }

export interface NotNullCheck extends Common { type: "not_null"; column: string }

export interface AcceptedValuesCheck extends Common { type: "accepted_values"; column: string; values: (string | number)[] }

/** Every non-null value within `min`..`max` (inclusive). */
export interface RangeCheck extends Common { type: "range"; column: string; min?: number; max?: number }

/** No two rows share the key (one column or several). Observed: keys that appear more than once. */
export interface UniqueCheck extends Common { type: "unique"; columns: string[] }

/**
 * Every non-null `column` is present in `to.toColumn`, except at most `maxMissingShare` of the rows
 * (default 0). Observed: the share missing.
 */
export interface ReferencesCheck extends Common { type: "relationship"; column: string; to: string; toColumn: string; maxMissingShare?: number }

/**
 * The column's distribution against the previous run's: numeric columns by the population
 * stability index over `bins` equal-width bins of the reference (default 10; threshold default 0.2),
 * categorical ones by the largest change in one category's share (threshold default 0.1). The first
 * run has no history: it is recorded as a warning and becomes the reference.
 */
export interface DriftCheck extends Common { type: "drift"; column: string; categorical?: boolean; threshold?: number; bins?: number }

/**
 * Any rule as SQL returning one row with a number `n`; passes when n = 0 (or n > 0 with
 * `expect: "positive"`). `@start` and `@end` in the text are the interval's bounds as TIMESTAMP literals.
 */
export interface SqlCheck extends Common { type: "sql"; kind: QualityKind; sql: string; expect?: "zero" | "positive"; name: string }

export type QualityCheck = FreshnessCheck | VolumeCheck | ColumnsCheck | NotNullCheck | AcceptedValuesCheck | RangeCheck | UniqueCheck | ReferencesCheck | DriftCheck | SqlCheck;
export type CheckType = QualityCheck["type"];

/** The kind of each test. */
export function kindOf(check: QualityCheck): QualityKind {
  switch (check.type) {
    case "freshness": return "freshness";
    case "volume": return "volume";
    case "columns": case "not_null": case "accepted_values": case "range": return "schema";
    case "unique": return "uniqueness";
    case "relationship": return "referential";
    case "drift": return "drift";
    case "sql": return check.kind;
  }
}

/** The check's name: its own, or one made from the declaration. */
export function checkName(check: QualityCheck): string {
  if (check.name) return check.name;
  switch (check.type) {
    case "freshness": return `${check.column} at most ${check.maxLagHours} h old`;
    case "volume": return check.tolerance !== undefined ? "row count near previous runs" : check.min === 1 && check.max === undefined ? "has rows" : `row count in ${check.min ?? 0}..${check.max ?? "any"}`;
    case "columns": return "columns and types";
    case "not_null": return `${check.column} is never null`;
    case "accepted_values": return `${check.column} in accepted values`;
    case "range": return `${check.column} in ${check.min ?? "-inf"}..${check.max ?? "inf"}`;
    case "unique": return `${check.columns.join(", ")} is unique`;
    case "relationship": return `every ${check.column} exists in ${check.to}`;
    case "drift": return `${check.column} distribution`;
    case "sql": return check.name;
  }
}

type Decl<T extends QualityCheck> = Omit<T, "type">;
export const freshness = (c: Decl<FreshnessCheck>): FreshnessCheck => ({ type: "freshness", ...c });
export const volume = (c: Decl<VolumeCheck>): VolumeCheck => ({ type: "volume", ...c });
export const columnsAre = (c: Decl<ColumnsCheck>): ColumnsCheck => ({ type: "columns", ...c });
export const notNull = (c: Decl<NotNullCheck>): NotNullCheck => ({ type: "not_null", ...c });
export const acceptedValues = (c: Decl<AcceptedValuesCheck>): AcceptedValuesCheck => ({ type: "accepted_values", ...c });
export const range = (c: Decl<RangeCheck>): RangeCheck => ({ type: "range", ...c });
export const unique = (c: Decl<UniqueCheck>): UniqueCheck => ({ type: "unique", ...c });
export const references = (c: Decl<ReferencesCheck>): ReferencesCheck => ({ type: "relationship", ...c });
export const drift = (c: Decl<DriftCheck>): DriftCheck => ({ type: "drift", ...c });
export const sqlCheck = (c: Decl<SqlCheck>): SqlCheck => ({ type: "sql", ...c });

/**
 * Data quality: checks declared as data next to the table they guard, run as SQL on the warehouse
 * (DuckDB | BigQuery) or PostgreSQL (PGlite | server), results recorded per run, and a DAG task
 * that stops the load when a blocking check fails.
 */

// Declarations (six kinds)
export { freshness, volume, columnsAre, notNull, acceptedValues, range, unique, references, drift, sqlCheck, kindOf, checkName, QUALITY_KINDS } from "./checks";
export type {
  QualityCheck, QualityKind, Severity, CheckType, FreshnessCheck, VolumeCheck, ColumnsCheck, NotNullCheck, AcceptedValuesCheck, RangeCheck, UniqueCheck,
  ReferencesCheck, DriftCheck, SqlCheck,
} from "./checks";

// Where checks run and results are kept
export { warehouseTarget, postgresTarget, RESULTS_TABLE } from "./target";
export type { QualityTarget, QualityResultRow } from "./target";

// Running, recording, stopping a load
export { validateChecks } from "./validate";
export { runChecks, assertChecks } from "./run";
export type { QualityResult, QualityStatus, RunChecksOptions } from "./run";
export { checkInTask, qualityTask } from "./task";
export type { QualityTaskOptions } from "./task";

// Drift measures
export { psi, categoryShift, equalWidthEdges, shares } from "./drift";

// The scorecard (SVG with a PNG beside it) and one check's history
export { scorecardCells, scorecardSvg, scorecardText, showScorecard, checkHistorySpec, showCheckHistory, STATUS_COLORS } from "./scorecard";
export type { ScorecardCell } from "./scorecard";

// What a notebook glues of its checks (quality_checks, quality_kinds, quality_caught)
export { qualitySummary, glueQuality, resultsTable, plantedTable, shortDates } from "./summary";
export type { PlantedFault, QualitySummary, ResultRow } from "./summary";
export { kindCounts, coverageTable } from "./coverage";

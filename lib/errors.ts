/**
 * The workbook's errors: `WorkbookError` with a stable `code` from one typed list, a message that
 * says what was wrong, quotes the value or path and says how to fix it, and the underlying `cause`;
 * and `SqlError`, the one shape of SQL errors from every engine.
 */

/** Every error code, grouped by area. Scenarios use the generic input/options codes. */
export const ERROR_CODES = [
  // bad input to a command or a function: the CLI exits 2 for these
  "USAGE", "CONFIG_INVALID", "PARAMETERS_INVALID", "NOTEBOOK_NOT_FOUND", "NOTEBOOK_INVALID", "NOTEBOOK_UNREADABLE",
  "NOTEBOOKS_NOT_FOUND", "KERNEL_UNKNOWN", "OUTPUT_IS_INPUT", "CWD_INVALID",
  "OPTIONS_INVALID", "INPUT_INVALID", "INPUT_MISSING", "INPUT_UNREADABLE", "SCHEMA_INVALID",
  // notebooks and kernels
  "KERNEL_DIED", "KERNEL_TIMEOUT", "SCRAP_INVALID",
  // Kafka
  "KAFKA_DATA_DIR_LOCKED",
  // warehouse and SQL
  "WAREHOUSE_OPEN", "WAREHOUSE_CLOSED", "WAREHOUSE_NAME", "WAREHOUSE_NO_TABLE", "WAREHOUSE_LOAD", "WAREHOUSE_PARTITION", "WAREHOUSE_QUERY", "WAREHOUSE_API",
  "SCHEMA_MISMATCH", "SQL_ERROR", "SQL_OPEN", "SQL_CLOSED", "SQL_NAME", "SQL_UPSERT",
  // jobs and clusters
  "JOB_OPTIONS_INVALID", "JOB_PARTITION_FAILED", "JOB_STOPPED", "DATAPROC_STAGING_FAILED", "DATAPROC_CLUSTER_FAILED", "DATAPROC_JOB_FAILED", "DATAPROC_TEARDOWN_FAILED",
  "DATAPROC_NOT_FOUND",
  // streams
  "STREAM_OPTIONS_INVALID", "STREAM_WINDOW_INVALID", "STREAM_CHECKPOINT_INVALID", "STREAM_CLOSED", "STREAM_FAILED", "STREAM_TIMEOUT",
  // lake
  "LAKE_PATH_INVALID", "LAKE_NOT_FOUND", "LAKE_WRITE_FAILED", "LAKE_READ_FAILED",
  // DAGs
  "DAG_INVALID", "DAG_CYCLE", "DAG_UNKNOWN_TASK", "DAG_DUPLICATE_TASK", "DAG_SCHEDULE_INVALID", "DAG_DATE_INVALID", "DAG_NOT_FOUND", "DAG_TASK_FAILED",
  "DAG_SENSOR_TIMEOUT", "DAG_QUALITY_FAILED", "DAG_RUN_STOPPED",
  // data quality
  "QUALITY_INVALID",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that mean "the caller gave bad input": the CLI exits with status 2 for these. */
export const USAGE_ERROR_CODES: readonly ErrorCode[] = [
  "USAGE", "CONFIG_INVALID", "PARAMETERS_INVALID", "NOTEBOOK_NOT_FOUND", "NOTEBOOK_INVALID", "NOTEBOOK_UNREADABLE", "NOTEBOOKS_NOT_FOUND",
  "KERNEL_UNKNOWN", "OUTPUT_IS_INPUT", "CWD_INVALID", "OPTIONS_INVALID", "INPUT_INVALID", "INPUT_MISSING", "SCHEMA_INVALID",
  "DAG_INVALID", "DAG_CYCLE", "DAG_UNKNOWN_TASK", "DAG_DUPLICATE_TASK", "DAG_SCHEDULE_INVALID", "DAG_DATE_INVALID", "DAG_NOT_FOUND", "LAKE_PATH_INVALID", "QUALITY_INVALID",
];

export class WorkbookError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WorkbookError";
    this.code = code;
  }
}

/** True when `err` is a WorkbookError with the given code (or any code when omitted). */
export function isWorkbookError(err: unknown, code?: ErrorCode): err is WorkbookError {
  return err instanceof WorkbookError && (code === undefined || err.code === code);
}

/** True when `err` is bad input from the caller (the CLI's exit status 2). */
export function isUsageError(err: unknown): boolean {
  return err instanceof WorkbookError && USAGE_ERROR_CODES.includes(err.code);
}

/** Where an error is in a SQL text: 1-based line and column, and the 0-based character offset. */
export interface SqlPosition {
  line: number;
  column: number;
  offset: number;
}

/**
 * A SQL error from any engine (DuckDB, BigQuery, PGlite, PostgreSQL), code SQL_ERROR: the engine's
 * message, the SQL text, and where in it the error is (line and column, with a caret under it).
 */
export class SqlError extends WorkbookError {
  readonly sql: string;
  readonly position?: SqlPosition;
  readonly engine: string;

  constructor(engine: string, sql: string, reason: string, position: SqlPosition | undefined, cause?: unknown) {
    super("SQL_ERROR", formatSqlError(engine, sql, reason, position), { cause });
    this.name = "SqlError";
    this.engine = engine;
    this.sql = sql;
    this.position = position;
  }
}

/** The position of the 0-based character `offset` in `sql`. */
export function positionAt(sql: string, offset: number): SqlPosition {
  const clamped = Math.max(0, Math.min(offset, sql.length));
  const before = sql.slice(0, clamped).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1, offset: clamped };
}

/** The position of 1-based `line` and `column` in `sql` (BigQuery reports `[line:column]`). */
export function positionOfLineColumn(sql: string, line: number, column: number): SqlPosition {
  const lines = sql.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  return { line, column, offset: offset + column - 1 };
}

function formatSqlError(engine: string, sql: string, reason: string, position: SqlPosition | undefined): string {
  const lines = sql.split("\n");
  const numbered = lines.map((text, i) => `${String(i + 1).padStart(4)} | ${text}`);
  if (position && position.line >= 1 && position.line <= lines.length) {
    numbered.splice(position.line, 0, `${" ".repeat(4)} | ${" ".repeat(Math.max(0, position.column - 1))}^`);
  }
  const where = position ? ` at line ${position.line}, column ${position.column}` : "";
  return `${engine} rejected the SQL${where}: ${reason.trim()}\n${numbered.join("\n")}\nFix the SQL above and run it again.`;
}

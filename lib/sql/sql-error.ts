/**
 * One shape for SQL errors from every engine (DuckDB, BigQuery, PGlite, PostgreSQL): the engine's
 * message, the SQL text, and where in it the error is (line and column, with a caret under it).
 */
import { WorkbookError } from "../errors";

/** Where an error is in a SQL text: 1-based line and column, and the 0-based character offset. */
export interface SqlPosition {
  line: number;
  column: number;
  offset: number;
}

/** A WorkbookError with code SQL_ERROR that also carries the SQL text and the error position. */
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

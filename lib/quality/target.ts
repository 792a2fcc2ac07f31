/**
 * Where checks run and where their results are kept: a tiny interface with two implementations,
 * the warehouse (DuckDB | BigQuery) and PostgreSQL (PGlite | server). Checks send plain SQL with no
 * parameters (bounds are written as TIMESTAMP literals), so one text serves all three engines.
 */
import type { SqlDatabase } from "../sql/sql";
import type { Warehouse } from "../warehouse/warehouse";
import { WorkbookError, isWorkbookError } from "../errors";

/** One row of the results table. */
export interface QualityResultRow {
  check_name: string;
  table_name: string;
  kind: string;
  run_id: string;
  /** The run's logical date (ISO text): the key, with the table and check, a re-run replaces. */
  logical_date: string;
  observed: number | null;
  /** The threshold as JSON text, e.g. {"maxMissingShare":0.05}. */
  threshold: string;
  status: "pass" | "warn" | "fail";
  detail: string;
  /** What drift compares with next time (JSON text), e.g. {"edges":[...],"counts":[...]}. */
  profile: string | null;
  checked_at: Date;
}

export interface QualityTarget {
  readonly engine: "duckdb" | "bigquery" | "postgres";
  /** Runs a SELECT. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** The table's columns and types, or undefined when there is no such table. */
  columns(table: string): Promise<{ name: string; type: string }[] | undefined>;
  /** Replaces the rows with the same table, check and logical date. */
  saveResults(rows: QualityResultRow[]): Promise<void>;
  /** Results of one check before a logical date, newest first. */
  history(table: string, check: string, before: string, limit: number): Promise<QualityResultRow[]>;
  /** Every stored result (for the scorecard), oldest first. */
  allResults(): Promise<QualityResultRow[]>;
}

/** Default name of the results table. */
export const RESULTS_TABLE = "quality_results";

const RESULT_COLUMNS: [keyof QualityResultRow, string, string][] = [
  ["check_name", "STRING", "TEXT"], ["table_name", "STRING", "TEXT"], ["kind", "STRING", "TEXT"], ["run_id", "STRING", "TEXT"],
  ["logical_date", "STRING", "TEXT"], ["observed", "FLOAT64", "DOUBLE PRECISION"], ["threshold", "STRING", "TEXT"], ["status", "STRING", "TEXT"],
  ["detail", "STRING", "TEXT"], ["profile", "STRING", "TEXT"], ["checked_at", "TIMESTAMP", "TIMESTAMPTZ"],
];
const KEY = ["table_name", "check_name", "logical_date"];

function toRow(r: Record<string, unknown>): QualityResultRow {
  return { ...(r as unknown as QualityResultRow), observed: r.observed === null || r.observed === undefined ? null : Number(r.observed) };
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Checks on the warehouse; results in `resultsTable` there (default quality_results). */
export function warehouseTarget(wh: Warehouse, options: { resultsTable?: string } = {}): QualityTarget {
  const results = options.resultsTable ?? RESULTS_TABLE;
  let created = false;
  const ensure = async () => {
    if (created) return;
    await wh.createTable(results, { columns: RESULT_COLUMNS.map(([name, type]) => ({ name, type: type as "STRING" })) });
    created = true;
  };
  return {
    engine: wh.kind,
    async rows(sql) {
      return (await wh.query(sql)).rows;
    },
    async columns(table) {
      try {
        const info = await wh.describeTable(table);
        return info.schema.columns.map((c) => ({ name: c.name, type: c.type }));
      } catch (err) {
        if (isWorkbookError(err, "WAREHOUSE_NO_TABLE")) return undefined;
        throw err;
      }
    },
    async saveResults(rows) {
      await ensure();
      await wh.mergeRows(results, rows.map((r) => ({ ...r })), { key: KEY });
    },
    async history(table, check, before, limit) {
      await ensure();
      const r = await wh.query(`SELECT * FROM ${results} WHERE table_name = @t AND check_name = @c AND logical_date < @d ORDER BY logical_date DESC LIMIT ${Math.floor(limit)}`, { t: table, c: check, d: before });
      return r.rows.map(toRow);
    },
    async allResults() {
      await ensure();
      return (await wh.query(`SELECT * FROM ${results} ORDER BY logical_date, table_name, check_name`)).rows.map(toRow);
    },
  };
}

/** Checks on PostgreSQL (PGlite or a server); results in `resultsTable` there (default quality_results). */
export function postgresTarget(db: SqlDatabase, options: { resultsTable?: string } = {}): QualityTarget {
  const results = options.resultsTable ?? RESULTS_TABLE;
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(results)) throw new WorkbookError("OPTIONS_INVALID", `resultsTable ${JSON.stringify(results)} is not a plain lower-case name; use e.g. "quality_results".`);
  let created = false;
  const ensure = async () => {
    if (created) return;
    await db.exec(`CREATE TABLE IF NOT EXISTS ${results} (${RESULT_COLUMNS.map(([n, , pg]) => `${n} ${pg}`).join(", ")}, PRIMARY KEY (${KEY.join(", ")}))`);
    created = true;
  };
  return {
    engine: "postgres",
    async rows(sql) {
      return (await db.query(sql)).rows;
    },
    async columns(table) {
      const [schema, name] = table.includes(".") ? table.split(".") : ["public", table];
      const r = await db.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position", [schema, name]);
      return r.rows.length === 0 ? undefined : r.rows.map((c) => ({ name: c.column_name, type: c.data_type }));
    },
    async saveResults(rows) {
      await ensure();
      await db.upsert(results, rows.map((r) => ({ ...r })), { key: KEY });
    },
    async history(table, check, before, limit) {
      await ensure();
      const r = await db.query(`SELECT * FROM ${results} WHERE table_name = $1 AND check_name = $2 AND logical_date < $3 ORDER BY logical_date DESC LIMIT ${Math.floor(limit)}`, [table, check, before]);
      return r.rows.map(toRow);
    },
    async allResults() {
      await ensure();
      return (await db.query(`SELECT * FROM ${results} ORDER BY logical_date, table_name, check_name`)).rows.map(toRow);
    },
  };
}

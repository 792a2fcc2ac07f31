/**
 * The embedded warehouse: DuckDB through @duckdb/node-api, in a file in the work folder or in
 * memory. A dataset is a DuckDB schema. DuckDB has no table partitioning or clustering, so the
 * table's schema (with `partitionBy` / `clusterBy`) is kept as JSON in the table's COMMENT; a
 * partition overwrite deletes that day and inserts in one transaction, a merge by key is one MERGE
 * INTO statement, and clustering sorts each load by the clustering columns (which keeps DuckDB's
 * min/max zone maps selective).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBValue } from "@duckdb/node-api";
import { SqlError, WorkbookError, positionAt } from "../errors";
import { sqlFor, toDuckDBParameters } from "./dialect";
import { toDataFrame } from "./frame";
import { mergeStatement, planMerge } from "./merge";
import { checkDatasetName, checkRows, checkSchema, normaliseInteger, loadFileFormat, loadMode, parseTableName, withNdjsonFile } from "./schema";
import type {
  Column, ColumnType, FileLoadOptions, LoadOptions, LoadResult, MergeOptions, MergeResult, QueryOptions, QueryParams, QueryResult, TableInfo, TableSchema,
  Warehouse, WarehouseSql, WriteDisposition,
} from "./warehouse";

export interface DuckDBWarehouseOptions {
  /** Database file, or ":memory:" for an in-memory database. Default: `config().warehouse.duckdbPath`. */
  path: string;
  /** Default dataset (a DuckDB schema) for unqualified table names. Default "workbook". */
  dataset?: string;
  /** How long to wait for another process to release the database file's lock. Default 120000 ms. */
  lockTimeoutMs?: number;
}

const DUCKDB_TYPES: Record<ColumnType, string> = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  NUMERIC: "DECIMAL(38,9)",
  BOOL: "BOOLEAN",
  DATE: "DATE",
  // A UTC instant, as BigQuery's TIMESTAMP: stored as a plain TIMESTAMP holding UTC (the session
  // time zone is UTC). TIMESTAMPTZ means the same here but makes hour(), month() and casts to
  // DATE about ten times slower (npm run bench:warehouse).
  TIMESTAMP: "TIMESTAMP",
  JSON: "JSON",
};

/**
 * `expr` as the DuckDB type of a column. A TIMESTAMP goes through TIMESTAMPTZ, so a UTC offset in
 * text ("2021-03-26T23:30:00-02:00") is honoured: a plain cast to TIMESTAMP would drop it.
 */
function castTo(expr: string, type: ColumnType, how: "CAST" | "TRY_CAST" = "CAST"): string {
  return type === "TIMESTAMP" ? `${how}(${how}(${expr} AS TIMESTAMPTZ) AS TIMESTAMP)` : `${how}(${expr} AS ${DUCKDB_TYPES[type]})`;
}

/** DuckDB type names back to column types, for tables created outside the workbook. */
function columnTypeOf(duckdbType: string): ColumnType {
  const t = duckdbType.toUpperCase();
  if (t === "VARCHAR") return "STRING";
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t)) return "INT64";
  if (t === "DOUBLE" || t === "FLOAT") return "FLOAT64";
  if (t.startsWith("DECIMAL")) return "NUMERIC";
  if (t === "BOOLEAN") return "BOOL";
  if (t === "DATE") return "DATE";
  if (t.startsWith("TIMESTAMP")) return "TIMESTAMP";
  return t === "JSON" ? "JSON" : "STRING";
}

const DATE_TYPE_ID = 13;

export class DuckDBWarehouse implements Warehouse {
  readonly kind = "duckdb" as const;
  readonly dataset: string;
  readonly path: string;
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  /** Operations on the one connection run one at a time (transactions must not interleave). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, dbPath: string, dataset: string) {
    this.instance = instance;
    this.connection = connection;
    this.path = dbPath;
    this.dataset = dataset;
  }

  /** Opens (creating if needed) the database and its default dataset. */
  static async create(options: DuckDBWarehouseOptions): Promise<DuckDBWarehouse> {
    const dataset = checkDatasetName(options.dataset ?? "workbook");
    const memory = options.path === ":memory:";
    if (!memory) fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    const { DuckDBInstance } = await import("@duckdb/node-api");
    let instance: DuckDBInstance | undefined;
    // A DuckDB file has one writer process at a time: notebooks run in parallel (run-all) take
    // turns, each opening the warehouse for a step and closing it. Wait for the lock a while.
    const deadline = Date.now() + (options.lockTimeoutMs ?? 120_000);
    for (let delay = 100; !instance; delay = Math.min(delay * 2, 2000)) {
      try {
        instance = await DuckDBInstance.create(options.path, { errors_as_json: "true" });
      } catch (err) {
        const locked = /Could not set lock|Conflicting lock/i.test((err as Error).message);
        if (locked && Date.now() + delay < deadline) {
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        throw new WorkbookError("WAREHOUSE_OPEN", `Could not open the DuckDB database ${JSON.stringify(options.path)}: ${(err as Error).message}. ${locked ? "Another process held it for too long: close it (wh.close()), or" : "Check the file, or"} set WORKBOOK_HOME to another work folder.`, { cause: err });
      }
    }
    const connection = await instance.connect();
    const wh = new DuckDBWarehouse(instance, connection, options.path, dataset);
    await wh.exec("SET TimeZone = 'UTC'");
    await wh.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(dataset)}`);
    await wh.exec(`SET search_path = '${dataset},main'`);
    return wh;
  }

  async createDataset(name: string = this.dataset): Promise<void> {
    await this.serial(() => this.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(checkDatasetName(name))}`));
  }

  async createTable(table: string, schema: TableSchema): Promise<void> {
    const name = parseTableName(table, this.dataset);
    checkSchema(table, schema);
    const cols = schema.columns.map((c) => `${ident(c.name)} ${DUCKDB_TYPES[c.type]}${c.mode === "REQUIRED" ? " NOT NULL" : ""}`);
    const stored: TableSchema = { columns: schema.columns.map((c) => ({ ...c })), partitionBy: schema.partitionBy, clusterBy: schema.clusterBy };
    await this.serial(async () => {
      // A table that exists keeps its schema, as in BigQuery (409 Already Exists): its stored schema
      // must go on describing its real columns.
      const found = await this.exec("SELECT 1 FROM duckdb_tables() WHERE schema_name = $s AND table_name = $t AND database_name = current_database()", { s: name.dataset, t: name.table });
      if (found.rows.length > 0) return;
      await this.exec(`CREATE SCHEMA IF NOT EXISTS ${ident(name.dataset)}`);
      await this.exec(`CREATE TABLE ${qualified(name)} (${cols.join(", ")})`);
      await this.exec(`COMMENT ON TABLE ${qualified(name)} IS ${literal(JSON.stringify(stored))}`);
    });
  }

  async describeTable(table: string): Promise<TableInfo> {
    return this.serial(() => this.describe(table));
  }

  async listTables(dataset: string = this.dataset): Promise<string[]> {
    const { rows } = await this.serial(() =>
      this.exec("SELECT table_name FROM duckdb_tables() WHERE schema_name = $s AND database_name = current_database() ORDER BY table_name", { s: checkDatasetName(dataset) }));
    return rows.map((r) => String(r.table_name));
  }

  async loadRows(table: string, rows: Record<string, unknown>[], options: LoadOptions = {}): Promise<LoadResult> {
    return this.serial(async () => {
      const info = await this.describe(table);
      const { write, partition } = loadMode(options, info);
      checkRows(table, info.schema, rows, partition);
      return withNdjsonFile(info.schema, rows, (file) =>
        this.loadStaged(info, `read_json(${literal(file)}, format = 'newline_delimited', columns = ${jsonColumns(info.schema)})`, write, partition, false));
    });
  }

  /** One MERGE INTO statement (one transaction) whose source is the staged rows, read from an NDJSON file. */
  async mergeRows(table: string, rows: Record<string, unknown>[], options: MergeOptions): Promise<MergeResult> {
    return this.serial(async () => {
      const info = await this.describe(table);
      const plan = planMerge(table, info.schema, rows, options);
      const result: MergeResult = { table: `${info.dataset}.${info.name}`, rows: plan.rows, deleted: plan.deleted };
      if (plan.staged.length === 0) return result;
      await withNdjsonFile(plan.staging, plan.staged, async (file) => {
        const typed = plan.staging.columns.map((c) => `${castTo(ident(c.name), c.type)} AS ${ident(c.name)}`).join(", ");
        const source = `(SELECT ${typed} FROM read_json(${literal(file)}, format = 'newline_delimited', columns = ${jsonColumns(plan.staging)}))`;
        await this.exec(mergeStatement(qualified(info), source, info.schema, plan.key, ident));
      });
      return result;
    });
  }

  async loadFile(table: string, file: string, options: FileLoadOptions = {}): Promise<LoadResult> {
    const format = loadFileFormat(table, file, options);
    return this.serial(async () => {
      const info = await this.describe(table);
      const { write, partition } = loadMode(options, info);
      const wanted = new Map(info.schema.columns.map((c) => [c.name, c]));
      if (format === "PARQUET") {
        // One file, as BigQuery loads it: folders like dt=2021-03-26 in its path are not columns.
        const source = `read_parquet(${literal(file)}, hive_partitioning = false)`;
        const described = await this.exec(`DESCRIBE SELECT * FROM ${source}`);
        const fileColumns = new Map(described.rows.map((r) => [String(r.column_name), String(r.column_type)]));
        for (const name of fileColumns.keys()) {
          if (!wanted.has(name)) throw unknownColumn(table, name, info.schema);
        }
        const select = info.schema.columns.map((c) => (fileColumns.has(c.name) ? ident(c.name) : `NULL AS ${ident(c.name)}`)).join(", ");
        return this.loadStaged(info, `(SELECT ${select} FROM ${source})`, write, partition, true, fileColumns);
      }
      const keys = await this.exec(`SELECT DISTINCT unnest(json_keys(json)) AS k FROM read_json_objects(${literal(file)}, format = 'newline_delimited')`);
      for (const r of keys.rows) {
        if (!wanted.has(String(r.k))) throw unknownColumn(table, String(r.k), info.schema);
      }
      return this.loadStaged(info, `read_json(${literal(file)}, format = 'newline_delimited', columns = ${jsonColumns(info.schema)})`, write, partition, true);
    });
  }

  async query<Row = Record<string, unknown>>(sql: WarehouseSql, params: QueryParams = {}, options: QueryOptions = {}): Promise<QueryResult<Row>> {
    const text = toDuckDBParameters(sqlFor(sql, "duckdb"), Object.keys(params));
    const values = await duckdbParams(params, options.types ?? {});
    return this.serial(() => this.exec(text, values)) as Promise<QueryResult<Row>>;
  }

  async queryFrame(sql: WarehouseSql, params: QueryParams = {}, options: QueryOptions = {}): Promise<import("danfojs-node").DataFrame> {
    const result = await this.query(sql, params, options);
    return toDataFrame(result);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
  }

  // --- internals ---

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs one SQL text; engine errors become SqlError with the text and position. */
  private async exec(sql: string, values?: Record<string, DuckDBValue>): Promise<QueryResult> {
    if (!this.connection) throw new WorkbookError("WAREHOUSE_CLOSED", "This DuckDB warehouse is closed; open a new one with openWarehouse().");
    let reader: DuckDBResultReader;
    try {
      reader = await this.connection.runAndReadAll(sql, values);
    } catch (err) {
      throw duckdbError(sql, err);
    }
    const columns = reader.columnNames();
    const dateColumns = columns.map((_, i) => reader.columnTypeId(i) === DATE_TYPE_ID);
    const rows = reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {};
      columns.forEach((name, i) => {
        const v = row[name];
        out[name] = dateColumns[i] && v instanceof Date ? v.toISOString().slice(0, 10) : normaliseValue(v);
      });
      return out;
    });
    return { columns, rows };
  }

  private async describe(table: string): Promise<TableInfo> {
    const name = parseTableName(table, this.dataset);
    const found = await this.exec("SELECT comment FROM duckdb_tables() WHERE schema_name = $s AND table_name = $t AND database_name = current_database()", { s: name.dataset, t: name.table });
    if (found.rows.length === 0) {
      throw new WorkbookError("WAREHOUSE_NO_TABLE", `Table ${JSON.stringify(`${name.dataset}.${name.table}`)} does not exist; create it first with createTable(${JSON.stringify(table)}, schema).`);
    }
    const comment = found.rows[0].comment;
    if (typeof comment === "string" && comment.startsWith("{")) {
      try {
        return { ...name, name: name.table, schema: JSON.parse(comment) as TableSchema };
      } catch {
        // not ours: fall back to the catalog
      }
    }
    const cols = await this.exec("SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE schema_name = $s AND table_name = $t AND database_name = current_database() ORDER BY column_index", { s: name.dataset, t: name.table });
    const columns: Column[] = cols.rows.map((r) => ({ name: String(r.column_name), type: columnTypeOf(String(r.data_type)), mode: r.is_nullable ? "NULLABLE" : "REQUIRED" }));
    return { dataset: name.dataset, name: name.table, schema: { columns } };
  }

  /**
   * Checks the staged source against the schema (when `check`), then in one transaction clears the
   * table or the partition as asked and inserts, sorted by the clustering columns.
   */
  private async loadStaged(info: TableInfo, source: string, write: WriteDisposition, partition: string | undefined, check: boolean, fileTypes?: Map<string, string>): Promise<LoadResult> {
    const target = qualified(info);
    const label = `${info.dataset}.${info.name}`;
    const schema = info.schema;
    if (check) {
      // One pass over the source counts every kind of bad value; the first failing check is reported.
      const checks: { count: string; example: string; message: (n: unknown, example: unknown) => string }[] = [];
      for (const col of schema.columns) {
        const q = ident(col.name);
        if (col.mode === "REQUIRED") {
          checks.push({
            count: `count(*) FILTER (WHERE ${q} IS NULL)`,
            example: "NULL",
            message: (n) => `${n} row(s) have no value for REQUIRED column ${JSON.stringify(col.name)}; fill it in or make the column NULLABLE.`,
          });
        }
        const fileType = fileTypes?.get(col.name);
        if (col.type === "STRING" || (fileType !== undefined && columnTypeOf(fileType) === col.type)) continue;
        const bad = `${q} IS NOT NULL AND ${castTo(q, col.type, "TRY_CAST")} IS NULL`;
        checks.push({
          count: `count(*) FILTER (WHERE ${bad})`,
          example: `any_value(CAST(${q} AS VARCHAR)) FILTER (WHERE ${bad})`,
          message: (n, e) => `column ${JSON.stringify(col.name)} is ${col.type} but ${n} value(s) are not, e.g. ${JSON.stringify(e)}; fix the data or the column's type.`,
        });
      }
      if (partition !== undefined && schema.partitionBy !== undefined) {
        const p = ident(schema.partitionBy);
        const outside = `${p} IS NULL OR CAST(${castTo(p, columnType(schema, schema.partitionBy), "TRY_CAST")} AS DATE) IS DISTINCT FROM DATE ${literal(partition)}`;
        checks.push({
          count: `count(*) FILTER (WHERE ${outside})`,
          example: `any_value(CAST(${p} AS VARCHAR)) FILTER (WHERE ${outside})`,
          message: (n, e) => `partition ${partition}: column ${JSON.stringify(schema.partitionBy)} has ${n} value(s) outside that day, e.g. ${JSON.stringify(e)}; load them into their own partition.`,
        });
      }
      if (checks.length > 0) {
        const found = await this.exec(`SELECT ${checks.map((c, i) => `${c.count} AS n${i}, ${c.example} AS e${i}`).join(", ")} FROM ${source}`);
        const row = found.rows[0];
        checks.forEach((c, i) => {
          if (Number(row[`n${i}`]) > 0) throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(label)}: ${c.message(row[`n${i}`], row[`e${i}`])}`);
        });
      }
    }
    const select = schema.columns.map((c) => castTo(ident(c.name), c.type)).join(", ");
    const order = schema.clusterBy && schema.clusterBy.length > 0 ? ` ORDER BY ${schema.clusterBy.map(ident).join(", ")}` : "";
    await this.exec("BEGIN TRANSACTION");
    try {
      if (partition !== undefined && schema.partitionBy !== undefined) {
        await this.exec(`DELETE FROM ${target} WHERE CAST(${ident(schema.partitionBy)} AS DATE) = DATE ${literal(partition)}`);
      } else if (write === "TRUNCATE") {
        await this.exec(`DELETE FROM ${target}`);
      }
      const inserted = await this.exec(`INSERT INTO ${target} (${schema.columns.map((c) => ident(c.name)).join(", ")}) SELECT ${select} FROM ${source}${order}`);
      await this.exec("COMMIT");
      const count = inserted.rows[0]?.Count ?? inserted.rows[0]?.count;
      return { table: label, rows: Number(count ?? 0), write, ...(partition !== undefined ? { partition } : {}) };
    } catch (err) {
      await this.exec("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }
}


function columnType(schema: TableSchema, name: string): ColumnType {
  return schema.columns.find((c) => c.name === name)?.type ?? "STRING";
}

function unknownColumn(table: string, name: string, schema: TableSchema): WorkbookError {
  return new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: the file has column ${JSON.stringify(name)}, which is not in the table's schema (${schema.columns.map((c) => c.name).join(", ")}); remove it from the file or add it to the schema.`);
}

/** The `columns` argument of read_json: every column read as text, cast after checking. */
function jsonColumns(schema: TableSchema): string {
  return `{${schema.columns.map((c) => `${literal(c.name)}: 'VARCHAR'`).join(", ")}}`;
}

/** A quoted identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function qualified(name: { dataset: string; table?: string; name?: string }): string {
  return `${ident(name.dataset)}.${ident(name.table ?? name.name ?? "")}`;
}

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function normaliseValue(v: unknown): unknown {
  if (typeof v === "bigint") return normaliseInteger(v);
  if (Array.isArray(v)) return v.map(normaliseValue);
  if (v !== null && typeof v === "object" && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseValue(x)]));
  }
  return v;
}

/** JavaScript parameter values as DuckDB values (Date as TIMESTAMP; explicit types where given). */
async function duckdbParams(params: QueryParams, types: Record<string, ColumnType>): Promise<Record<string, DuckDBValue>> {
  const api = await import("@duckdb/node-api");
  const out: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = types[name];
    if (value === null || value === undefined) out[name] = null;
    else if (type === "DATE") {
      const day = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
      out[name] = api.dateValue(Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000));
    } else if (value instanceof Date || type === "TIMESTAMP") {
      const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
      out[name] = api.timestampTZValue(BigInt(ms) * 1000n);
    } else if (type === "INT64") out[name] = BigInt(value as number | string | bigint);
    else if (type === "FLOAT64" || type === "NUMERIC") out[name] = Number(value);
    else if (type === "STRING") out[name] = String(value);
    else if (typeof value === "number" || typeof value === "string" || typeof value === "boolean" || typeof value === "bigint") out[name] = value;
    else out[name] = JSON.stringify(value);
  }
  return out;
}

/** DuckDB's JSON error (errors_as_json) as a SqlError naming the SQL and the position. */
function duckdbError(sql: string, err: unknown): SqlError {
  const raw = err instanceof Error ? err.message : String(err);
  let reason = raw;
  let offset: number | undefined;
  try {
    // The JSON may follow a prefix, e.g. "Failed to extract statements: Parser Error: {...}".
    const json = raw.slice(Math.max(0, raw.indexOf("{")));
    const parsed = JSON.parse(json) as { exception_type?: string; exception_message?: string; position?: string };
    reason = `${parsed.exception_type ? parsed.exception_type + " Error: " : ""}${parsed.exception_message ?? raw}`;
    if (parsed.position !== undefined && parsed.position !== "") offset = Number(parsed.position);
  } catch {
    // plain text message
  }
  return new SqlError("DuckDB", sql, reason, offset === undefined || Number.isNaN(offset) ? undefined : positionAt(sql, offset), err);
}

/**
 * The cloud warehouse: BigQuery through @google-cloud/bigquery. Loads are load jobs (atomic: all
 * or nothing); a partition overwrite is a WRITE_TRUNCATE load into the `table$YYYYMMDD` decorator.
 * Rows and NDJSON files are checked against the table's schema before upload, so a bad load fails
 * here, naming the column, without a job.
 *
 * Verified by a contract test against a local HTTP stand-in (test/lib/warehouse/bigquery.test.ts),
 * not against Google.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import type { BigQuery, BigQueryOptions, Query, TableField, TableMetadata } from "@google-cloud/bigquery";
import { SqlError, WorkbookError, positionOfLineColumn, type ErrorCode } from "../errors";
import { sqlFor } from "./dialect";
import { toDataFrame } from "./frame";
import { checkDatasetName, checkRows, checkSchema, loadFileFormat, loadMode, parseTableName, partitionDecorator, withNdjsonFile } from "./schema";
import type {
  Column, ColumnType, FileLoadOptions, LoadOptions, LoadResult, QueryOptions, QueryParams, QueryResult, TableInfo, TableSchema,
  Warehouse, WarehouseSql, WriteDisposition,
} from "./warehouse";

export interface BigQueryWarehouseOptions {
  /** Google Cloud project (GOOGLE_CLOUD_PROJECT). */
  project?: string;
  /** Default dataset (BIGQUERY_DATASET). */
  dataset: string;
  /** Location of datasets and jobs (BIGQUERY_LOCATION). */
  location: string;
  /** API endpoint, e.g. "http://127.0.0.1:9050" for a local stand-in. Default: Google's. */
  apiEndpoint?: string;
  /** An auth client with `getRequestHeaders()`. Default: Application Default Credentials. */
  authClient?: unknown;
}

/** Legacy type names that the API returns, back to the workbook's column types. */
const FROM_API: Record<string, ColumnType> = {
  STRING: "STRING", INTEGER: "INT64", INT64: "INT64", FLOAT: "FLOAT64", FLOAT64: "FLOAT64", NUMERIC: "NUMERIC",
  BIGNUMERIC: "NUMERIC", BOOLEAN: "BOOL", BOOL: "BOOL", DATE: "DATE", TIMESTAMP: "TIMESTAMP", JSON: "JSON",
};

export class BigQueryWarehouse implements Warehouse {
  readonly kind = "bigquery" as const;
  readonly dataset: string;
  readonly project: string;
  readonly location: string;
  private readonly client: BigQuery;

  private constructor(client: BigQuery, project: string, dataset: string, location: string) {
    this.client = client;
    this.project = project;
    this.dataset = dataset;
    this.location = location;
  }

  static async create(options: BigQueryWarehouseOptions): Promise<BigQueryWarehouse> {
    if (!options.project) {
      throw new WorkbookError("CONFIG_INVALID", "The BigQuery warehouse needs a project; set GOOGLE_CLOUD_PROJECT to your project id, or unset WAREHOUSE for the embedded DuckDB.");
    }
    const { BigQuery } = await import("@google-cloud/bigquery");
    const clientOptions: BigQueryOptions = {
      projectId: options.project,
      location: options.location,
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      ...(options.authClient ? { authClient: options.authClient as BigQueryOptions["authClient"] } : {}),
    };
    return new BigQueryWarehouse(new BigQuery(clientOptions), options.project, checkDatasetName(options.dataset), options.location);
  }

  async createDataset(name: string = this.dataset): Promise<void> {
    try {
      await this.client.createDataset(checkDatasetName(name), { location: this.location });
    } catch (err) {
      if (apiCode(err) !== 409) throw apiError(`create dataset ${JSON.stringify(name)}`, err);
    }
  }

  async createTable(table: string, schema: TableSchema): Promise<void> {
    const name = parseTableName(table, this.dataset);
    checkSchema(table, schema);
    await this.createDataset(name.dataset);
    try {
      await this.client.dataset(name.dataset).createTable(name.table, tableMetadata(schema));
    } catch (err) {
      if (apiCode(err) !== 409) throw apiError(`create table ${JSON.stringify(table)}`, err);
    }
  }

  async describeTable(table: string): Promise<TableInfo> {
    const name = parseTableName(table, this.dataset);
    let metadata: TableMetadata;
    try {
      [metadata] = await this.client.dataset(name.dataset).table(name.table).getMetadata();
    } catch (err) {
      if (apiCode(err) === 404) {
        throw new WorkbookError("WAREHOUSE_NO_TABLE", `Table ${JSON.stringify(`${name.dataset}.${name.table}`)} does not exist; create it first with createTable(${JSON.stringify(table)}, schema).`, { cause: err });
      }
      throw apiError(`describe table ${JSON.stringify(table)}`, err);
    }
    const columns: Column[] = (metadata.schema?.fields ?? []).map((f) => ({
      name: String(f.name),
      type: FROM_API[String(f.type).toUpperCase()] ?? "STRING",
      mode: f.mode === "REQUIRED" ? "REQUIRED" : "NULLABLE",
      ...(f.description ? { description: f.description } : {}),
    }));
    const schema: TableSchema = { columns };
    if (metadata.timePartitioning?.field) schema.partitionBy = metadata.timePartitioning.field;
    if (metadata.clustering?.fields?.length) schema.clusterBy = metadata.clustering.fields;
    return { dataset: name.dataset, name: name.table, schema };
  }

  async listTables(dataset: string = this.dataset): Promise<string[]> {
    try {
      const [tables] = await this.client.dataset(checkDatasetName(dataset)).getTables({ autoPaginate: true });
      return tables.map((t) => String(t.id)).sort();
    } catch (err) {
      throw apiError(`list tables of ${JSON.stringify(dataset)}`, err);
    }
  }

  async loadRows(table: string, rows: Record<string, unknown>[], options: LoadOptions = {}): Promise<LoadResult> {
    const info = await this.describeTable(table);
    const mode = loadMode(options, info);
    checkRows(table, info.schema, rows, mode.partition);
    return withNdjsonFile(info.schema, rows, (file) => this.runLoad(info, file, "NDJSON", mode.write, mode.partition, rows.length));
  }

  async loadFile(table: string, file: string, options: FileLoadOptions = {}): Promise<LoadResult> {
    const format = loadFileFormat(table, file, options);
    const info = await this.describeTable(table);
    const mode = loadMode(options, info);
    let count: number | undefined;
    if (format === "NDJSON") count = await checkNdjsonFile(table, file, info.schema, mode.partition);
    return this.runLoad(info, file, format, mode.write, mode.partition, count);
  }

  async query<Row = Record<string, unknown>>(sql: WarehouseSql, params: QueryParams = {}, options: QueryOptions = {}): Promise<QueryResult<Row>> {
    const text = sqlFor(sql, "bigquery");
    const request: Query = {
      query: text,
      location: this.location,
      defaultDataset: { projectId: this.project, datasetId: this.dataset },
      wrapIntegers: { integerTypeCastFunction: (v: string) => (Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v)) as unknown as number },
    };
    if (Object.keys(params).length > 0) {
      const { BigQuery } = await import("@google-cloud/bigquery");
      const values: Record<string, unknown> = {};
      const types: Record<string, string> = {};
      for (const [name, value] of Object.entries(params)) {
        const t = options.types?.[name] ?? (value === null || value === undefined ? "STRING" : undefined);
        if (t) types[name] = t;
        // The client sends DATE and TIMESTAMP values from its own wrapper objects.
        if (value === null || value === undefined) values[name] = null;
        else if (t === "DATE") values[name] = BigQuery.date(value instanceof Date ? value.toISOString().slice(0, 10) : String(value));
        else if (t === "TIMESTAMP" && !(value instanceof Date)) values[name] = BigQuery.timestamp(String(value));
        else values[name] = value;
      }
      request.params = values;
      if (Object.keys(types).length > 0) request.types = types;
    }
    let rows: Record<string, unknown>[];
    let columns: string[];
    try {
      // The promise resolves to [rows, nextQuery, apiResponse]; the typings only name the first two.
      const [result, , response] = (await this.client.query(request)) as unknown as [unknown[], unknown, unknown];
      rows = (result as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalise(v)])));
      const fields = (response as { schema?: { fields?: TableField[] } } | undefined)?.schema?.fields;
      columns = fields ? fields.map((f) => String(f.name)) : Object.keys(rows[0] ?? {});
    } catch (err) {
      throw bigqueryQueryError(text, err);
    }
    return { columns, rows: rows as Row[] };
  }

  async queryFrame(sql: WarehouseSql, params: QueryParams = {}, options: QueryOptions = {}): Promise<import("danfojs-node").DataFrame> {
    return toDataFrame(await this.query(sql, params, options));
  }

  async close(): Promise<void> {
    // The client holds no connections between requests.
  }

  /** One load job; into `table$YYYYMMDD` with WRITE_TRUNCATE for a partition overwrite. */
  private async runLoad(info: TableInfo, file: string, format: "NDJSON" | "PARQUET", write: WriteDisposition, partition: string | undefined, count: number | undefined): Promise<LoadResult> {
    const tableId = partition === undefined ? info.name : `${info.name}$${partitionDecorator(partition)}`;
    const metadata = {
      sourceFormat: format === "PARQUET" ? "PARQUET" : "NEWLINE_DELIMITED_JSON",
      writeDisposition: write === "TRUNCATE" ? "WRITE_TRUNCATE" : "WRITE_APPEND",
      createDisposition: "CREATE_NEVER",
      ...tableMetadata(info.schema),
    };
    const label = `${info.dataset}.${info.name}`;
    let job: unknown;
    try {
      [job] = await this.client.dataset(info.dataset).table(tableId).load(file, metadata);
    } catch (err) {
      throw apiError(`load ${path.basename(file)} into ${JSON.stringify(label)}${partition ? ` partition ${partition}` : ""}`, err, "WAREHOUSE_LOAD");
    }
    const status = (job as { status?: { errorResult?: { message?: string }; errors?: { message?: string }[] } }).status;
    if (status?.errorResult) {
      const details = (status.errors ?? []).map((e) => e.message).filter(Boolean).join("; ");
      throw new WorkbookError("WAREHOUSE_LOAD", `BigQuery load into ${JSON.stringify(label)} failed: ${status.errorResult.message ?? "unknown error"}${details ? ` (${details})` : ""}; fix the data or the table's schema. Nothing was written (load jobs are atomic).`);
    }
    const outputRows = Number((job as { statistics?: { load?: { outputRows?: string } } }).statistics?.load?.outputRows ?? count ?? 0);
    return { table: label, rows: outputRows, write, ...(partition !== undefined ? { partition } : {}) };
  }
}

function tableMetadata(schema: TableSchema): { schema: { fields: TableField[] }; timePartitioning?: { type: string; field: string }; clustering?: { fields: string[] } } {
  const out: { schema: { fields: TableField[] }; timePartitioning?: { type: string; field: string }; clustering?: { fields: string[] } } = {
    schema: { fields: schema.columns.map((c) => ({ name: c.name, type: c.type, mode: c.mode ?? "NULLABLE", ...(c.description ? { description: c.description } : {}) })) },
  };
  if (schema.partitionBy) out.timePartitioning = { type: "DAY", field: schema.partitionBy };
  if (schema.clusterBy && schema.clusterBy.length > 0) out.clustering = { fields: [...schema.clusterBy] };
  return out;
}


/** Checks every line of an NDJSON file against the schema (in batches); returns the row count. */
async function checkNdjsonFile(table: string, file: string, schema: TableSchema, partition?: string): Promise<number> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  let batch: Record<string, unknown>[] = [];
  const flush = (): void => {
    try {
      checkRows(table, schema, batch, partition);
    } catch (err) {
      // renumber rows from the batch to the file
      const e = err as WorkbookError;
      e.message = e.message.replace(/row (\d+)/, (_m, k: string) => `line ${n - batch.length + Number(k)} of ${file}`);
      throw e;
    }
    batch = [];
  };
  for await (const line of lines) {
    if (line.trim() === "") continue;
    n++;
    try {
      batch.push(JSON.parse(line) as Record<string, unknown>);
    } catch (err) {
      throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: line ${n} of ${file} is not JSON; fix the file.`, { cause: err });
    }
    if (batch.length >= 10_000) flush();
  }
  if (batch.length > 0) flush();
  return n;
}

/** BigQueryDate / BigQueryTimestamp / Big values as the workbook's plain values. */
function normalise(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(normalise);
  const name = (v as object).constructor?.name;
  if (name === "BigQueryDate") return String((v as { value: string }).value);
  if (name === "BigQueryTimestamp") return new Date(String((v as { value: string }).value));
  if (name === "BigQueryDatetime" || name === "BigQueryTime") return String((v as { value: string }).value);
  if (name === "Big") return Number(String(v));
  if (v instanceof Date || Buffer.isBuffer(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
}

function apiCode(err: unknown): number | undefined {
  return (err as { code?: number })?.code;
}

function apiError(what: string, err: unknown, code: ErrorCode = "WAREHOUSE_API"): WorkbookError {
  const e = err as { message?: string; errors?: { message?: string }[] };
  return new WorkbookError(code, `BigQuery could not ${what}: ${e?.message ?? String(err)}. Check GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET, BIGQUERY_LOCATION and your credentials (gcloud auth application-default login).`, { cause: err });
}

/** A query error; BigQuery reports positions as "[line:column]" in the message. */
function bigqueryQueryError(sql: string, err: unknown): Error {
  const message = (err as { message?: string })?.message ?? String(err);
  const m = /\[(\d+):(\d+)\]/.exec(message);
  const code = apiCode(err);
  if (code !== undefined && code !== 400 && !m) return apiError("run the query", err);
  return new SqlError("BigQuery", sql, message, m ? positionOfLineColumn(sql, Number(m[1]), Number(m[2])) : undefined, err);
}

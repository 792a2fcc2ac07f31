/**
 * The cloud warehouse: BigQuery through @google-cloud/bigquery. Loads are load jobs (atomic: all
 * or nothing); a partition overwrite is a WRITE_TRUNCATE load into the `table$YYYYMMDD` decorator.
 * A merge by key loads into a staging table and runs one MERGE statement. Rows and NDJSON files are
 * checked against the table's schema before upload, so a bad load fails here, naming the column,
 * without a job.
 *
 * What the API does that the code must cope with: "create" answers 409 when the dataset or table
 * exists (fine: they are created if missing); a job is PENDING, then RUNNING, and only when DONE
 * does its status say whether it worked (`status.errorResult`, `status.errors[]`); query results
 * come in pages; and a job is found only in its location (BIGQUERY_LOCATION), which every job
 * insert and look-up must name.
 *
 * Verified by a contract test against a local HTTP stand-in that does all of that
 * (test/lib/warehouse/bigquery.test.ts, test/cloud/bigquery-stand-in.ts), not against Google.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import type { BigQuery, BigQueryOptions, Job, JobMetadata, Query, TableField, TableMetadata } from "@google-cloud/bigquery";
import { SqlError, WorkbookError, positionOfLineColumn, type ErrorCode } from "../errors";
import { sqlFor } from "./dialect";
import { toDataFrame } from "./frame";
import { mergeStatement, planMerge } from "./merge";
import { checkDatasetName, checkRows, checkSchema, loadFileFormat, loadMode, parseTableName, partitionDecorator, withNdjsonFile } from "./schema";
import type {
  Column, ColumnType, FileLoadOptions, LoadOptions, LoadResult, MergeOptions, MergeResult, QueryOptions, QueryParams, QueryResult, TableInfo, TableSchema,
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
  /** First wait between look-ups of a running load job; it doubles up to 2 s. Default 200 ms. */
  pollMs?: number;
}

const MAX_POLL_MS = 2000;

/** A merge's staging table expires after this long, should the drop at its end not happen (a crash). */
const STAGING_EXPIRY_MS = 60 * 60 * 1000;

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
  private readonly pollMs: number;

  private constructor(client: BigQuery, project: string, dataset: string, location: string, pollMs: number) {
    this.client = client;
    this.project = project;
    this.dataset = dataset;
    this.location = location;
    this.pollMs = pollMs;
  }

  static async create(options: BigQueryWarehouseOptions): Promise<BigQueryWarehouse> {
    if (!options.project) {
      throw new WorkbookError("CONFIG_INVALID", "The BigQuery warehouse needs a project; set GOOGLE_CLOUD_PROJECT to your project id, or unset WAREHOUSE for the embedded DuckDB.");
    }
    const { BigQuery } = await import("@google-cloud/bigquery");
    const clientOptions: BigQueryOptions = {
      projectId: options.project,
      // Every dataset, table and job the client makes carries the location: load jobs are inserted
      // there, and job look-ups (jobs.get, getQueryResults) name it, or BigQuery answers 404.
      location: options.location,
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
      ...(options.authClient ? { authClient: options.authClient as BigQueryOptions["authClient"] } : {}),
    };
    return new BigQueryWarehouse(new BigQuery(clientOptions), options.project, checkDatasetName(options.dataset), options.location, options.pollMs ?? 200);
  }

  /** Creates the dataset if it is missing (409 Already Exists is fine). */
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
      // 409 Already Exists: createTable means "create if missing".
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

  /**
   * BigQuery has no MERGE from the client's rows: they are loaded (a load job, atomic) into a staging
   * table beside the target, which expires in an hour; one MERGE statement, atomic too, applies them;
   * then the staging table is dropped.
   */
  async mergeRows(table: string, rows: Record<string, unknown>[], options: MergeOptions): Promise<MergeResult> {
    const info = await this.describeTable(table);
    const plan = planMerge(table, info.schema, rows, options);
    const result: MergeResult = { table: `${info.dataset}.${info.name}`, rows: plan.rows, deleted: plan.deleted };
    if (plan.staged.length === 0) return result;
    const staging: TableInfo = { dataset: info.dataset, name: `${info.name}_merge_${randomBytes(6).toString("hex")}`, schema: plan.staging };
    const dataset = this.client.dataset(info.dataset);
    try {
      await dataset.createTable(staging.name, { ...tableMetadata(staging.schema), expirationTime: String(Date.now() + STAGING_EXPIRY_MS) });
    } catch (err) {
      throw apiError(`create the staging table ${JSON.stringify(`${staging.dataset}.${staging.name}`)} for a merge into ${JSON.stringify(result.table)}`, err);
    }
    try {
      await withNdjsonFile(plan.staging, plan.staged, (file) => this.runLoad(staging, file, "NDJSON", "TRUNCATE", undefined, plan.staged.length));
      const quote = (name: string) => `\`${name}\``;
      await this.query(mergeStatement(quote(`${info.dataset}.${info.name}`), quote(`${staging.dataset}.${staging.name}`), info.schema, plan.key, quote));
    } finally {
      // A drop that fails leaves the table to its expiry; the merge's outcome stands either way.
      await dataset.table(staging.name).delete().catch(() => undefined);
    }
    return result;
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
      // autoPaginate: the client keeps asking getQueryResults while the job is not complete
      // (jobComplete: false) and then for every page (pageToken), and returns all the rows. (Setting
      // maxResults would turn that off and return the first page only.) The promise resolves to
      // [rows, nextQuery, apiResponse of the last page]; the typings only name the first two.
      const [result, , response] = (await this.client.query(request, { autoPaginate: true })) as unknown as [unknown[], unknown, unknown];
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
    const what = `load ${path.basename(file)} into ${JSON.stringify(label)}${partition ? ` partition ${partition}` : ""}`;
    let done: JobMetadata;
    try {
      const [job] = await this.client.dataset(info.dataset).table(tableId).createLoadJob(file, metadata);
      done = await this.waitForJob(job);
    } catch (err) {
      throw apiError(what, err, "WAREHOUSE_LOAD");
    }
    if (done.status?.errorResult) throw loadJobError(label, partition, done.status);
    const outputRows = Number(done.statistics?.load?.outputRows ?? count ?? 0);
    return { table: label, rows: outputRows, write, ...(partition !== undefined ? { partition } : {}) };
  }

  /**
   * Looks the job up until it is DONE (it is PENDING, then RUNNING, for a while), waiting `pollMs`,
   * then twice that, up to 2 s. Only a DONE job's status says whether it worked.
   */
  private async waitForJob(job: Job): Promise<JobMetadata> {
    let metadata = job.metadata as JobMetadata;
    let wait = this.pollMs;
    while (metadata.status?.state !== "DONE") {
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, MAX_POLL_MS);
      [metadata] = await job.getMetadata();
    }
    return metadata;
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


/**
 * Checks every line of an NDJSON file against the schema (in batches), before it is uploaded;
 * returns the row count. Blank lines are skipped; errors name the file's line number.
 */
async function checkNdjsonFile(table: string, file: string, schema: TableSchema, partition?: string): Promise<number> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  let rows = 0;
  let batch: Record<string, unknown>[] = [];
  let batchLines: number[] = [];
  const flush = (): void => {
    try {
      checkRows(table, schema, batch, partition);
    } catch (err) {
      // renumber rows of the batch as lines of the file
      const e = err as WorkbookError;
      e.message = e.message.replace(/row (\d+)/, (_m, k: string) => `line ${batchLines[Number(k) - 1]} of ${file}`);
      throw e;
    }
    batch = [];
    batchLines = [];
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    rows++;
    try {
      batch.push(JSON.parse(line) as Record<string, unknown>);
    } catch (err) {
      throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: line ${lineNo} of ${file} is not JSON (${(err as Error).message}); fix the file: one JSON object per line.`, { cause: err });
    }
    batchLines.push(lineNo);
    if (batch.length >= 10_000) flush();
  }
  if (batch.length > 0) flush();
  return rows;
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

/** An API call that failed (not a job that ran and failed: see loadJobError), with a hint that fits its status. */
function apiError(what: string, err: unknown, code: ErrorCode = "WAREHOUSE_API"): WorkbookError {
  const e = err as { message?: string; errors?: { message?: string }[] };
  const status = apiCode(err);
  const hint = status === 401 || status === 403
    ? "Check your credentials (gcloud auth application-default login) and that they may use GOOGLE_CLOUD_PROJECT."
    : status === 404
      ? "Check GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET and BIGQUERY_LOCATION (a job is found only in its location)."
      : status === 400
        ? "Fix the request above."
        : "Check GOOGLE_CLOUD_PROJECT, BIGQUERY_DATASET, BIGQUERY_LOCATION and your credentials (gcloud auth application-default login).";
  return new WorkbookError(code, `BigQuery could not ${what}: ${e?.message ?? String(err)}. ${hint}`, { cause: err });
}

type JobStatus = NonNullable<JobMetadata["status"]>;

/**
 * A load job that ran and failed: BigQuery's `status.errorResult` and `status.errors[]`. A schema
 * error names the column (SCHEMA_MISMATCH); anything else is WAREHOUSE_LOAD with BigQuery's messages.
 */
function loadJobError(label: string, partition: string | undefined, status: JobStatus): WorkbookError {
  const into = `BigQuery load into ${JSON.stringify(label)}${partition ? ` partition ${partition}` : ""} failed`;
  const messages = [...new Set([status.errorResult, ...(status.errors ?? [])].map((e) => e?.message).filter((m): m is string => Boolean(m)))];
  const said = `BigQuery said: ${messages.join(" | ")}`;
  const atomic = "Nothing was written (load jobs are atomic).";
  const typeName = (t: string) => FROM_API[t.toUpperCase()] ?? t;
  for (const message of messages) {
    let m = /Field (\w+) has changed type from (\w+) to (\w+)/.exec(message);
    if (m) {
      return new WorkbookError("SCHEMA_MISMATCH", `${into}: column ${JSON.stringify(m[1])} is ${typeName(m[2])} in the table but ${typeName(m[3])} in the load's schema; make them agree (describeTable shows the table's schema, which may have been changed elsewhere). ${atomic} ${said}`);
    }
    m = /No such field: (\w+)/.exec(message);
    if (m) {
      return new WorkbookError("SCHEMA_MISMATCH", `${into}: the data has column ${JSON.stringify(m[1])}, which the table does not have; remove it from the data or add it to the table's schema. ${atomic} ${said}`);
    }
    m = /Field: (\w+); Value: (.*?)(?:\s+File:|$)/.exec(message);
    if (m) {
      return new WorkbookError("SCHEMA_MISMATCH", `${into}: column ${JSON.stringify(m[1])} has a value BigQuery cannot convert (${m[2]}); fix the data or the column's type. ${atomic} ${said}`);
    }
  }
  return new WorkbookError("WAREHOUSE_LOAD", `${into} (${status.errorResult?.reason ?? "unknown reason"}); fix the data or the table's schema. ${atomic} ${said}`);
}

/** A query error; BigQuery reports positions as "[line:column]" in the message. */
function bigqueryQueryError(sql: string, err: unknown): Error {
  const message = (err as { message?: string })?.message ?? String(err);
  const m = /\[(\d+):(\d+)\]/.exec(message);
  const code = apiCode(err);
  if (code !== undefined && code !== 400 && !m) return apiError("run the query", err);
  return new SqlError("BigQuery", sql, message, m ? positionOfLineColumn(sql, Number(m[1]), Number(m[2])) : undefined, err);
}

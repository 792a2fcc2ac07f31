/**
 * A local stand-in for the BigQuery REST API (node:http on 127.0.0.1, port 0) for the contract
 * test: it records every request (and the status it answered) and answers with the documented
 * response shapes (https://cloud.google.com/bigquery/docs/reference/rest). It keeps just enough
 * state (datasets and their locations, table metadata, jobs) for the client's calls to succeed,
 * and it runs no SQL (a test asserts the SQL it was sent, e.g. a merge's MERGE statement). Where
 * the cloud is awkward, so is the stand-in:
 *
 * - creating a dataset or a table that exists answers 409 Already Exists (reason "duplicate");
 *   deleting a table answers 204 No Content, or 404 when there is none;
 * - load and query jobs are PENDING, then RUNNING for a few look-ups (`pollsUntilDone`), then
 *   DONE; a query answers `jobComplete: false` until then;
 * - a failed job is DONE with `status.errorResult` {reason, location, message} and `status.errors[]`;
 * - query results come in pages of `pageSize` rows (`pageToken`, `maxResults`);
 * - every job has a location: a job look-up with another location (none means US) is 404, as is a
 *   job inserted in a location other than its dataset's. (The real API finds US and EU
 *   multi-region jobs without the location, but not single-region ones; the stand-in always wants it.)
 *
 * With WORKBOOK_BIGQUERY_SQL_LOG set to a file, the stand-in also appends to it (JSON lines, see
 * `SqlLogEntry`) every table it is asked to create, with its schema, and every SQL statement it
 * receives (jobs.query, or a query job's configuration), with its parameters, its default dataset,
 * the tables that exist at that moment and the test file that started the stand-in. The ZetaSQL
 * check (test/zetasql) runs the tests that use the stand-in with it set, and has ZetaSQL analyze
 * every statement: whatever a scenario sends to BigQuery in a test is checked, with no list to keep.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or for a multipart upload the JSON metadata part. */
  json?: Record<string, unknown>;
  /** For a multipart upload: the uploaded file's bytes as text. */
  upload?: string;
  /** The HTTP status the stand-in answered with. */
  status?: number;
  /** The JSON it answered with. */
  answer?: unknown;
}

/** A schema field as the API sends it (tables.insert, load jobs). */
export interface ApiField {
  name: string;
  type: string;
  mode?: string;
  fields?: ApiField[];
}

/** A query parameter as the API sends it (jobs.query `queryParameters`). */
export interface ApiParameter {
  name?: string;
  parameterType: ApiParameterType;
}

export interface ApiParameterType {
  type: string;
  arrayType?: ApiParameterType;
  structTypes?: { name?: string; type: ApiParameterType }[];
}

/** Where a logged entry came from: one stand-in (`standIn`, unique per process and start) started by `file` at `line`. */
export interface SqlLogSource {
  standIn: string;
  file: string;
  line?: number;
}

/** One line of WORKBOOK_BIGQUERY_SQL_LOG: a table created, or a statement received. */
export type SqlLogEntry =
  | (SqlLogSource & { kind: "table"; project: string; dataset: string; table: string; fields: ApiField[] })
  | (SqlLogSource & {
    kind: "statement";
    /** "jobs.query" or "jobs.insert". */
    via: string;
    sql: string;
    useLegacySql: boolean;
    parameterMode?: string;
    parameters: ApiParameter[];
    project: string;
    defaultDataset?: string;
    /** The tables ("dataset.table") that existed when the statement arrived. */
    tables: string[];
    /** The error the stand-in answered with, as the test asked (`nextQuery = { error }`): the test expects BigQuery to reject the statement. */
    rejected?: string;
  });

/** The test file (relative to the project, as .ts) and line that called `startStandIn`, from the stack. */
function caller(): { file: string; line?: number } {
  const frames: { file: string; line: number }[] = [];
  for (const frame of (new Error().stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(frame);
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, "");
    if (/bigquery-stand-in\.(js|ts)$/.test(file) || file.includes("node_modules") || !file.startsWith(projectRoot)) continue;
    frames.push({ file, line: Number(m[2]) });
  }
  // the test file itself, or else the helper that started the stand-in
  const found = frames.find((f) => /\.test\.(js|ts)$/.test(f.file)) ?? frames[0];
  if (found) {
    const relative = path.relative(projectRoot, found.file).replace(/^dist\//, "").replace(/\.js$/, ".ts");
    // Line numbers are the source's when the process maps them (--enable-source-maps); else the compiled file's.
    return found.file.endsWith(".ts") ? { file: relative, line: found.line } : { file: relative };
  }
  return { file: path.relative(projectRoot, process.argv[1] ?? "?").replace(/^dist\//, "").replace(/\.js$/, ".ts") };
}

let standInCount = 0;

/** What a query job returns: schema fields and rows in the API's `{f: [{v}]}` form. */
export interface QueryAnswer {
  fields: { name: string; type: string; mode?: string }[];
  rows: (string | null)[][];
}

/** One entry of `status.errors[]` (and the shape of `status.errorResult`). */
export interface JobErrorProto {
  reason: string;
  message: string;
  location?: string;
}

/** How a failed job ends: `status.errorResult` and `status.errors[]`. */
export interface JobFailure {
  errorResult: JobErrorProto;
  errors: JobErrorProto[];
}

export interface StandInOptions {
  project?: string;
  /** Look-ups (jobs.get, jobs.getQueryResults) that see a job PENDING/RUNNING before it is DONE. Default 3. */
  pollsUntilDone?: number;
  /** Rows per page of query results (the API pages at about 10 MB; small here so paging is exercised). Default 2. */
  pageSize?: number;
}

export interface StandIn {
  url: string;
  project: string;
  requests: RecordedRequest[];
  /** The next query's answer (or an error to answer with status 400, as jobs.query does for bad SQL). */
  nextQuery: QueryAnswer | { error: string };
  /** Make the next load job end (when DONE) with this failure; see `schemaChanged` and `noSuchField`. */
  nextLoadFailure?: JobFailure;
  /** Look-ups before a job is DONE (can be changed between calls). */
  pollsUntilDone: number;
  /** Rows per page of query results. */
  pageSize: number;
  /** The states every job was seen in, by job id, in order (PENDING, RUNNING, ..., DONE). */
  jobStates: Map<string, string[]>;
  /** Answers a query that `nextQuery` was not set for (by default: no rows). */
  answer?: (sql: string) => QueryAnswer;
  close(): Promise<void>;
}

/** The failure BigQuery reports when a load's schema does not match the table's. */
export function schemaChanged(project: string, table: string, field: string, from: string, to: string): JobFailure {
  const message = `Provided Schema does not match Table ${project}:${table}. Field ${field} has changed type from ${from} to ${to}`;
  return { errorResult: { reason: "invalid", message }, errors: [{ reason: "invalid", message }] };
}

/** The failure BigQuery reports when an NDJSON row has a field the table does not have. */
export function noSuchField(field: string, file = "file-00000000"): JobFailure {
  const summary = "Error while reading data, error message: JSON table encountered too many errors, giving up. Rows: 1; errors: 1. Please look into the errors[] collection for more details.";
  return {
    errorResult: { reason: "invalid", message: summary },
    errors: [
      { reason: "invalid", message: summary },
      { reason: "invalid", location: file, message: "Error while reading data, error message: JSON processing encountered too many errors, giving up. Rows: 1; errors: 1; max bad: 0; error percent: 0" },
      { reason: "invalid", location: file, message: `Error while reading data, error message: JSON parsing error in row starting at position 0: No such field: ${field}. File: ${file}` },
    ],
  };
}

interface Job {
  resource: Record<string, unknown>;
  location: string;
  lookups: number;
  failure?: JobFailure;
  result?: QueryAnswer;
  outputRows?: number;
}

export async function startStandIn(options: StandInOptions | string = {}): Promise<StandIn> {
  const o = typeof options === "string" ? { project: options } : options;
  const project = o.project ?? "test-project";
  const datasets = new Map<string, { location: string }>();
  const tables = new Map<string, Record<string, unknown>>();
  const jobs = new Map<string, Job>();
  let jobCounter = 0;
  const source: SqlLogSource = { standIn: `${process.pid}-${++standInCount}`, ...caller() };
  const sqlLog = process.env.WORKBOOK_BIGQUERY_SQL_LOG;
  const log = (entry: SqlLogEntry): void => {
    if (sqlLog) fs.appendFileSync(sqlLog, JSON.stringify(entry) + "\n");
  };
  /** Logs a table created or a statement received (jobs.query's `query`, or a query job's configuration). */
  const logRequest = (r: RecordedRequest): void => {
    if (!sqlLog || r.method !== "POST" || !r.json) return;
    const base = `/bigquery/v2/projects/${project}`;
    const m = new RegExp(`^${base}/datasets/(\\w+)/tables$`).exec(r.path);
    if (m) {
      // only the tables made (not a 409 for one that exists)
      if (r.status !== 200) return;
      const ref = r.json.tableReference as { tableId: string };
      const fields = ((r.json.schema as { fields?: ApiField[] } | undefined)?.fields ?? []);
      log({ kind: "table", ...source, project, dataset: m[1], table: ref.tableId, fields });
      return;
    }
    const job = (r.json.configuration as { query?: Record<string, unknown> } | undefined)?.query;
    const request = r.path === `${base}/queries` ? r.json : r.path.endsWith(`/projects/${project}/jobs`) ? job : undefined;
    if (!request || typeof request.query !== "string") return;
    const dataset = (request.defaultDataset as { datasetId?: string } | undefined)?.datasetId;
    log({
      kind: "statement",
      ...source,
      via: request === r.json ? "jobs.query" : "jobs.insert",
      sql: request.query,
      useLegacySql: request.useLegacySql !== false,
      ...(typeof request.parameterMode === "string" ? { parameterMode: request.parameterMode } : {}),
      parameters: (request.queryParameters ?? []) as ApiParameter[],
      project,
      ...(dataset ? { defaultDataset: dataset } : {}),
      tables: [...tables.keys()],
      ...(r.status === 400 ? { rejected: String(((r.answer as { error?: { message?: string } } | undefined)?.error?.message) ?? "") } : {}),
    });
  };
  const standIn: StandIn = {
    url: "",
    project,
    requests: [],
    nextQuery: { fields: [], rows: [] },
    pollsUntilDone: o.pollsUntilDone ?? 3,
    pageSize: o.pageSize ?? 2,
    jobStates: new Map(),
    close: async () => undefined,
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      const record: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers };
      const type = String(req.headers["content-type"] ?? "");
      if (type.startsWith("multipart/")) {
        const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1] ?? "";
        const parts = body.split(`--${boundary}`).slice(1, -1).map((p) => p.replace(/^\r\n/, "").split("\r\n\r\n"));
        record.json = JSON.parse(parts[0].slice(1).join("\r\n\r\n")) as Record<string, unknown>;
        record.upload = parts[1].slice(1).join("\r\n\r\n").replace(/\r\n$/, "");
      } else if (body) {
        record.json = JSON.parse(body) as Record<string, unknown>;
      }
      standIn.requests.push(record);
      const [status, answer] = route(record);
      record.status = status;
      record.answer = answer;
      logRequest(record);
      if (answer === undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(answer));
    });
  });

  const STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 409: "ALREADY_EXISTS" };
  const error = (code: number, message: string, reason: string): [number, unknown] =>
    [code, { error: { code, message, errors: [{ message, domain: "global", reason }], status: STATUS[code] ?? "UNKNOWN" } }];

  /** The job's state after one more look-up (PENDING, then RUNNING, then DONE after `pollsUntilDone`). */
  const lookUp = (id: string, job: Job): string => {
    job.lookups++;
    return stateOf(id, job);
  };
  const stateOf = (id: string, job: Job): string => {
    const state = job.lookups >= standIn.pollsUntilDone ? "DONE" : job.lookups === 0 ? "PENDING" : "RUNNING";
    const seen = standIn.jobStates.get(id) ?? [];
    if (seen[seen.length - 1] !== state) seen.push(state);
    standIn.jobStates.set(id, seen);
    return state;
  };
  /** The job resource as jobs.insert and jobs.get answer it in its current state. */
  const jobView = (id: string, job: Job, state: string): Record<string, unknown> => {
    if (state !== "DONE") return { ...job.resource, status: { state } };
    const load = job.failure || job.outputRows === undefined ? undefined : { inputFiles: "1", outputRows: String(job.outputRows) };
    return {
      ...job.resource,
      status: job.failure ? { state, errorResult: job.failure.errorResult, errors: job.failure.errors } : { state },
      statistics: { ...(job.resource.statistics as object), endTime: "1616767332000", ...(load ? { load } : {}) },
    };
  };
  /** 404 unless the look-up names the job's location (no location means US). */
  const located = (r: RecordedRequest, id: string): Job | [number, unknown] => {
    const job = jobs.get(id);
    const location = r.query.get("location") ?? "US";
    if (!job || job.location !== location) return error(404, `Not found: Job ${project}:${location}.${id}`, "notFound");
    return job;
  };
  /** 404 when a job in `location` names a dataset that lives elsewhere. */
  const wrongLocation = (dataset: string | undefined, location: string): [number, unknown] | undefined => {
    const ds = dataset ? datasets.get(dataset) : undefined;
    return ds && ds.location !== location ? error(404, `Not found: Dataset ${project}:${dataset} was not found in location ${location}`, "notFound") : undefined;
  };
  /** One page of a finished query's rows, from `pageToken` (an offset), at most `pageSize` and `maxResults`. */
  const page = (job: Job, r: RecordedRequest, kind: string): Record<string, unknown> => {
    const answer = job.result ?? { fields: [], rows: [] };
    const start = Number(r.query.get("pageToken") ?? r.json?.pageToken ?? 0);
    const max = Number(r.query.get("maxResults") ?? r.json?.maxResults ?? Infinity);
    const end = Math.min(answer.rows.length, start + Math.min(standIn.pageSize, max));
    return {
      kind,
      jobReference: job.resource.jobReference,
      jobComplete: true,
      schema: { fields: answer.fields.map((f) => ({ mode: "NULLABLE", ...f })) },
      totalRows: String(answer.rows.length),
      ...(end > start ? { rows: answer.rows.slice(start, end).map((row) => ({ f: row.map((v) => ({ v })) })) } : {}),
      ...(end < answer.rows.length ? { pageToken: String(end) } : {}),
      totalBytesProcessed: "0",
      cacheHit: false,
    };
  };

  function route(r: RecordedRequest): [number, unknown] {
    const base = `/bigquery/v2/projects/${project}`;
    let m: RegExpExecArray | null;
    if (r.method === "POST" && r.path === `${base}/datasets`) {
      const ref = r.json?.datasetReference as { datasetId: string };
      if (datasets.has(ref.datasetId)) return error(409, `Already Exists: Dataset ${project}:${ref.datasetId}`, "duplicate");
      const location = (r.json?.location as string | undefined) ?? "US";
      datasets.set(ref.datasetId, { location });
      return [200, { kind: "bigquery#dataset", id: `${project}:${ref.datasetId}`, datasetReference: { projectId: project, datasetId: ref.datasetId }, location }];
    }
    if (r.method === "POST" && (m = new RegExp(`^${base}/datasets/(\\w+)/tables$`).exec(r.path))) {
      if (!datasets.has(m[1])) return error(404, `Not found: Dataset ${project}:${m[1]}`, "notFound");
      const ref = r.json?.tableReference as { tableId: string };
      const key = `${m[1]}.${ref.tableId}`;
      if (tables.has(key)) return error(409, `Already Exists: Table ${project}:${key}`, "duplicate");
      const table = { kind: "bigquery#table", id: `${project}:${key}`, ...r.json, type: "TABLE", location: datasets.get(m[1])?.location };
      tables.set(key, table);
      return [200, table];
    }
    if (r.method === "GET" && (m = new RegExp(`^${base}/datasets/(\\w+)/tables$`).exec(r.path))) {
      const ds = m[1];
      const list = [...tables.entries()].filter(([k]) => k.startsWith(`${ds}.`)).map(([, t]) => ({ kind: "bigquery#table", id: t.id, tableReference: t.tableReference, type: "TABLE" }));
      return [200, { kind: "bigquery#tableList", tables: list, totalItems: list.length }];
    }
    if (r.method === "GET" && (m = new RegExp(`^${base}/datasets/(\\w+)/tables/(\\w+)$`).exec(r.path))) {
      const t = tables.get(`${m[1]}.${m[2]}`);
      return t ? [200, t] : error(404, `Not found: Table ${project}:${m[1]}.${m[2]}`, "notFound");
    }
    if (r.method === "DELETE" && (m = new RegExp(`^${base}/datasets/(\\w+)/tables/(\\w+)$`).exec(r.path))) {
      // tables.delete answers 204 No Content.
      return tables.delete(`${m[1]}.${m[2]}`) ? [204, undefined] : error(404, `Not found: Table ${project}:${m[1]}.${m[2]}`, "notFound");
    }
    if (r.method === "POST" && r.path === `/upload/bigquery/v2/projects/${project}/jobs`) {
      const ref = (r.json?.jobReference ?? {}) as { jobId?: string; location?: string };
      const location = ref.location ?? "US";
      const config = (r.json?.configuration ?? {}) as { load?: { destinationTable?: { datasetId: string; tableId: string } } };
      const dest = config.load?.destinationTable;
      const misplaced = wrongLocation(dest?.datasetId, location);
      if (misplaced) return misplaced;
      const tableKey = dest ? `${dest.datasetId}.${dest.tableId.replace(/\$\d+$/, "")}` : "";
      if (!tables.has(tableKey)) return error(404, `Not found: Table ${project}:${tableKey}`, "notFound");
      const jobId = ref.jobId ?? `job_${++jobCounter}`;
      const lines = (r.upload ?? "").split("\n").filter((l) => l.trim() !== "").length;
      const job: Job = {
        location,
        lookups: 0,
        failure: standIn.nextLoadFailure,
        outputRows: lines,
        resource: {
          kind: "bigquery#job",
          id: `${project}:${location}.${jobId}`,
          jobReference: { projectId: project, jobId, location },
          configuration: { ...(r.json?.configuration as object), jobType: "LOAD" },
          statistics: { creationTime: "1616767331000" },
        },
      };
      standIn.nextLoadFailure = undefined;
      jobs.set(jobId, job);
      return [200, jobView(jobId, job, stateOf(jobId, job))];
    }
    if (r.method === "GET" && (m = new RegExp(`^${base}/jobs/([\\w-]+)$`).exec(r.path))) {
      const job = located(r, m[1]);
      if (Array.isArray(job)) return job;
      return [200, jobView(m[1], job, lookUp(m[1], job))];
    }
    if (r.method === "POST" && r.path === `${base}/queries`) {
      const queued = standIn.nextQuery;
      const unset = !("error" in queued) && queued.fields.length === 0 && queued.rows.length === 0;
      const answer = unset && standIn.answer ? standIn.answer(String(r.json?.query ?? "")) : queued;
      standIn.nextQuery = { fields: [], rows: [] };
      const location = (r.json?.location as string | undefined) ?? "US";
      const misplaced = wrongLocation((r.json?.defaultDataset as { datasetId?: string } | undefined)?.datasetId, location);
      if (misplaced) return misplaced;
      if ("error" in answer) return error(400, answer.error, "invalidQuery");
      const jobId = `query_${++jobCounter}`;
      const job: Job = {
        location,
        lookups: 0,
        result: answer,
        resource: { kind: "bigquery#job", id: `${project}:${location}.${jobId}`, jobReference: { projectId: project, jobId, location }, configuration: { query: { query: r.json?.query }, jobType: "QUERY" } },
      };
      jobs.set(jobId, job);
      // jobs.query waits a while for the job; this one is not done yet when it answers.
      if (stateOf(jobId, job) !== "DONE") return [200, { kind: "bigquery#queryResponse", jobReference: job.resource.jobReference, jobComplete: false }];
      return [200, page(job, r, "bigquery#queryResponse")];
    }
    if (r.method === "GET" && (m = new RegExp(`^${base}/queries/([\\w-]+)$`).exec(r.path))) {
      const job = located(r, m[1]);
      if (Array.isArray(job)) return job;
      const state = stateOf(m[1], job) === "DONE" ? "DONE" : lookUp(m[1], job);
      if (state !== "DONE") {
        return [200, { kind: "bigquery#getQueryResultsResponse", jobReference: job.resource.jobReference, jobComplete: false }];
      }
      return [200, page(job, r, "bigquery#getQueryResultsResponse")];
    }
    return error(404, `The stand-in does not know ${r.method} ${r.path}`, "notFound");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return standIn;
}

/**
 * An answer for `standIn.answer` when a scenario reads the first row of a result: one row with a
 * STRING "0" for every alias (`AS name`) of the statement, e.g. `SELECT COUNT(*) AS n ...` gives
 * `{ n: "0" }`; a statement with no alias gets no rows.
 */
export function zeroRowOfAliases(sql: string): QueryAnswer {
  const names = [...new Set([...sql.matchAll(/\bAS\s+`?([A-Za-z_]\w*)`?\s*(?:,|$|\bFROM\b)/gim)].map((m) => m[1]))];
  return { fields: names.map((name) => ({ name, type: "STRING" })), rows: names.length > 0 ? [names.map(() => "0")] : [] };
}

/** An auth client that needs no network: a fixed bearer token, counting its uses. */
export function fakeAuthClient(): { getRequestHeaders: () => Promise<Headers>; calls: number } {
  const client = {
    calls: 0,
    async getRequestHeaders(): Promise<Headers> {
      client.calls++;
      return new Headers({ authorization: "Bearer stand-in-token" });
    },
  };
  return client;
}

/**
 * A local stand-in for the BigQuery REST API (node:http on 127.0.0.1, port 0) for the contract
 * test: it records every request and answers with the documented response shapes
 * (https://cloud.google.com/bigquery/docs/reference/rest). It keeps just enough state (datasets,
 * table metadata, jobs) for the client's calls to succeed; it runs no SQL.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or for a multipart upload the JSON metadata part. */
  json?: Record<string, unknown>;
  /** For a multipart upload: the uploaded file's bytes as text. */
  upload?: string;
}

/** What POST .../queries answers: schema fields and rows in the API's `{f: [{v}]}` form. */
export interface QueryAnswer {
  fields: { name: string; type: string; mode?: string }[];
  rows: (string | null)[][];
}

export interface StandIn {
  url: string;
  project: string;
  requests: RecordedRequest[];
  /** The next query's answer (or an error to answer with status 400). */
  nextQuery: QueryAnswer | { error: string };
  /** Make the next load job finish with this error result. */
  nextLoadError?: string;
  close(): Promise<void>;
}

export async function startStandIn(project = "test-project"): Promise<StandIn> {
  const tables = new Map<string, Record<string, unknown>>();
  const jobs = new Map<string, Record<string, unknown>>();
  let jobCounter = 0;
  const standIn: StandIn = {
    url: "",
    project,
    requests: [],
    nextQuery: { fields: [], rows: [] },
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
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(answer));
    });
  });

  const error = (code: number, message: string, reason: string): [number, unknown] =>
    [code, { error: { code, message, errors: [{ message, domain: "global", reason }], status: code === 404 ? "NOT_FOUND" : code === 409 ? "ALREADY_EXISTS" : "INVALID_ARGUMENT" } }];

  function route(r: RecordedRequest): [number, unknown] {
    const base = `/bigquery/v2/projects/${project}`;
    let m: RegExpExecArray | null;
    if (r.method === "POST" && r.path === `${base}/datasets`) {
      const ref = r.json?.datasetReference as { datasetId: string };
      return [200, { kind: "bigquery#dataset", id: `${project}:${ref.datasetId}`, datasetReference: { projectId: project, datasetId: ref.datasetId }, location: r.json?.location }];
    }
    if (r.method === "POST" && (m = new RegExp(`^${base}/datasets/(\\w+)/tables$`).exec(r.path))) {
      const ref = r.json?.tableReference as { tableId: string };
      const key = `${m[1]}.${ref.tableId}`;
      if (tables.has(key)) return error(409, `Already Exists: Table ${project}:${key}`, "duplicate");
      const table = { kind: "bigquery#table", id: `${project}:${key}`, ...r.json, type: "TABLE" };
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
    if (r.method === "POST" && r.path === `/upload/bigquery/v2/projects/${project}/jobs`) {
      const ref = (r.json?.jobReference ?? {}) as { jobId?: string; location?: string };
      const jobId = ref.jobId ?? `job_${++jobCounter}`;
      const lines = (r.upload ?? "").split("\n").filter((l) => l.trim() !== "").length;
      const failed = standIn.nextLoadError;
      standIn.nextLoadError = undefined;
      const job = {
        kind: "bigquery#job",
        id: `${project}:${ref.location ?? "US"}.${jobId}`,
        jobReference: { projectId: project, jobId, location: ref.location ?? "US" },
        configuration: { ...(r.json?.configuration as object), jobType: "LOAD" },
        status: failed
          ? { state: "DONE", errorResult: { reason: "invalid", message: failed }, errors: [{ reason: "invalid", message: failed }] }
          : { state: "DONE" },
        statistics: { creationTime: "1616767331000", load: failed ? {} : { inputFiles: "1", outputRows: String(lines) } },
      };
      jobs.set(jobId, job);
      return [200, job];
    }
    if (r.method === "GET" && (m = new RegExp(`^${base}/jobs/([\\w-]+)$`).exec(r.path))) {
      const job = jobs.get(m[1]);
      return job ? [200, job] : error(404, `Not found: Job ${project}:${m[1]}`, "notFound");
    }
    if (r.method === "POST" && r.path === `${base}/queries`) {
      const answer = standIn.nextQuery;
      standIn.nextQuery = { fields: [], rows: [] };
      if ("error" in answer) return error(400, answer.error, "invalidQuery");
      const jobId = `query_${++jobCounter}`;
      return [200, {
        kind: "bigquery#queryResponse",
        schema: { fields: answer.fields.map((f) => ({ mode: "NULLABLE", ...f })) },
        jobReference: { projectId: project, jobId, location: (r.json?.location as string) ?? "US" },
        totalRows: String(answer.rows.length),
        rows: answer.rows.map((row) => ({ f: row.map((v) => ({ v })) })),
        totalBytesProcessed: "0",
        jobComplete: true,
        cacheHit: false,
      }];
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

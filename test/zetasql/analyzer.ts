/**
 * ZetaSQL, the SQL front end behind BigQuery, as a local analyzer for the BigQuery check
 * (bigquery-sql.test.ts). It comes from the npm package @fivetrandevelopers/zetasql, installed only in
 * this folder (`(cd test/zetasql && npm ci)`, about 340 MB: every platform's server), never by the
 * workbook's own install. The package ships ZetaSQL's gRPC "local service" as an executable
 * (lib/zetasql/remote_server*, run as `remote_server <host> <port>`) and a Node client
 * (`ZetaSQLClient.init(port)`, then `getInstance().analyze(request)` and friends, one call per RPC of
 * local_service.proto). Its own `runServer()` keeps the child process to itself, so the server is
 * started here, on a free port, and stopped by its process id.
 *
 * The analysis: BigQuery's product mode (PRODUCT_EXTERNAL: INT64, FLOAT64, NUMERIC..., no INT32 or
 * PROTO), ZetaSQL's set of released language features but the few BigQuery lacks (NOT_IN_BIGQUERY;
 * a ZetaSQL feature BigQuery lacks and that list misses would pass), every statement kind (queries, DML, MERGE,
 * DDL), named or positional parameters declared by their types, and a catalog of the tables the
 * statement can see, with their columns' types (REPEATED as ARRAY, RECORD as STRUCT).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";
import type { ApiField, ApiParameterType } from "../cloud/bigquery-stand-in";

/** This folder in the sources (its package.json and node_modules). */
export const ZETASQL_DIR = path.join(projectRoot, "test", "zetasql");
const PACKAGE_DIR = path.join(ZETASQL_DIR, "node_modules", "@fivetrandevelopers", "zetasql");

/** A ZetaSQL type (zetasql.TypeProto). */
export interface TypeProto {
  typeKind: string;
  arrayType?: { elementType: TypeProto };
  structType?: { field: { fieldName: string; fieldType: TypeProto }[] };
}

/** A table of the catalog: a name and typed columns. */
export interface CatalogTable {
  name: string;
  columns: { name: string; type: TypeProto }[];
}

/** A catalog: tables at the top (named e.g. "t", "ds.t", "p.ds.t") and sub-catalogs (a dataset, a project). */
export interface Catalog {
  name: string;
  tables: CatalogTable[];
  catalogs: Catalog[];
}

/** A statement to analyze. */
export interface Statement {
  sql: string;
  catalog: Catalog;
  /** Named parameters and their types; positional ones when `positional` is set. */
  parameters?: { name: string; type: TypeProto }[];
  positional?: TypeProto[];
}

/** Where an error is: 1-based line and column, and the 0-based character offset in the text. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A table a statement creates (CREATE TABLE, CREATE TABLE AS SELECT): its name path and columns. */
export interface CreatedTable {
  path: string[];
  columns: { name: string; type: TypeProto }[];
}

export type Analysis =
  | { ok: true; statements: number; created: CreatedTable[] }
  | { ok: false; message: string; position?: Position; caret?: string };

export interface ZetaSQL {
  analyze(statement: Statement): Promise<Analysis>;
  close(): Promise<void>;
}

/**
 * Released ZetaSQL features that BigQuery does not have, left out of the analysis: `WITH GROUP ROWS`,
 * DML `THEN RETURN`, modules, and braced proto constructors. (Add one here when BigQuery is found to
 * reject what ZetaSQL accepts; take one out when BigQuery gains it.)
 */
export const NOT_IN_BIGQUERY = ["FEATURE_V_1_3_WITH_GROUP_ROWS", "FEATURE_V_1_3_DML_RETURNING", "FEATURE_EXPERIMENTAL_MODULES", "FEATURE_V_1_3_BRACED_PROTO_CONSTRUCTORS"];

/**
 * ZetaSQL features this release still marks in development (so not among its released ones) that
 * BigQuery has, added to the analysis: `CREATE EXTERNAL TABLE ... WITH PARTITION COLUMNS`, BigQuery's
 * DDL for an external table with Hive partitioning (the web logs' lake on the cloud path).
 */
export const IN_BIGQUERY_IN_DEVELOPMENT = ["FEATURE_CREATE_EXTERNAL_TABLE_WITH_PARTITION_COLUMNS"];

/** Why the analyzer cannot run here (not installed, no server for this platform), or undefined when it can. */
export function zetasqlMissing(): string | undefined {
  if (!fs.existsSync(path.join(PACKAGE_DIR, "package.json"))) {
    return `the ZetaSQL analyzer is not installed in ${path.relative(projectRoot, ZETASQL_DIR)} (run: (cd test/zetasql && npm ci); about 340 MB)`;
  }
  if (!serverBinary()) return `@fivetrandevelopers/zetasql has no server for ${process.platform}-${process.arch} (it ships Linux and macOS, x86-64 and ARM)`;
  return undefined;
}

function serverBinary(): string | undefined {
  if (process.platform !== "linux" && process.platform !== "darwin") return undefined;
  if (process.arch !== "x64" && process.arch !== "arm64") return undefined;
  const name = `remote_server${process.arch === "arm64" ? "_arm" : ""}${process.platform === "linux" ? ".so" : ""}`;
  const file = path.join(PACKAGE_DIR, "lib", "zetasql", name);
  return fs.existsSync(file) ? file : undefined;
}

/** The part of the package's Node client used here. */
interface ZetaSQLClientApi {
  ZetaSQLClient: {
    init(port: number): void;
    getInstance(): {
      testConnection(): Promise<boolean>;
      analyze(request: Record<string, unknown>): Promise<{ resumeBytePosition?: number } | undefined>;
      getLanguageOptions(request: Record<string, unknown>): Promise<{ enabledLanguageFeatures: (number | string)[] } | undefined>;
    };
    API: { close(): void };
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the ZetaSQL server and connects the package's client to it; `close()` stops both. One at a
 * time in a process: the package's client is a singleton.
 */
export async function startZetaSQL(): Promise<ZetaSQL> {
  const missing = zetasqlMissing();
  if (missing) throw new Error(`ZetaSQL cannot run: ${missing}`);
  const port = await freePort();
  const child: ChildProcess = spawn(serverBinary() as string, ["127.0.0.1", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  const zeta = require(PACKAGE_DIR) as ZetaSQLClientApi;
  zeta.ZetaSQLClient.init(port);
  const client = zeta.ZetaSQLClient.getInstance();
  try {
    // testConnection retries for about 7 s while the server starts.
    if (!(await client.testConnection())) throw new Error(`the ZetaSQL server on port ${port} did not answer; it said: ${output.trim() || "(nothing)"}`);
  } catch (err) {
    zeta.ZetaSQLClient.API.close();
    await stop();
    throw err;
  }
  const maximum = await client.getLanguageOptions({ maximumFeatures: true });
  const { LanguageFeature } = require(path.join(PACKAGE_DIR, "lib", "types", "zetasql", "LanguageFeature")) as { LanguageFeature: Record<string, number> };
  const excluded = new Set(NOT_IN_BIGQUERY.map((name) => LanguageFeature[name]));
  const { TypeKind } = require(path.join(PACKAGE_DIR, "lib", "types", "zetasql", "TypeKind")) as { TypeKind: Record<string, number> };
  const typeKinds = new Map(Object.entries(TypeKind).map(([name, n]) => [n, name]));
  const languageOptions = {
    productMode: "PRODUCT_EXTERNAL",
    enabledLanguageFeatures: [
      ...(maximum?.enabledLanguageFeatures ?? []).filter((f) => !excluded.has(typeof f === "number" ? f : LanguageFeature[f])),
      ...IN_BIGQUERY_IN_DEVELOPMENT.map((name) => LanguageFeature[name]),
    ],
    // none listed: every statement kind (query, DML, MERGE, DDL)
    supportedStatementKinds: [],
  };

  return {
    async analyze(statement: Statement): Promise<Analysis> {
      const input = statement.sql;
      const bytes = Buffer.from(input, "utf8");
      const options = {
        languageOptions,
        errorMessageMode: "ERROR_MESSAGE_MULTI_LINE_WITH_CARET",
        defaultTimezone: "UTC",
        ...(statement.positional
          ? { parameterMode: "PARAMETERS_POSITIONAL", positionalQueryParameters: statement.positional }
          : { parameterMode: "PARAMETERS_NAMED", queryParameters: statement.parameters ?? [] }),
      };
      // A script of several statements separated by ";" is analyzed one statement at a time; a table
      // one of them creates is in the catalog of the next ones.
      const catalog: Catalog = structuredClone(statement.catalog);
      const created: CreatedTable[] = [];
      let at = 0;
      let count = 0;
      while (at < bytes.length && bytes.subarray(at).toString("utf8").trim() !== "") {
        try {
          const simpleCatalog = { ...catalogProto(catalog), builtinFunctionOptions: { languageOptions } };
          const r = await client.analyze({ options, simpleCatalog, parseResumeLocation: { input, bytePosition: at, allowResume: true } });
          count++;
          const table = createdTable((r as { resolvedStatement?: unknown } | undefined)?.resolvedStatement, typeKinds);
          if (table) {
            created.push(table);
            addTable(catalog, table.path, table.columns);
          }
          const next = Number(r?.resumeBytePosition ?? bytes.length);
          if (next <= at) break;
          at = next;
        } catch (err) {
          return failure(input, err);
        }
      }
      if (count === 0) return { ok: false, message: "the statement is empty" };
      return { ok: true, statements: count, created };
    },
    async close(): Promise<void> {
      zeta.ZetaSQLClient.API.close();
      await stop();
    },
  };
}

/** Adds a table to a catalog by its path: ["t"] at the top; ["ds", "t"] in sub-catalog ds and as "ds.t" at the top. */
export function addTable(catalog: Catalog, namePath: string[], columns: CatalogTable["columns"]): void {
  let c = catalog;
  for (const part of namePath.slice(0, -1)) {
    let next = c.catalogs.find((x) => x.name === part);
    if (!next) c.catalogs.push((next = { name: part, tables: [], catalogs: [] }));
    c = next;
  }
  c.tables.push({ name: namePath[namePath.length - 1], columns });
  if (namePath.length > 1) catalog.tables.push({ name: namePath.join("."), columns });
}

/**
 * The table a resolved CREATE TABLE (or CREATE TABLE AS SELECT, or CREATE EXTERNAL TABLE) statement
 * makes, from its column definitions and, for an external table, its partition columns (WITH
 * PARTITION COLUMNS: the Hive partition keys, columns of the table too).
 */
function createdTable(resolved: unknown, typeKinds: Map<number, string>): CreatedTable | undefined {
  const base = (resolved as { resolvedCreateStatementNode?: { resolvedCreateTableStmtBaseNode?: Record<string, unknown> } } | undefined)
    ?.resolvedCreateStatementNode?.resolvedCreateTableStmtBaseNode;
  if (!base) return undefined;
  type Definitions = { name: string; type: unknown }[];
  for (const node of Object.values(base)) {
    const n = node as { parent?: { columnDefinitionList?: Definitions; parent?: { namePath?: string[] } }; withPartitionColumns?: { columnDefinitionList?: Definitions } } | null;
    const parent = n?.parent;
    if (parent?.columnDefinitionList && parent.parent?.namePath) {
      const definitions = [...parent.columnDefinitionList, ...(n?.withPartitionColumns?.columnDefinitionList ?? [])];
      return { path: parent.parent.namePath, columns: definitions.map((c) => ({ name: c.name, type: plainType(c.type, typeKinds) })) };
    }
  }
  return undefined;
}

/** A TypeProto as the server answers it (numeric kinds, extra fields) in the form sent to it. */
function plainType(t: unknown, typeKinds: Map<number, string>): TypeProto {
  const x = t as { typeKind: number | string; arrayType?: { elementType: unknown }; structType?: { field: { fieldName: string; fieldType: unknown }[] } };
  const typeKind = typeof x.typeKind === "number" ? typeKinds.get(x.typeKind) ?? "TYPE_UNKNOWN" : x.typeKind;
  if (x.arrayType) return { typeKind, arrayType: { elementType: plainType(x.arrayType.elementType, typeKinds) } };
  if (x.structType) return { typeKind, structType: { field: x.structType.field.map((f) => ({ fieldName: f.fieldName, fieldType: plainType(f.fieldType, typeKinds) })) } };
  return { typeKind };
}

function catalogProto(c: Catalog): Record<string, unknown> {
  return {
    name: c.name,
    table: c.tables.map((t) => ({ name: t.name, column: t.columns.map((col) => ({ name: col.name, type: col.type })) })),
    catalog: c.catalogs.map(catalogProto),
  };
}

/** ZetaSQL's error: its message, and the position from " [at line:column]" (and the caret lines). */
function failure(input: string, err: unknown): Analysis {
  const e = err as { code?: number; details?: string; message?: string };
  const details = String(e.details ?? e.message ?? err);
  if (e.code === 14) return { ok: false, message: `the ZetaSQL server is unavailable: ${details}` };
  const [first, ...rest] = details.split("\n");
  const m = /\s*\[at (\d+):(\d+)\]\s*$/.exec(first);
  const message = m ? first.slice(0, m.index) : first;
  if (!m) return { ok: false, message };
  const line = Number(m[1]);
  const column = Number(m[2]);
  return { ok: false, message, position: { line, column, offset: offsetOf(input, line, column) }, caret: rest.join("\n") };
}

/** The 0-based character offset of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  return offset + column - 1;
}

const SIMPLE_TYPES: Record<string, string> = {
  STRING: "TYPE_STRING", BYTES: "TYPE_BYTES", INTEGER: "TYPE_INT64", INT64: "TYPE_INT64", FLOAT: "TYPE_DOUBLE", FLOAT64: "TYPE_DOUBLE",
  NUMERIC: "TYPE_NUMERIC", BIGNUMERIC: "TYPE_BIGNUMERIC", BOOLEAN: "TYPE_BOOL", BOOL: "TYPE_BOOL", DATE: "TYPE_DATE", DATETIME: "TYPE_DATETIME",
  TIME: "TYPE_TIME", TIMESTAMP: "TYPE_TIMESTAMP", GEOGRAPHY: "TYPE_GEOGRAPHY", JSON: "TYPE_JSON", INTERVAL: "TYPE_INTERVAL",
};

/** The ZetaSQL type of a table field as the BigQuery API describes it (type and mode); throws on a type BigQuery does not have. */
export function fieldType(field: ApiField, where: string): TypeProto {
  const t = String(field.type).toUpperCase();
  let type: TypeProto;
  if (t === "RECORD" || t === "STRUCT") {
    type = { typeKind: "TYPE_STRUCT", structType: { field: (field.fields ?? []).map((f) => ({ fieldName: f.name, fieldType: fieldType(f, `${where}.${f.name}`) })) } };
  } else if (SIMPLE_TYPES[t]) {
    type = { typeKind: SIMPLE_TYPES[t] };
  } else {
    throw new Error(`${where} has type ${JSON.stringify(field.type)}, which BigQuery does not have (a table field is one of ${Object.keys(SIMPLE_TYPES).join(", ")}, RECORD)`);
  }
  return String(field.mode).toUpperCase() === "REPEATED" ? { typeKind: "TYPE_ARRAY", arrayType: { elementType: type } } : type;
}

/** The ZetaSQL type of a query parameter as the API declares it; throws on a type BigQuery does not have. */
export function parameterType(p: ApiParameterType, where: string): TypeProto {
  const t = String(p.type).toUpperCase();
  if (t === "ARRAY") {
    if (!p.arrayType) throw new Error(`${where} is an ARRAY without arrayType`);
    return { typeKind: "TYPE_ARRAY", arrayType: { elementType: parameterType(p.arrayType, `${where}[]`) } };
  }
  if (t === "STRUCT") {
    return { typeKind: "TYPE_STRUCT", structType: { field: (p.structTypes ?? []).map((f, i) => ({ fieldName: f.name ?? "", fieldType: parameterType(f.type, `${where}.${f.name ?? i}`) })) } };
  }
  if (!SIMPLE_TYPES[t]) {
    throw new Error(`${where} is declared ${JSON.stringify(p.type)}, which is not a BigQuery parameter type (use ${["STRING", "INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "DATE", "DATETIME", "TIME", "TIMESTAMP", "BYTES", "JSON", "GEOGRAPHY", "INTERVAL", "ARRAY", "STRUCT"].join(", ")})`);
  }
  return { typeKind: SIMPLE_TYPES[t] };
}

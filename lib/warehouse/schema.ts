/**
 * Schema checks shared by both warehouses: table names, schemas, rows against a schema (so a bad
 * load fails before anything is written, naming the column), and partition days.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WorkbookError } from "../errors";
import type { Column, ColumnType, FileLoadOptions, LoadOptions, TableInfo, TableSchema, WriteDisposition } from "./warehouse";

export const COLUMN_TYPES: readonly ColumnType[] = ["STRING", "INT64", "FLOAT64", "NUMERIC", "BOOL", "DATE", "TIMESTAMP", "JSON"];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface TableName {
  dataset: string;
  table: string;
}

/** Splits "dataset.table" (or "table", in `defaultDataset`) and checks both are plain identifiers. */
export function parseTableName(name: string, defaultDataset: string): TableName {
  const parts = name.split(".");
  const [dataset, table] = parts.length === 2 ? parts : [defaultDataset, parts[0]];
  if (parts.length > 2 || !IDENTIFIER.test(dataset) || !IDENTIFIER.test(table)) {
    throw new WorkbookError("WAREHOUSE_NAME", `Table name ${JSON.stringify(name)} is not "table" or "dataset.table" made of letters, digits and _; rename it, e.g. "web_logs.hourly_visits".`);
  }
  return { dataset, table };
}

/** Checks a dataset name. */
export function checkDatasetName(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new WorkbookError("WAREHOUSE_NAME", `Dataset name ${JSON.stringify(name)} is not made of letters, digits and _; rename it, e.g. "workbook".`);
  }
  return name;
}

/** Checks column names and types, the partitioning column and the clustering columns. */
export function checkSchema(table: string, schema: TableSchema): void {
  const where = `the schema of ${JSON.stringify(table)}`;
  if (!schema.columns || schema.columns.length === 0) {
    throw new WorkbookError("SCHEMA_INVALID", `${where} has no columns; give at least one { name, type }.`);
  }
  const seen = new Set<string>();
  for (const c of schema.columns) {
    if (!IDENTIFIER.test(c.name)) throw new WorkbookError("SCHEMA_INVALID", `${where}: column name ${JSON.stringify(c.name)} is not made of letters, digits and _; rename it.`);
    if (seen.has(c.name.toLowerCase())) throw new WorkbookError("SCHEMA_INVALID", `${where}: column ${JSON.stringify(c.name)} appears twice; remove one.`);
    seen.add(c.name.toLowerCase());
    if (!COLUMN_TYPES.includes(c.type)) throw new WorkbookError("SCHEMA_INVALID", `${where}: column ${JSON.stringify(c.name)} has type ${JSON.stringify(c.type)}; use one of ${COLUMN_TYPES.join(", ")}.`);
  }
  if (schema.partitionBy !== undefined) {
    const p = schema.columns.find((c) => c.name === schema.partitionBy);
    if (!p || (p.type !== "DATE" && p.type !== "TIMESTAMP")) {
      throw new WorkbookError("SCHEMA_INVALID", `${where}: partitionBy ${JSON.stringify(schema.partitionBy)} must name a DATE or TIMESTAMP column of the schema.`);
    }
  }
  const cluster = schema.clusterBy ?? [];
  if (cluster.length > 4) throw new WorkbookError("SCHEMA_INVALID", `${where}: clusterBy has ${cluster.length} columns; BigQuery allows at most 4.`);
  for (const name of cluster) {
    if (!schema.columns.some((c) => c.name === name)) throw new WorkbookError("SCHEMA_INVALID", `${where}: clusterBy column ${JSON.stringify(name)} is not in the schema.`);
  }
}

/** Checks a partition day "YYYY-MM-DD" and returns its BigQuery decorator suffix "YYYYMMDD". */
export function partitionDecorator(day: string): string {
  const m = DAY.exec(day);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== day) {
    throw new WorkbookError("WAREHOUSE_PARTITION", `Partition ${JSON.stringify(day)} is not a day "YYYY-MM-DD"; pass e.g. "2021-03-26".`);
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

/** The UTC day "YYYY-MM-DD" of a DATE or TIMESTAMP value, or undefined when it is not one. */
export function dayOf(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value === "string") {
    if (DAY.test(value)) return value;
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value instanceof Date) return `Date ${value.toISOString()}`;
  if (typeof value === "bigint") return `${value}n (bigint)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length > 60) text = text.slice(0, 57) + "...";
  return `${text} (${Array.isArray(value) ? "array" : typeof value})`;
}

/** Whether a non-null value fits a column type. */
export function fitsType(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case "STRING":
      return typeof value === "string";
    case "INT64":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint" || (typeof value === "string" && /^-?\d+$/.test(value));
    case "FLOAT64":
    case "NUMERIC":
      return (typeof value === "number" && !Number.isNaN(value)) || typeof value === "bigint" || (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)));
    case "BOOL":
      return typeof value === "boolean";
    case "DATE":
      return (typeof value === "string" && DAY.test(value) && dayOf(value) !== undefined) || (value instanceof Date && !Number.isNaN(value.getTime()));
    case "TIMESTAMP":
      return (value instanceof Date && !Number.isNaN(value.getTime())) || (typeof value === "string" && !Number.isNaN(Date.parse(value)));
    case "JSON":
      return true;
  }
}

/**
 * Checks rows against a schema before anything is written: unknown columns, missing REQUIRED
 * values and values of the wrong type each fail with WorkbookError SCHEMA_MISMATCH naming the
 * column, the row number and the value. With `partition`, every row's day must be that day.
 */
export function checkRows(table: string, schema: TableSchema, rows: Record<string, unknown>[], partition?: string): void {
  const byName = new Map<string, Column>(schema.columns.map((c) => [c.name, c]));
  rows.forEach((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: row ${i + 1} is ${describe(row)}, not an object of column values.`);
    }
    for (const key of Object.keys(row)) {
      if (!byName.has(key)) {
        throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: row ${i + 1} has column ${JSON.stringify(key)}, which is not in the table's schema (${[...byName.keys()].join(", ")}); remove it from the data or add it to the schema.`);
      }
    }
    for (const col of schema.columns) {
      const value = row[col.name];
      if (value === null || value === undefined) {
        if (col.mode === "REQUIRED") {
          throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: row ${i + 1} has no value for REQUIRED column ${JSON.stringify(col.name)}; fill it in or make the column NULLABLE.`);
        }
        continue;
      }
      if (!fitsType(col.type, value)) {
        throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)}: row ${i + 1}, column ${JSON.stringify(col.name)} is ${col.type} but the value is ${describe(value)}; fix the data or the column's type.`);
      }
    }
    if (partition !== undefined && schema.partitionBy !== undefined) {
      const day = dayOf(row[schema.partitionBy]);
      if (day !== partition) {
        throw new WorkbookError("SCHEMA_MISMATCH", `Load into ${JSON.stringify(table)} partition ${partition}: row ${i + 1}, column ${JSON.stringify(schema.partitionBy)} is ${describe(row[schema.partitionBy])}, outside that day; load it into its own partition.`);
      }
    }
  });
}

/** A row as one NDJSON line for the schema: DATE as "YYYY-MM-DD", TIMESTAMP as ISO text, INT64 bigints as text, JSON as its text. */
export function toNdjsonLine(schema: TableSchema, row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const col of schema.columns) {
    const v = row[col.name];
    if (v === undefined || v === null) out[col.name] = null;
    else if (col.type === "DATE") out[col.name] = dayOf(v);
    else if (col.type === "TIMESTAMP") out[col.name] = v instanceof Date ? v.toISOString() : v;
    else if (col.type === "JSON") out[col.name] = typeof v === "string" ? v : JSON.stringify(v, bigintReplacer);
    else if (typeof v === "bigint") out[col.name] = v.toString();
    else out[col.name] = v;
  }
  return JSON.stringify(out);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Normalises a result value: bigint to number when it is a safe integer. */
export function normaliseInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** What a load does, from its options: append or truncate the table, or replace one day's partition. */
export function loadMode(options: LoadOptions, info: TableInfo): { write: WriteDisposition; partition?: string } {
  if (options.partition === undefined) return { write: options.write ?? "APPEND" };
  partitionDecorator(options.partition);
  if (!info.schema.partitionBy) {
    throw new WorkbookError("WAREHOUSE_PARTITION", `Table ${JSON.stringify(`${info.dataset}.${info.name}`)} is not partitioned, so partition ${JSON.stringify(options.partition)} cannot be overwritten; create it with partitionBy, or load without partition.`);
  }
  if (options.write === "APPEND") {
    throw new WorkbookError("WAREHOUSE_PARTITION", `A partition load replaces the day ${options.partition}; write "APPEND" makes no sense with it. Drop write, or drop partition to append.`);
  }
  return { write: "TRUNCATE", partition: options.partition };
}

/** Writes rows as a temporary NDJSON file for `load`, and removes it when `load` has finished. */
export async function withNdjsonFile<T>(schema: TableSchema, rows: readonly Record<string, unknown>[], load: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-load-"));
  try {
    const file = path.join(dir, "rows.ndjson");
    fs.writeFileSync(file, rows.map((r) => toNdjsonLine(schema, r)).join("\n") + "\n");
    return await load(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The format of a file to load (PARQUET by extension, else NDJSON); a missing file is an error naming it. */
export function loadFileFormat(table: string, file: string, options: FileLoadOptions): "PARQUET" | "NDJSON" {
  if (!fs.existsSync(file)) {
    throw new WorkbookError("WAREHOUSE_LOAD", `Load into ${JSON.stringify(table)}: file ${JSON.stringify(file)} does not exist; check the path.`);
  }
  return options.format ?? (/\.parquet$/i.test(file) ? "PARQUET" : "NDJSON");
}

/**
 * Merging rows by their key, shared by both warehouses: the checks (a key the table has, a value for
 * every key column, one row per key) and the one MERGE statement each backend runs. The rows and
 * the keys to delete are staged together, each with a `_merge_delete` flag: DuckDB reads them from
 * an NDJSON file, BigQuery from a staging table it loaded them into.
 */
import { WorkbookError } from "../errors";
import { checkRows, dayOf } from "./schema";
import type { Column, MergeOptions, TableSchema } from "./warehouse";

/** The staged rows' flag: true for a key whose stored row is deleted, false for a row to write. */
export const MERGE_DELETE_COLUMN = "_merge_delete";

export interface MergePlan {
  key: string[];
  /** The schema of the staged rows: the table's columns, all NULLABLE, and the flag. */
  staging: TableSchema;
  /** The rows to write, then the keys to delete, each with the flag. */
  staged: Record<string, unknown>[];
  rows: number;
  deleted: number;
}

/**
 * Checks a merge before anything is written: the key names columns of the table (not JSON), every
 * row fits the schema, every row and every delete key has a value for each key column, and no key
 * appears twice (in the rows, in the keys to delete, or in both).
 */
export function planMerge(table: string, schema: TableSchema, rows: readonly Record<string, unknown>[], options: MergeOptions): MergePlan {
  const into = `Merge into ${JSON.stringify(table)}`;
  const key = options.key ?? [];
  const deletes = options.delete ?? [];
  if (key.length === 0) {
    throw new WorkbookError("OPTIONS_INVALID", `${into} needs key: the columns that identify a row, e.g. { key: ["uri", "k"] }.`);
  }
  const byName = new Map<string, Column>(schema.columns.map((c) => [c.name, c]));
  const keyColumns = key.map((name) => {
    const col = byName.get(name);
    if (!col) throw new WorkbookError("OPTIONS_INVALID", `${into}: key column ${JSON.stringify(name)} is not in the table's schema (${[...byName.keys()].join(", ")}); name columns of the table.`);
    if (col.type === "JSON") throw new WorkbookError("OPTIONS_INVALID", `${into}: key column ${JSON.stringify(name)} is JSON, which cannot be compared; key on other columns.`);
    return col;
  });
  if (byName.has(MERGE_DELETE_COLUMN)) {
    throw new WorkbookError("SCHEMA_INVALID", `${into}: the table has a column ${JSON.stringify(MERGE_DELETE_COLUMN)}, the name a merge uses for its own flag; rename that column.`);
  }
  checkRows(table, schema, rows as Record<string, unknown>[]);
  deletes.forEach((d, i) => {
    for (const name of Object.keys(d ?? {})) {
      if (!key.includes(name)) throw new WorkbookError("OPTIONS_INVALID", `${into}: delete key ${i + 1} has column ${JSON.stringify(name)}, which is not in the key (${key.join(", ")}); give only the key columns.`);
    }
  });
  checkRows(table, { columns: keyColumns.map((c) => ({ ...c, mode: "NULLABLE" })) }, deletes as Record<string, unknown>[]);

  const seen = new Map<string, string>();
  const claim = (item: Record<string, unknown>, where: string): void => {
    const values = keyColumns.map((c) => {
      const v = item[c.name];
      if (v === null || v === undefined) {
        throw new WorkbookError("SCHEMA_MISMATCH", `${into}: ${where} has no value for key column ${JSON.stringify(c.name)}; every row needs its whole key (${key.join(", ")}).`);
      }
      return comparable(c, v);
    });
    const id = JSON.stringify(values);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      const shown = key.map((name, i) => `${name} ${JSON.stringify(values[i])}`).join(", ");
      throw new WorkbookError("WAREHOUSE_LOAD", `${into}: ${earlier} and ${where} have the same key (${shown}); a merge takes one row per key: keep one of them.`);
    }
    seen.set(id, where);
  };
  rows.forEach((r, i) => claim(r, `row ${i + 1}`));
  deletes.forEach((d, i) => claim(d, `delete key ${i + 1}`));

  const staging: TableSchema = {
    columns: [...schema.columns.map((c) => ({ name: c.name, type: c.type })), { name: MERGE_DELETE_COLUMN, type: "BOOL" }],
  };
  const staged = [
    ...rows.map((r) => ({ ...r, [MERGE_DELETE_COLUMN]: false })),
    ...deletes.map((d) => ({ ...d, [MERGE_DELETE_COLUMN]: true })),
  ];
  return { key, staging, staged, rows: rows.length, deleted: deletes.length };
}

/** A key value in one form per type, so that "3" and 3, or two spellings of one instant, are the same key. */
function comparable(column: Column, value: unknown): string {
  if (column.type === "TIMESTAMP") return new Date(value instanceof Date ? value.getTime() : Date.parse(String(value))).toISOString();
  if (column.type === "DATE") return dayOf(value) ?? String(value);
  if (column.type === "INT64") return BigInt(value as number | string | bigint).toString();
  if (column.type === "FLOAT64" || column.type === "NUMERIC") return String(Number(value));
  return String(value);
}

/**
 * The MERGE statement (the same text on DuckDB and BigQuery but for the quoting): a staged row whose
 * key is stored replaces that row, a new key is inserted, a delete key removes its row; nothing else
 * in the table is touched.
 */
export function mergeStatement(target: string, source: string, schema: TableSchema, key: readonly string[], quote: (name: string) => string): string {
  const names = schema.columns.map((c) => c.name);
  const flag = `s.${quote(MERGE_DELETE_COLUMN)}`;
  return [
    `MERGE INTO ${target} AS t`,
    `USING ${source} AS s`,
    `ON ${key.map((k) => `t.${quote(k)} = s.${quote(k)}`).join(" AND ")}`,
    `WHEN MATCHED AND ${flag} THEN DELETE`,
    `WHEN MATCHED THEN UPDATE SET ${names.map((n) => `${quote(n)} = s.${quote(n)}`).join(", ")}`,
    `WHEN NOT MATCHED AND NOT ${flag} THEN INSERT (${names.map(quote).join(", ")}) VALUES (${names.map((n) => `s.${quote(n)}`).join(", ")})`,
  ].join("\n");
}

/**
 * SQL text shared by both PostgreSQL backends: quoting, the upsert statement, and result value
 * parsers that make PGlite and pg return the same JavaScript values.
 */
import { WorkbookError } from "../errors";
import type { UpsertOptions } from "./sql";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL allows at most 65535 parameters per statement. */
const MAX_PARAMS = 65_535;

/** A quoted identifier; "schema.table" is quoted part by part. Names must be letters, digits and _. */
export function quoteName(name: string): string {
  const parts = name.split(".");
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new WorkbookError("SQL_NAME", `${JSON.stringify(name)} is not a plain name ("table" or "schema.table", letters, digits and _); rename it.`);
  }
  return parts.map((p) => `"${p}"`).join(".");
}

/**
 * A plain lower-case SQL name (letters, digits and _, not starting with a digit), written into SQL
 * text unquoted; anything else is an SQL_NAME error naming `what` (e.g. "table", "tablePrefix").
 */
export function plainName(name: string, what = "table"): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new WorkbookError("SQL_NAME", `${what} ${JSON.stringify(name)} is not a plain lower-case SQL name; use letters, digits and "_", e.g. "my_table".`);
  return name;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** INSERT ... ON CONFLICT statements for `rows`, in batches that stay under the parameter limit. */
export function upsertStatements(table: string, rows: Record<string, unknown>[], options: UpsertOptions): Statement[] {
  if (rows.length === 0) return [];
  if (!options.key || options.key.length === 0) {
    throw new WorkbookError("SQL_UPSERT", `upsert into ${JSON.stringify(table)} needs key: the primary key or unique columns, e.g. { key: ["window_start", "movie_id"] }.`);
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  for (const k of options.key) {
    if (!columns.includes(k)) throw new WorkbookError("SQL_UPSERT", `upsert into ${JSON.stringify(table)}: key column ${JSON.stringify(k)} is not in the rows (${columns.join(", ")}); add it to every row.`);
  }
  const update = options.update ?? columns.filter((c) => !options.key.includes(c));
  const target = quoteName(table);
  const cols = columns.map(quoteName);
  const conflict = `ON CONFLICT (${options.key.map(quoteName).join(", ")}) ` +
    (update.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${update.map((c) => `${quoteName(c)} = EXCLUDED.${quoteName(c)}`).join(", ")}`);
  const perBatch = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const out: Statement[] = [];
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const values: unknown[] = [];
    const tuples = batch.map((row) => `(${columns.map((c) => {
      values.push(toParam(row[c]));
      return `$${values.length}`;
    }).join(", ")})`);
    out.push({ text: `INSERT INTO ${target} (${cols.join(", ")}) VALUES ${tuples.join(", ")} ${conflict}`, values });
  }
  return out;
}

/** A parameter value both drivers accept: undefined as null, plain objects and arrays of objects as JSON text. */
export function toParam(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return v.toString();
  if (v !== null && typeof v === "object" && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array)) {
    if (!Array.isArray(v) || v.some((x) => x !== null && typeof x === "object")) return JSON.stringify(v);
  }
  return v;
}

/** PostgreSQL type oids whose text form is parsed the same way on both backends. */
export const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114 } as const;

/** Text-form parsers for those oids. */
export const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.int8]: (text) => {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  },
  [OID.numeric]: (text) => Number(text),
  [OID.date]: (text) => text,
  [OID.timestamp]: (text) => {
    const d = new Date(text.replace(" ", "T") + "Z");
    return Number.isNaN(d.getTime()) ? text : d;
  },
};

/** Runs an upsert as its batched statements through `query`; returns the rows inserted or updated. */
export async function runUpsert(
  query: (text: string, values: unknown[]) => Promise<{ rowCount: number }>,
  table: string, rows: Record<string, unknown>[], options: UpsertOptions,
): Promise<number> {
  let n = 0;
  for (const s of upsertStatements(table, rows, options)) n += (await query(s.text, s.values)).rowCount;
  return n;
}

/**
 * A throwaway in-memory DuckDB for file work outside the warehouse: turning rows into a Parquet
 * file, or reading and repartitioning Parquet files. Opened and closed around one piece of work.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A SQL runner that returns rows as plain objects. */
export type RunSql = (sql: string) => Promise<Record<string, unknown>[]>;

/** Runs `fn` with an in-memory DuckDB, closed afterwards. */
export async function withMemoryDuckDB<T>(fn: (run: RunSql) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    return await fn(async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** A SQL string literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Writes rows (JSON values; column types inferred by DuckDB) to a Parquet file. */
export async function writeRowsParquet(rows: readonly object[], file: string): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "rows-parquet-"));
  const json = path.join(tmpDir, "rows.ndjson");
  try {
    fs.writeFileSync(json, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    await withMemoryDuckDB((run) => run(`COPY (SELECT * FROM read_json_auto(${sqlLiteral(json)})) TO ${sqlLiteral(file)} (FORMAT parquet)`));
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL embedded: PGlite (PostgreSQL compiled to WebAssembly), a data folder in the work
 * folder, or in memory. One connection; PGlite runs one statement at a time and its
 * `transaction()` holds the connection for the whole callback.
 */
import * as fs from "node:fs";
import type { Extensions, PGlite, Transaction } from "@electric-sql/pglite";
import { SqlError, WorkbookError, positionAt } from "../errors";
import { lockFolder, type FolderLock } from "./folder-lock";
import type { SqlDatabase, SqlQueryable, SqlResult, UpsertOptions } from "./sql";
import { PARSERS, toParam, runUpsert } from "./statements";

export interface PGliteDatabaseOptions {
  /** Data folder, or undefined for an in-memory database. */
  dataDir?: string;
  /** How long to wait for another process to release the data folder. Default 600,000 ms. */
  lockTimeoutMs?: number;
  /**
   * Contrib extensions to load (PGlite ships them as separate modules); `CREATE EXTENSION` then
   * installs them in the database. Default: none.
   */
  extensions?: PGliteExtensionName[];
}

/** The contrib extensions `openSql({ extensions })` can load into PGlite. */
export const PGLITE_EXTENSIONS = ["unaccent", "pg_trgm"] as const;
export type PGliteExtensionName = (typeof PGLITE_EXTENSIONS)[number];

/** The extension modules of `names`, as PGlite.create() takes them. */
async function loadExtensions(names: PGliteExtensionName[]): Promise<Extensions> {
  const out: Extensions = {};
  for (const name of names) {
    if (name === "unaccent") out.unaccent = (await import("@electric-sql/pglite/contrib/unaccent")).unaccent;
    else if (name === "pg_trgm") out.pg_trgm = (await import("@electric-sql/pglite/contrib/pg_trgm")).pg_trgm;
    else throw new WorkbookError("OPTIONS_INVALID", `PGlite has no extension ${JSON.stringify(name)} here; the ones it can load are ${PGLITE_EXTENSIONS.join(", ")}.`);
  }
  return out;
}

type Runner = Pick<PGlite | Transaction, "query" | "exec">;

export class PGliteDatabase implements SqlDatabase {
  readonly kind = "pglite" as const;
  private db: PGlite | undefined;
  private lock: FolderLock | undefined;

  private constructor(db: PGlite, lock: FolderLock | undefined) {
    this.db = db;
    this.lock = lock;
  }

  static async create(options: PGliteDatabaseOptions = {}): Promise<PGliteDatabase> {
    if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
    const lock = options.dataDir ? await lockFolder(options.dataDir, { timeoutMs: options.lockTimeoutMs }) : undefined;
    const { PGlite } = await import("@electric-sql/pglite");
    try {
      const extensions = options.extensions?.length ? { extensions: await loadExtensions(options.extensions) } : {};
      const db = await PGlite.create({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), parsers: PARSERS, ...extensions });
      return new PGliteDatabase(db as unknown as PGlite, lock);
    } catch (err) {
      lock?.release();
      throw new WorkbookError("SQL_OPEN", `Could not open the PGlite database in ${JSON.stringify(options.dataDir ?? "memory")}: ${(err as Error).message}. Is another process using that folder? Close it, or set WORKBOOK_HOME to another work folder.`, { cause: err });
    }
  }

  async query<Row = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<SqlResult<Row>> {
    return runQuery<Row>(this.open(), sql, params);
  }

  async exec(sql: string): Promise<void> {
    return runExec(this.open(), sql);
  }

  async upsert(table: string, rows: Record<string, unknown>[], options: UpsertOptions): Promise<number> {
    return this.transaction((tx) => tx.upsert(table, rows, options));
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.open().transaction((tx) => fn(queryable(tx)));
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    try {
      if (db && !db.closed) await db.close();
    } finally {
      this.lock?.release();
      this.lock = undefined;
    }
  }

  private open(): PGlite {
    if (!this.db) throw new WorkbookError("SQL_CLOSED", "This PGlite database is closed; open a new one with openSql().");
    return this.db;
  }
}

function queryable(runner: Runner): SqlQueryable {
  return {
    query: <Row>(sql: string, params: unknown[] = []) => runQuery<Row>(runner, sql, params),
    exec: (sql: string) => runExec(runner, sql),
    upsert: (table: string, rows: Record<string, unknown>[], options: UpsertOptions) => runUpsert((text, values) => runQuery(runner, text, values), table, rows, options),
  };
}

async function runQuery<Row>(runner: Runner, sql: string, params: unknown[]): Promise<SqlResult<Row>> {
  try {
    const r = await runner.query<Row>(sql, params.map(toParam));
    return { rows: r.rows, columns: r.fields.map((f) => f.name), rowCount: r.fields.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
  } catch (err) {
    throw pgError("PGlite", sql, err);
  }
}

async function runExec(runner: Runner, sql: string): Promise<void> {
  try {
    await runner.exec(sql);
  } catch (err) {
    throw pgError("PGlite", sql, err);
  }
}

/** A PostgreSQL error (PGlite's or pg's: both carry a 1-based `position`) as a SqlError. */
export function pgError(engine: string, sql: string, err: unknown): Error {
  if (err instanceof WorkbookError) return err;
  const e = err as { message?: string; position?: string | number; detail?: string; hint?: string; code?: string };
  if (e?.code === undefined && e?.position === undefined) return err as Error;
  const reason = [e.message ?? String(err), e.detail ? `Detail: ${e.detail}` : "", e.hint ? `Hint: ${e.hint}` : "", e.code ? `(SQLSTATE ${e.code})` : ""].filter(Boolean).join(" ");
  const pos = e.position !== undefined && e.position !== "" ? Number(e.position) : undefined;
  return new SqlError(engine, sql, reason, pos !== undefined && !Number.isNaN(pos) ? positionAt(sql, pos - 1) : undefined, err);
}

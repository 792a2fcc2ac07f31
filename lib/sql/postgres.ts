/**
 * A PostgreSQL server through `pg` (DATABASE_URL): a small connection pool. A transaction checks
 * out one connection for BEGIN ... COMMIT (ROLLBACK when the callback throws).
 */
import type { Pool, PoolClient } from "pg";
import { WorkbookError } from "../errors";
import { pgError } from "./pglite";
import type { SqlDatabase, SqlQueryable, SqlResult, UpsertOptions } from "./sql";
import { PARSERS, toParam, runUpsert } from "./statements";

export interface PostgresDatabaseOptions {
  /** Connection string, e.g. postgres://user@127.0.0.1:5432/db. */
  url: string;
  /** Pool size. Default 4. */
  maxConnections?: number;
}

type Runner = Pick<Pool | PoolClient, "query">;

export class PostgresDatabase implements SqlDatabase {
  readonly kind = "postgres" as const;
  private pool: Pool | undefined;

  private constructor(pool: Pool) {
    this.pool = pool;
  }

  /** Connects (and checks the connection with one round trip). */
  static async create(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const pg = (await import("pg")).default;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 4,
      types: { getTypeParser: ((oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text")) as never },
    });
    pool.on("error", () => undefined); // an idle client lost its connection; the next query reports it
    try {
      await pool.query("SELECT 1");
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new WorkbookError("SQL_OPEN", `Could not connect to PostgreSQL at DATABASE_URL=${redact(options.url)}: ${(err as Error).message}. Start the server or fix DATABASE_URL, or unset it for the embedded PGlite.`, { cause: err });
    }
    return new PostgresDatabase(pool);
  }

  async query<Row = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<SqlResult<Row>> {
    return runQuery<Row>(this.open(), sql, params);
  }

  async exec(sql: string): Promise<void> {
    await runQuery(this.open(), sql, []);
  }

  async upsert(table: string, rows: Record<string, unknown>[], options: UpsertOptions): Promise<number> {
    return this.transaction((tx) => tx.upsert(table, rows, options));
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.open().connect();
    try {
      await client.query("BEGIN");
      const result = await fn(queryable(client));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.end();
  }

  private open(): Pool {
    if (!this.pool) throw new WorkbookError("SQL_CLOSED", "This PostgreSQL connection pool is closed; open a new one with openSql().");
    return this.pool;
  }
}

function queryable(client: PoolClient): SqlQueryable {
  return {
    query: <Row>(sql: string, params: unknown[] = []) => runQuery<Row>(client, sql, params),
    exec: async (sql: string) => {
      await runQuery(client, sql, []);
    },
    upsert: (table: string, rows: Record<string, unknown>[], options: UpsertOptions) => runUpsert((text, values) => runQuery(client, text, values), table, rows, options),
  };
}

async function runQuery<Row>(runner: Runner, sql: string, params: unknown[]): Promise<SqlResult<Row>> {
  try {
    const r = await runner.query(sql, params.map(toParam));
    // A multi-statement text without parameters returns one result per statement: report the last.
    const last = Array.isArray(r) ? r[r.length - 1] : r;
    return { rows: last.rows as Row[], columns: (last.fields ?? []).map((f: { name: string }) => f.name), rowCount: last.rowCount ?? last.rows.length };
  } catch (err) {
    throw pgError("PostgreSQL", sql, err);
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

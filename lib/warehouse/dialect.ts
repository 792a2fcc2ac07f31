/**
 * Scenario SQL is written once in the portable subset of DuckDB and BigQuery SQL. Where the two
 * differ (date functions, `QUALIFY` details, array functions...), keep both texts side by side:
 *
 *   const daily = dialect({
 *     duckdb:   "SELECT date_trunc('day', ts) AS day, count(*) AS n FROM visits GROUP BY 1",
 *     bigquery: "SELECT TIMESTAMP_TRUNC(ts, DAY) AS day, COUNT(*) AS n FROM visits GROUP BY 1",
 *   });
 *   await warehouse.query(daily);
 *
 * Parameters are written `@name` in both texts (BigQuery's syntax); on DuckDB they become `$name`.
 */

import { WorkbookError } from "../errors";

export type Dialect = "duckdb" | "bigquery";

/** The same query in each dialect. */
export interface DialectSql {
  duckdb: string;
  bigquery: string;
}

/** Marks a pair of dialect-specific texts for the same query. */
export function dialect(texts: DialectSql): DialectSql {
  return { duckdb: texts.duckdb, bigquery: texts.bigquery };
}

/** The text to run on `kind`. */
export function sqlFor(sql: string | DialectSql, kind: Dialect): string {
  return typeof sql === "string" ? sql : sql[kind];
}

/**
 * Checks, before any SQL is sent, that `warehouse` is DuckDB, for `what`: SQL that has no BigQuery
 * text (DuckDB's list functions and lambdas, its readers of local files). The error names the
 * setting (WAREHOUSE) and the fix.
 */
export function requireDuckDB(warehouse: { kind: Dialect }, what: string): void {
  if (warehouse.kind === "duckdb") return;
  throw new WorkbookError("OPTIONS_INVALID", `${what} is DuckDB SQL with no BigQuery text, but the warehouse passed is ${JSON.stringify(warehouse.kind)} (WAREHOUSE=${warehouse.kind}); pass a DuckDB warehouse: openWarehouse({ memory: true }) opens one whatever WAREHOUSE says.`);
}

/**
 * Rewrites BigQuery-style `@name` parameters as DuckDB `$name` for the given names, leaving string
 * literals, quoted identifiers and comments untouched (DuckDB's own `@` operator is left alone when
 * the name after it is not a parameter). The text is DuckDB SQL, so quotes escape by doubling.
 */
export function toDuckDBParameters(sql: string, names: Iterable<string>): string {
  const wanted = new Set(names);
  if (wanted.size === 0) return sql;
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const skipTo = skipQuotedOrComment(sql, i);
    if (skipTo > i) {
      out += sql.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    if (c === "@") {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1));
      if (m && wanted.has(m[0])) {
        out += "$" + m[0];
        i += 1 + m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** If a string literal, quoted identifier or comment starts at `i`, the index just after it; else `i`. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === "`") {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c && sql[j + 1] === c) j += 2;
      else if (sql[j] === c) return j + 1;
      else j++;
    }
    return sql.length;
  }
  if (c === "-" && sql[i + 1] === "-") {
    const end = sql.indexOf("\n", i);
    return end < 0 ? sql.length : end;
  }
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}

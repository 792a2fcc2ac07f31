/**
 * Query results as danfojs DataFrames. danfojs-node takes over a second to load, so it is
 * required here, on first use, never at module top level.
 */
import type { DataFrame } from "danfojs-node";
import type { QueryResult } from "./warehouse";

/** A DataFrame with the result's columns in order (Dates stay Dates; bigints become numbers). */
export function toDataFrame(result: QueryResult<unknown>): DataFrame {
  const danfo = require("danfojs-node") as typeof import("danfojs-node");
  const rows = result.rows as Record<string, unknown>[];
  if (rows.length === 0) return new danfo.DataFrame([], { columns: result.columns });
  const data = rows.map((row) => result.columns.map((c) => {
    const v = row[c];
    return typeof v === "bigint" ? Number(v) : v;
  }));
  return new danfo.DataFrame(data, { columns: result.columns });
}

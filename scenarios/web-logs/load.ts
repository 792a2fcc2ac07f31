/**
 * The warehouse side: `weblogs_hourly` partitioned by day (`date`) and clustered by hour and state;
 * `weblogs_rejected`, the rows the rollup did not count; `weblogs_loads`, one row per loaded hour
 * with the fingerprint of the lake files it was computed from (to notice late data).
 *
 * `loadHour` replaces exactly one hour, all or nothing: one MERGE by the rollup's key that writes the
 * hour's rows and deletes the hour's stored keys that are gone (DuckDB: one MERGE INTO statement;
 * BigQuery: a staging table and one MERGE). Other hours, even of the same day, are never touched,
 * and loading the same hour twice leaves the table as it was.
 */
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { TableSchema } from "../../lib/warehouse";
import { ROLLUP_KEY, type HourRollup } from "./rollup";

export const TABLES = { hourly: "weblogs_hourly", rejected: "weblogs_rejected", loads: "weblogs_loads" } as const;

export const SCHEMAS: Record<keyof typeof TABLES, TableSchema> = {
  hourly: {
    columns: [
      { name: "date", type: "DATE", mode: "REQUIRED" }, { name: "hour", type: "INT64", mode: "REQUIRED" },
      { name: "type", type: "STRING", mode: "REQUIRED" }, { name: "state", type: "STRING", mode: "REQUIRED" },
      { name: "category", type: "STRING", mode: "REQUIRED" }, { name: "sub_cat", type: "STRING", mode: "REQUIRED" },
      { name: "visits", type: "INT64" }, { name: "cart_adds", type: "INT64" },
    ],
    partitionBy: "date",
    clusterBy: ["hour", "state"],
  },
  rejected: {
    columns: [
      { name: "date", type: "DATE", mode: "REQUIRED" }, { name: "hour", type: "INT64", mode: "REQUIRED" },
      { name: "kafka_partition", type: "INT64", mode: "REQUIRED" }, { name: "kafka_offset", type: "INT64", mode: "REQUIRED" },
      { name: "date_time", type: "STRING" }, { name: "state", type: "STRING" }, { name: "reason", type: "STRING" },
    ],
    partitionBy: "date",
    clusterBy: ["hour"],
  },
  loads: {
    columns: [
      { name: "date", type: "DATE", mode: "REQUIRED" }, { name: "hour", type: "INT64", mode: "REQUIRED" },
      { name: "fingerprint", type: "STRING" }, { name: "files", type: "INT64" }, { name: "lake_rows", type: "INT64" },
      { name: "counted", type: "INT64" }, { name: "rejected", type: "INT64" }, { name: "loads", type: "INT64" },
    ],
  },
};

export async function createWebLogTables(wh: Warehouse): Promise<void> {
  for (const k of Object.keys(TABLES) as Array<keyof typeof TABLES>) await wh.createTable(TABLES[k], SCHEMAS[k]);
}

/** Replaces the rows of one hour of `table` with `rows` (keyed by `key`), touching nothing else. */
export async function replaceHour(wh: Warehouse, table: string, date: string, hour: number, rows: Record<string, unknown>[], key: readonly string[]): Promise<{ rows: number; deleted: number }> {
  const stored = await wh.query(`SELECT ${key.join(", ")} FROM ${table} WHERE date = @date AND hour = @hour`, { date, hour }, { types: { date: "DATE", hour: "INT64" } });
  const id = (r: Record<string, unknown>) => key.map((k) => String(r[k])).join("\u0001");
  const fresh = new Set(rows.map(id));
  const gone = stored.rows.filter((r) => !fresh.has(id(r)));
  if (rows.length === 0 && gone.length === 0) return { rows: 0, deleted: 0 };
  const result = await wh.mergeRows(table, rows, { key: [...key], delete: gone });
  return { rows: result.rows, deleted: result.deleted };
}

/** Loads one hour's rollup (counts and rejected rows) and records the fingerprint it was computed from. */
export async function loadHour(wh: Warehouse, r: HourRollup): Promise<{ rows: number; deleted: number; loads: number }> {
  const counts = await replaceHour(wh, TABLES.hourly, r.date, r.hour, r.rows as unknown as Record<string, unknown>[], ROLLUP_KEY);
  await replaceHour(wh, TABLES.rejected, r.date, r.hour, r.rejected as unknown as Record<string, unknown>[], ["date", "hour", "kafka_partition", "kafka_offset"]);
  const previous = await wh.query<{ loads: number }>(`SELECT loads FROM ${TABLES.loads} WHERE date = @date AND hour = @hour`, { date: r.date, hour: r.hour }, { types: { date: "DATE", hour: "INT64" } });
  const loads = Number(previous.rows[0]?.loads ?? 0) + 1;
  const counted = r.rows.reduce((s, row) => s + Number(row.visits) + Number(row.cart_adds), 0);
  await wh.mergeRows(TABLES.loads, [{ date: r.date, hour: r.hour, fingerprint: r.fingerprint, files: r.files.length, lake_rows: r.lakeRows, counted, rejected: r.rejected.length, loads }], { key: ["date", "hour"] });
  return { ...counts, loads };
}

/** The fingerprint each loaded hour was computed from, by hour start (epoch ms). */
export async function loadedFingerprints(wh: Warehouse): Promise<Map<number, { fingerprint: string; loads: number }>> {
  const r = await wh.query<{ date: string; hour: number; fingerprint: string; loads: number }>(`SELECT date, hour, fingerprint, loads FROM ${TABLES.loads}`);
  return new Map(r.rows.map((row) => [Date.parse(`${row.date}T00:00:00Z`) + Number(row.hour) * 3_600_000, { fingerprint: row.fingerprint, loads: Number(row.loads) }]));
}

/** The whole hourly table, in key order (to compare with a recomputation). */
export async function warehouseRollup(wh: Warehouse): Promise<Record<string, unknown>[]> {
  return (await wh.query(`SELECT date, hour, type, state, category, sub_cat, visits, cart_adds FROM ${TABLES.hourly} ORDER BY date, hour, type, state, category, sub_cat`)).rows;
}

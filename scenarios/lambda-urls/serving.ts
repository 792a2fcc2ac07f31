/**
 * The serving layer: a query merges the batch view (warehouse) with the speed view (PostgreSQL).
 * Batch rows count every message below the covered offset; speed rows count the blocks at or
 * above it (rows of covered blocks the speed layer has not dropped yet are left out), so each tweet
 * is counted once. `through` says how far the merged view reaches: per partition, the covered
 * offset or the offset after the newest tweet the speed layer counted, whichever is further; the
 * merged view equals a full recomputation over the raw messages below it.
 */
import type { SqlDatabase } from "../../lib/sql/sql";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import { readBatchView, readCoverage, type Coverage } from "./batch";
import { createSpeedTable, SPEED_TABLE, type SpeedRow } from "./speed";
import type { UrlHourlyRow } from "./tweets";

/** A merged row: the total and the part from each layer. */
export interface MergedRow extends UrlHourlyRow {
  batch: number;
  speed: number;
}

export interface MergedView {
  rows: MergedRow[];
  coverage: Coverage;
  /** Per partition: the merged view counts every message below this offset. */
  through: Record<number, number>;
}

export interface TimeRange {
  /** ISO time, inclusive. Default: the beginning. */
  from?: string;
  /** ISO time, exclusive. Default: no end. */
  to?: string;
}

export interface TopUrlsOptions extends TimeRange {
  /** Default 10. */
  limit?: number;
}

function checkRange(range: TimeRange): { from: string; to: string } {
  const from = range.from ?? "1970-01-01T00:00:00.000Z";
  const to = range.to ?? "9999-01-01T00:00:00.000Z";
  for (const [name, v] of [["from", from], ["to", to]]) {
    if (!Number.isFinite(Date.parse(v))) throw new WorkbookError("OPTIONS_INVALID", `${name} ${JSON.stringify(v)} is not an ISO time; use e.g. "2021-03-01T02:00:00Z".`);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Reads both layers and merges them. */
export async function mergedView(wh: Warehouse, sql: SqlDatabase, options: TimeRange & { speedTable?: string } = {}): Promise<MergedView> {
  const { from, to } = checkRange(options);
  const table = options.speedTable ?? SPEED_TABLE;
  await createSpeedTable(sql, table);
  const coverage = await readCoverage(wh);
  const batch = await readBatchView(wh, { from, to });
  // one statement: a consistent snapshot of the speed view while the stream writes to it
  const speed = (await sql.query<SpeedRow>(`SELECT hour, url, kafka_partition, block, count, last_offset FROM ${table}`)).rows;
  const through: Record<number, number> = { ...coverage.partitions };
  const merged = new Map<string, MergedRow>();
  const at = (hour: string, url: string) => {
    const k = `${hour}\t${url}`;
    let row = merged.get(k);
    if (!row) merged.set(k, (row = { hour, url, count: 0, batch: 0, speed: 0 }));
    return row;
  };
  for (const r of batch) {
    const row = at(r.hour, r.url);
    row.batch += r.count;
    row.count += r.count;
  }
  for (const r of speed) {
    const p = Number(r.kafka_partition);
    const covered = coverage.partitions[p] ?? 0;
    if (Number(r.block) * coverage.blockSize < covered) continue; // the batch view has it
    through[p] = Math.max(through[p] ?? 0, Number(r.last_offset) + 1);
    const hour = r.hour.toISOString();
    if (hour < from || hour >= to) continue;
    const row = at(hour, r.url);
    row.speed += Number(r.count);
    row.count += Number(r.count);
  }
  const rows = [...merged.values()].sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return { rows, coverage, through };
}

/** Sums merged rows by URL, most linked first (ties by URL). */
export function rankUrls(rows: readonly UrlHourlyRow[], limit = 10): { url: string; count: number }[] {
  const byUrl = new Map<string, number>();
  for (const r of rows) byUrl.set(r.url, (byUrl.get(r.url) ?? 0) + r.count);
  return [...byUrl]
    .map(([url, count]) => ({ url, count }))
    .sort((a, b) => b.count - a.count || (a.url < b.url ? -1 : 1))
    .slice(0, Math.max(0, Math.floor(limit)));
}

/** The most linked URLs with their tweets in [from, to), from both layers. */
export async function topUrls(wh: Warehouse, sql: SqlDatabase, options: TopUrlsOptions & { speedTable?: string } = {}): Promise<{ url: string; count: number }[]> {
  const view = await mergedView(wh, sql, options);
  return rankUrls(view.rows, options.limit ?? 10);
}

/**
 * Data-quality checks of the star schema for one interval. Each check is one SQL query counting
 * the rows that break a rule; a check passes when that count is 0 (or, for "non-empty" checks,
 * when the table has rows). `runQualityChecks` returns every result; `assertQuality` throws
 * DAG_QUALITY_FAILED naming the failed checks, so the DAG task fails loudly.
 */
import { WorkbookError } from "../../lib/errors";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES, type Interval } from "./star-schema";

export interface QualityCheck {
  name: string;
  table: string;
  /** SQL returning one row with a column `n`. */
  sql: string;
  /** "zero": passes when n = 0; "positive": passes when n > 0. */
  expect: "zero" | "positive";
}

export type QualityResult = {
  check: string;
  table: string;
  value: number;
  passed: boolean;
};

const inInterval = "start_time >= @start AND start_time < @end";

function nullKey(table: string, key: string): QualityCheck {
  return { name: `${key} is never null`, table, sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${key} IS NULL`, expect: "zero" };
}

function uniqueKey(table: string, key: string): QualityCheck {
  return { name: `${key} is unique`, table, sql: `SELECT COUNT(*) AS n FROM (SELECT ${key} FROM ${table} GROUP BY ${key} HAVING COUNT(*) > 1) AS d`, expect: "zero" };
}

function nonEmpty(table: string, where = "TRUE"): QualityCheck {
  return { name: "has rows", table, sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, expect: "positive" };
}

function exists(from: string, fk: string, to: string, key: string, extra = ""): QualityCheck {
  return {
    name: `every ${fk} exists in ${to}`,
    table: from,
    sql: `SELECT COUNT(*) AS n FROM ${from} AS f LEFT JOIN ${to} AS d ON f.${fk} = d.${key} WHERE d.${key} IS NULL AND f.${fk} IS NOT NULL AND f.start_time >= @start AND f.start_time < @end${extra}`,
    expect: "zero",
  };
}

/** The checks, in the order they run. */
export function qualityChecks(): QualityCheck[] {
  const { songplays, users, songs, artists, time, stagingEvents } = TABLES;
  return [
    nonEmpty(songplays, inInterval), nonEmpty(users), nonEmpty(songs), nonEmpty(artists), nonEmpty(time, inInterval),
    nullKey(songplays, "songplay_id"), uniqueKey(songplays, "songplay_id"),
    nullKey(users, "user_id"), uniqueKey(users, "user_id"),
    nullKey(songs, "song_id"), uniqueKey(songs, "song_id"),
    nullKey(artists, "artist_id"), uniqueKey(artists, "artist_id"),
    nullKey(time, "start_time"), uniqueKey(time, "start_time"),
    exists(songplays, "user_id", users, "user_id"),
    exists(songplays, "start_time", time, "start_time"),
    exists(songplays, "song_id", songs, "song_id"),
    exists(songplays, "artist_id", artists, "artist_id"),
    {
      name: "songplays = logged-in NextSong events (difference)",
      table: songplays,
      sql: `SELECT ABS((SELECT COUNT(*) FROM ${songplays} WHERE ${inInterval})
                   - (SELECT COUNT(*) FROM ${stagingEvents} WHERE page = 'NextSong' AND user_id <> '' AND ${inInterval})) AS n`,
      expect: "zero",
    },
  ];
}

/** Runs every check for the interval. */
export async function runQualityChecks(wh: Warehouse, interval: Interval): Promise<QualityResult[]> {
  const params = { start: new Date(interval.start), end: new Date(interval.end) };
  const out: QualityResult[] = [];
  for (const c of qualityChecks()) {
    const uses = c.sql.includes("@start");
    const r = await wh.query<{ n: number }>(c.sql, uses ? params : {}, uses ? { types: { start: "TIMESTAMP", end: "TIMESTAMP" } } : {});
    const value = Number(r.rows[0].n);
    out.push({ check: c.name, table: c.table, value, passed: c.expect === "zero" ? value === 0 : value > 0 });
  }
  return out;
}

/** Throws DAG_QUALITY_FAILED listing the failed checks, if any. */
export function assertQuality(results: QualityResult[]): void {
  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new WorkbookError("DAG_QUALITY_FAILED", `${failed.length} data-quality check(s) failed: ${failed.map((f) => `${f.table}: ${f.check} (${f.value})`).join("; ")}. Look at those tables before using them.`);
  }
}

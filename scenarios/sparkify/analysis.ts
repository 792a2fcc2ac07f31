/**
 * What the notebook shows beside its charts, each figure computed from the warehouse or the lake:
 * plays by hour over all 24 hours, the users counted under both levels, the plays that match no
 * catalogue song and why, rows the title-only join duplicates, and what the songs' partitioning by
 * year and artist costs in the lake.
 */
import { WorkbookError } from "../../lib/errors";
import type { Lake } from "../../lib/lake/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES, type Interval } from "./star-schema";

const TS = { types: { start: "TIMESTAMP" as const, end: "TIMESTAMP" as const } };
const params = (i: Interval) => ({ start: new Date(i.start), end: new Date(i.end) });
const PLAYS = `FROM ${TABLES.stagingEvents} AS e WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end`;
const MATCHES = "s.title = e.song AND s.artist_name = e.artist AND ABS(s.duration - e.length) < 0.01";

function limitOf(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new WorkbookError("OPTIONS_INVALID", `limit=${limit} must be a whole number of rows, 1 or more.`);
  return limit;
}

/** Songplays by hour of the day (UTC), one row for each of the 24 hours (0 plays included). */
export async function playsByHour(wh: Warehouse): Promise<{ hour: number; plays: number }[]> {
  const r = await wh.query<{ hour: number; plays: number }>(`SELECT t.hour, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.time} AS t ON t.start_time = p.start_time GROUP BY t.hour`);
  const byHour = new Map(r.rows.map((x) => [Number(x.hour), Number(x.plays)]));
  return Array.from({ length: 24 }, (_, hour) => ({ hour, plays: byHour.get(hour) ?? 0 }));
}

/** A user who played at both levels (free before an upgrade, paid after), with the plays at each. */
export type UserAtBothLevels = {
  user_id: string;
  name: string;
  free_plays: number;
  paid_plays: number;
  last_free_play: Date;
  first_paid_play: Date;
};

/**
 * Why users by level add up to more than the users: the users who played (distinct), and those who
 * played at both levels, each counted once under free and once under paid.
 */
export async function usersByLevel(wh: Warehouse): Promise<{ users: number; free: number; paid: number; both: UserAtBothLevels[] }> {
  const totals = await wh.query<{ users: number; free: number; paid: number }>(
    `SELECT COUNT(DISTINCT user_id) AS users, COUNT(DISTINCT CASE WHEN level = 'free' THEN user_id END) AS free, COUNT(DISTINCT CASE WHEN level = 'paid' THEN user_id END) AS paid FROM ${TABLES.songplays}`);
  const both = await wh.query<UserAtBothLevels>(
    `SELECT p.user_id, CONCAT(MAX(u.first_name), ' ', MAX(u.last_name)) AS name,
            SUM(CASE WHEN p.level = 'free' THEN 1 ELSE 0 END) AS free_plays, SUM(CASE WHEN p.level = 'paid' THEN 1 ELSE 0 END) AS paid_plays,
            MAX(CASE WHEN p.level = 'free' THEN p.start_time END) AS last_free_play, MIN(CASE WHEN p.level = 'paid' THEN p.start_time END) AS first_paid_play
     FROM ${TABLES.songplays} AS p LEFT JOIN ${TABLES.users} AS u ON u.user_id = p.user_id
     GROUP BY p.user_id HAVING COUNT(DISTINCT p.level) = 2 ORDER BY CAST(p.user_id AS INT64)`);
  const t = totals.rows[0];
  return {
    users: Number(t.users), free: Number(t.free), paid: Number(t.paid),
    both: both.rows.map((x) => ({ ...x, free_plays: Number(x.free_plays), paid_plays: Number(x.paid_plays) })),
  };
}

/** The plays of the interval that match no catalogue song, and whether their title or artist is in the catalogue at all. */
export interface UnmatchedPlays {
  plays: number;
  unmatched: number;
  /** unmatched / plays. */
  share: number;
  /** Unmatched plays whose title is the title of some catalogue song. */
  titleInCatalogue: number;
  /** Unmatched plays whose artist is the artist of some catalogue song. */
  artistInCatalogue: number;
  /** The most played of them. */
  examples: { song: string; artist: string; plays: number }[];
}

export async function unmatchedPlays(wh: Warehouse, interval: Interval, examples = 3): Promise<UnmatchedPlays> {
  const r = await wh.query<{ song: string; artist: string; plays: number; title_known: number; artist_known: number }>(
    `SELECT e.song, e.artist, COUNT(*) AS plays,
            MAX(CASE WHEN t.title IS NULL THEN 0 ELSE 1 END) AS title_known, MAX(CASE WHEN a.artist_name IS NULL THEN 0 ELSE 1 END) AS artist_known
     FROM ${TABLES.stagingEvents} AS e
     LEFT JOIN (SELECT DISTINCT title FROM ${TABLES.stagingSongs}) AS t ON t.title = e.song
     LEFT JOIN (SELECT DISTINCT artist_name FROM ${TABLES.stagingSongs}) AS a ON a.artist_name = e.artist
     WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end
       AND NOT EXISTS (SELECT 1 FROM ${TABLES.stagingSongs} AS s WHERE ${MATCHES})
     GROUP BY e.song, e.artist ORDER BY plays DESC, e.song`,
    params(interval), TS,
  );
  const all = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n ${PLAYS}`, params(interval), TS);
  const rows = r.rows.map((x) => ({ song: x.song, artist: x.artist, plays: Number(x.plays), title: Number(x.title_known), artist_known: Number(x.artist_known) }));
  const plays = Number(all.rows[0].n);
  const unmatched = rows.reduce((s, x) => s + x.plays, 0);
  return {
    plays, unmatched, share: plays === 0 ? 0 : unmatched / plays,
    titleInCatalogue: rows.reduce((s, x) => s + x.plays * x.title, 0),
    artistInCatalogue: rows.reduce((s, x) => s + x.plays * x.artist_known, 0),
    examples: rows.slice(0, limitOf(examples)).map(({ song, artist, plays: n }) => ({ song, artist, plays: n })),
  };
}

/** One row of the title-only join for a play whose title several catalogue songs share. */
export type DuplicatedRow = {
  played_at: Date;
  user_id: string;
  song: string;
  artist: string;
  length: number;
  song_id: string;
  song_artist: string;
  duration: number;
  /** What the fixed join (title, artist and duration) does with this row. */
  fixed_join: "keeps" | "drops";
};

/**
 * The rows the naive join (title only) gives for the first play of each title that several songs
 * share (`plays` of them): one row per song of that title, of which the fixed join keeps one.
 */
export async function naiveDuplicates(wh: Warehouse, interval: Interval, plays = 2): Promise<DuplicatedRow[]> {
  const r = await wh.query<DuplicatedRow & { n: number }>(
    `SELECT e.start_time AS played_at, e.user_id, e.song, e.artist, e.length, s.song_id, s.artist_name AS song_artist, s.duration,
            CASE WHEN ${MATCHES} THEN 'keeps' ELSE 'drops' END AS fixed_join
     FROM ${TABLES.stagingEvents} AS e JOIN ${TABLES.stagingSongs} AS s ON s.title = e.song
     WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end
       AND e.song IN (SELECT title FROM ${TABLES.stagingSongs} GROUP BY title HAVING COUNT(*) > 1)
     ORDER BY e.start_time, e.user_id, s.song_id`,
    params(interval), TS,
  );
  const firsts = new Map<string, { at: number; user: string }>();
  for (const x of r.rows) if (!firsts.has(x.song)) firsts.set(x.song, { at: new Date(x.played_at).getTime(), user: x.user_id });
  const chosen = [...firsts.entries()].slice(0, limitOf(plays));
  return r.rows
    .filter((x) => chosen.some(([song, f]) => song === x.song && f.user === x.user_id && f.at === new Date(x.played_at).getTime()))
    .map((x) => ({ ...x, length: Number(x.length), duration: Number(x.duration) }));
}

/** The songs' Hive-style partitions (year, artist_id): how many, how full, and how many songs have year 0 (unknown). */
export async function songPartitions(wh: Warehouse): Promise<{ songs: number; partitions: number; yearZero: number; years: number }> {
  const r = await wh.query<{ songs: number; partitions: number; year_zero: number; years: number }>(
    `SELECT COUNT(*) AS songs, COUNT(DISTINCT CONCAT(CAST(year AS STRING), '/', artist_id)) AS partitions,
            SUM(CASE WHEN year = 0 THEN 1 ELSE 0 END) AS year_zero, COUNT(DISTINCT year) AS years FROM ${TABLES.songs}`);
  const x = r.rows[0];
  return { songs: Number(x.songs), partitions: Number(x.partitions), yearZero: Number(x.year_zero ?? 0), years: Number(x.years) };
}

/** Each star table in the lake: partitions, files, bytes, and bytes per row (rows from the warehouse). */
export async function starLakeLayout(lake: Lake, wh: Warehouse, prefix: string, interval: Interval): Promise<{ table: string; partitions: number; files: number; bytes: number; rows: number; bytes_per_row: number }[]> {
  const counts = await wh.query<Record<string, number>>(
    `SELECT (SELECT COUNT(*) FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end) AS songplays,
            (SELECT COUNT(*) FROM ${TABLES.time} WHERE start_time >= @start AND start_time < @end) AS time,
            (SELECT COUNT(*) FROM ${TABLES.songs}) AS songs, (SELECT COUNT(*) FROM ${TABLES.users}) AS users, (SELECT COUNT(*) FROM ${TABLES.artists}) AS artists`,
    params(interval), TS,
  );
  const out = [];
  for (const table of ["songplays", "time", "songs", "users", "artists"]) {
    const files = await lake.list(`${prefix}/${table}`);
    const partitions = new Set(files.map((f) => JSON.stringify(f.partition))).size;
    const bytes = files.reduce((s, f) => s + f.size, 0);
    const rows = Number(counts.rows[0][table]);
    out.push({ table, partitions: files.some((f) => Object.keys(f.partition).length > 0) ? partitions : 0, files: files.length, bytes, rows, bytes_per_row: rows === 0 ? 0 : Math.round(bytes / rows) });
  }
  return out;
}

/**
 * The star schema, built with SQL in the warehouse (DuckDB, or BigQuery when configured) from two
 * staging tables. Every write is idempotent by the data's own key or by the run's data interval:
 * songplays and time rows of the interval are replaced; users, songs and artists are merged by key.
 *
 * The original's flaws, fixed here:
 * - songplays joined songs on the title alone, so a title two artists share doubled the plays:
 *   here the join is on title, artist name and duration (within 0.01 s);
 * - a user whose level changed got two rows: here one row, with the level of their latest event;
 * - artist columns kept their song-file names (artist_name, ...): here name, location, latitude, longitude.
 */
import type { Column, ColumnType, TableSchema, Warehouse } from "../../lib/warehouse/warehouse";
import { dialect } from "../../lib/warehouse/dialect";
import { CLEAN_EVENT_COLUMNS, type CleanSong } from "./events";

export const TABLES = {
  stagingEvents: "sparkify_staging_events",
  stagingSongs: "sparkify_staging_songs",
  songplays: "sparkify_songplays",
  users: "sparkify_users",
  songs: "sparkify_songs",
  artists: "sparkify_artists",
  time: "sparkify_time",
  rejected: "sparkify_rejected_lines",
} as const;

const col = (name: string, type: ColumnType, required = false): Column => ({ name, type, ...(required ? { mode: "REQUIRED" as const } : {}) });

export const SCHEMAS: Record<keyof typeof TABLES, TableSchema> = {
  stagingEvents: { columns: CLEAN_EVENT_COLUMNS.map(([name, type]) => col(name, type, name === "ts" || name === "start_time")) },
  stagingSongs: {
    columns: [col("song_id", "STRING", true), col("title", "STRING", true), col("artist_id", "STRING", true), col("artist_name", "STRING", true), col("artist_location", "STRING"),
      col("artist_latitude", "FLOAT64"), col("artist_longitude", "FLOAT64"), col("duration", "FLOAT64", true), col("year", "INT64")],
  },
  songplays: {
    columns: [col("songplay_id", "STRING", true), col("start_time", "TIMESTAMP", true), col("user_id", "STRING", true), col("level", "STRING"), col("song_id", "STRING"),
      col("artist_id", "STRING"), col("session_id", "INT64"), col("location", "STRING"), col("user_agent", "STRING")],
  },
  users: { columns: [col("user_id", "STRING", true), col("first_name", "STRING"), col("last_name", "STRING"), col("gender", "STRING"), col("level", "STRING"), col("last_seen", "TIMESTAMP", true)] },
  songs: { columns: [col("song_id", "STRING", true), col("title", "STRING"), col("artist_id", "STRING"), col("year", "INT64"), col("duration", "FLOAT64")] },
  artists: { columns: [col("artist_id", "STRING", true), col("name", "STRING"), col("location", "STRING"), col("latitude", "FLOAT64"), col("longitude", "FLOAT64")] },
  time: {
    columns: [col("start_time", "TIMESTAMP", true), col("hour", "INT64"), col("day", "INT64"), col("week", "INT64"), col("month", "INT64"), col("year", "INT64"), col("weekday", "INT64")],
  },
  rejected: { columns: [col("file", "STRING", true), col("line_no", "INT64", true), col("reason", "STRING", true), col("text", "STRING")] },
};

/** A data interval [start, end), as ISO timestamps. */
export interface Interval {
  start: string;
  end: string;
}

const TS = { types: { start: "TIMESTAMP" as const, end: "TIMESTAMP" as const } };
const params = (i: Interval) => ({ start: new Date(i.start), end: new Date(i.end) });

/** Creates every table that does not exist yet. */
export async function createTables(wh: Warehouse): Promise<void> {
  for (const key of Object.keys(TABLES) as (keyof typeof TABLES)[]) await wh.createTable(TABLES[key], SCHEMAS[key]);
}

/** Stages the catalogue: the staging table holds exactly the songs of this load (it is recomputed whole). */
export async function stageSongs(wh: Warehouse, songs: CleanSong[]): Promise<number> {
  const r = await wh.loadRows(TABLES.stagingSongs, songs as unknown as Record<string, unknown>[], { write: "TRUNCATE" });
  return r.rows;
}

/** Stages the clean events of an interval from local Parquet files, replacing that interval's rows. */
export async function stageEvents(wh: Warehouse, interval: Interval, parquetFiles: string[]): Promise<number> {
  await wh.query(`DELETE FROM ${TABLES.stagingEvents} WHERE start_time >= @start AND start_time < @end`, params(interval), TS);
  if (wh.kind === "duckdb" && parquetFiles.length > 0) {
    // One INSERT over every file (the job wrote them with the staging table's own columns and types).
    const columns = SCHEMAS.stagingEvents.columns.map((c) => c.name).join(", ");
    const list = parquetFiles.map((f) => `'${f.replace(/'/g, "''")}'`).join(", ");
    const r = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM read_parquet([${list}], hive_partitioning = false)`);
    await wh.query(`INSERT INTO ${TABLES.stagingEvents} (${columns}) SELECT ${columns} FROM read_parquet([${list}], hive_partitioning = false)`);
    return Number(r.rows[0].n);
  }
  let rows = 0;
  for (const file of parquetFiles) rows += (await wh.loadFile(TABLES.stagingEvents, file, { format: "PARQUET", write: "APPEND" })).rows;
  return rows;
}

/**
 * The songplays of an interval, joined to songs on title, artist name and duration. The match is an
 * equi-join on title and artist (a hash join) filtered by duration, then joined back to the plays:
 * a LEFT JOIN whose ON clause holds the ABS() test makes engines fall back to a slow join.
 */
export const SONGPLAYS_SELECT = `
WITH plays AS (
  SELECT CONCAT(e.user_id, '-', CAST(e.session_id AS STRING), '-', CAST(e.item_in_session AS STRING), '-', CAST(e.ts AS STRING)) AS songplay_id,
         e.start_time, e.user_id, e.level, e.song, e.artist, e.length, e.session_id, e.location, e.user_agent
  FROM ${TABLES.stagingEvents} AS e
  WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end
  QUALIFY ROW_NUMBER() OVER (PARTITION BY e.user_id, e.session_id, e.item_in_session, e.ts ORDER BY e.level) = 1
),
matches AS (
  SELECT p.songplay_id, s.song_id, s.artist_id
  FROM plays AS p JOIN ${TABLES.stagingSongs} AS s ON s.title = p.song AND s.artist_name = p.artist
  WHERE ABS(s.duration - p.length) < 0.01
  QUALIFY ROW_NUMBER() OVER (PARTITION BY p.songplay_id ORDER BY ABS(s.duration - p.length), s.song_id) = 1
)
SELECT p.songplay_id, p.start_time, p.user_id, p.level, m.song_id, m.artist_id, p.session_id, p.location, p.user_agent
FROM plays AS p LEFT JOIN matches AS m ON m.songplay_id = p.songplay_id`;

/** The naive join of the original (title only): the number of rows it gives for the interval. */
export async function naiveSongplayRows(wh: Warehouse, interval: Interval): Promise<number> {
  const r = await wh.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${TABLES.stagingEvents} AS e LEFT JOIN ${TABLES.stagingSongs} AS s ON s.title = e.song
     WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end`,
    params(interval), TS,
  );
  return Number(r.rows[0].n);
}

export interface StarCounts {
  songplays: number;
  matchedSongplays: number;
  users: number;
  songs: number;
  artists: number;
  time: number;
}

/** Builds (or rebuilds) the star schema for one interval. */
export async function buildStarSchema(wh: Warehouse, interval: Interval): Promise<StarCounts> {
  const p = params(interval);
  await wh.query(`DELETE FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end`, p, TS);
  await wh.query(`INSERT INTO ${TABLES.songplays} (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent) ${SONGPLAYS_SELECT}`, p, TS);

  await wh.query(
    `MERGE INTO ${TABLES.users} AS u
     USING (
       SELECT user_id, first_name, last_name, gender, level, start_time AS last_seen
       FROM ${TABLES.stagingEvents}
       WHERE user_id <> '' AND start_time >= @start AND start_time < @end
       QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC, item_in_session DESC) = 1
     ) AS n
     ON u.user_id = n.user_id
     WHEN MATCHED AND n.last_seen >= u.last_seen THEN
       UPDATE SET first_name = n.first_name, last_name = n.last_name, gender = n.gender, level = n.level, last_seen = n.last_seen
     WHEN NOT MATCHED THEN
       INSERT (user_id, first_name, last_name, gender, level, last_seen) VALUES (n.user_id, n.first_name, n.last_name, n.gender, n.level, n.last_seen)`,
    p, TS,
  );

  await wh.query(
    `MERGE INTO ${TABLES.songs} AS t
     USING (
       SELECT song_id, title, artist_id, year, duration FROM ${TABLES.stagingSongs}
       WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY song_id ORDER BY title, artist_id) = 1
     ) AS n
     ON t.song_id = n.song_id
     WHEN MATCHED THEN UPDATE SET title = n.title, artist_id = n.artist_id, year = n.year, duration = n.duration
     WHEN NOT MATCHED THEN INSERT (song_id, title, artist_id, year, duration) VALUES (n.song_id, n.title, n.artist_id, n.year, n.duration)`,
  );

  // An artist appears in several song files, sometimes with an empty location in one of them:
  // MAX keeps the filled-in values ("" sorts first, NULL is ignored).
  await wh.query(
    `MERGE INTO ${TABLES.artists} AS t
     USING (
       SELECT artist_id, MAX(artist_name) AS name, MAX(artist_location) AS location, MAX(artist_latitude) AS latitude, MAX(artist_longitude) AS longitude
       FROM ${TABLES.stagingSongs} GROUP BY artist_id
     ) AS n
     ON t.artist_id = n.artist_id
     WHEN MATCHED THEN UPDATE SET name = n.name, location = n.location, latitude = n.latitude, longitude = n.longitude
     WHEN NOT MATCHED THEN INSERT (artist_id, name, location, latitude, longitude) VALUES (n.artist_id, n.name, n.location, n.latitude, n.longitude)`,
  );

  await wh.query(`DELETE FROM ${TABLES.time} WHERE start_time >= @start AND start_time < @end`, p, TS);
  await wh.query(
    dialect({
      duckdb: `INSERT INTO ${TABLES.time} SELECT DISTINCT start_time, hour(start_time), day(start_time), week(start_time), month(start_time), year(start_time), dayofweek(start_time) + 1
               FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end`,
      bigquery: `INSERT INTO ${TABLES.time} SELECT DISTINCT start_time, EXTRACT(HOUR FROM start_time), EXTRACT(DAY FROM start_time), EXTRACT(ISOWEEK FROM start_time),
                 EXTRACT(MONTH FROM start_time), EXTRACT(YEAR FROM start_time), EXTRACT(DAYOFWEEK FROM start_time)
                 FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end`,
    }),
    p, TS,
  );
  return starCounts(wh, interval);
}

/** Row counts of the star schema (songplays and time: within the interval). */
export async function starCounts(wh: Warehouse, interval: Interval): Promise<StarCounts> {
  const r = await wh.query<Record<keyof StarCounts, number>>(
    `SELECT
       (SELECT COUNT(*) FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end) AS songplays,
       (SELECT COUNT(*) FROM ${TABLES.songplays} WHERE song_id IS NOT NULL AND start_time >= @start AND start_time < @end) AS matchedSongplays,
       (SELECT COUNT(*) FROM ${TABLES.users}) AS users,
       (SELECT COUNT(*) FROM ${TABLES.songs}) AS songs,
       (SELECT COUNT(*) FROM ${TABLES.artists}) AS artists,
       (SELECT COUNT(*) FROM ${TABLES.time} WHERE start_time >= @start AND start_time < @end) AS time`,
    params(interval), TS,
  );
  const row = r.rows[0];
  return { songplays: Number(row.songplays), matchedSongplays: Number(row.matchedSongplays), users: Number(row.users), songs: Number(row.songs), artists: Number(row.artists), time: Number(row.time) };
}

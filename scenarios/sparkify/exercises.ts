/**
 * The notebook's exercises, with their reference solutions. Expected values are computed from the
 * data in the warehouse by the reference SQL, never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES, type Interval } from "./star-schema";

export interface SparkifyExercises {
  playsByLevel: Exercise<string>;
  busiestHour: Exercise<number>;
  joinCondition: Exercise<string>;
}

/** Reference: songplays per level, as (level, plays) rows. */
export const PLAYS_BY_LEVEL_SQL = `SELECT level, COUNT(*) AS plays FROM ${TABLES.songplays} GROUP BY level ORDER BY level`;

/** Reference: the join condition of events `e` and songs `s` that matches one song per play. */
export const JOIN_CONDITION = "s.title = e.song AND s.artist_name = e.artist AND ABS(s.duration - e.length) < 0.01";

const BUSIEST_HOUR_SQL = `SELECT t.hour, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.time} AS t ON t.start_time = p.start_time GROUP BY t.hour ORDER BY plays DESC, t.hour LIMIT 1`;

type LevelRow = { level: string; plays: number };

export function sparkifyExercises(wh: Warehouse, interval: Interval): SparkifyExercises {
  const rows = async (sql: string): Promise<LevelRow[]> => {
    const r = await wh.query<Record<string, unknown>>(sql);
    if (!r.columns.includes("level") || !r.columns.includes("plays")) throw new Error(`the query must return the columns level and plays; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ level: String(x.level), plays: Number(x.plays) })).sort((a, b) => a.level.localeCompare(b.level));
  };
  const joinRows = async (condition: string) => {
    const r = await wh.query<{ n: number; matched: number }>(
      `SELECT COUNT(*) AS n, COUNT(s.song_id) AS matched FROM ${TABLES.stagingEvents} AS e LEFT JOIN ${TABLES.stagingSongs} AS s ON ${condition}
       WHERE e.page = 'NextSong' AND e.user_id <> '' AND e.start_time >= @start AND e.start_time < @end`,
      { start: new Date(interval.start), end: new Date(interval.end) }, { types: { start: "TIMESTAMP", end: "TIMESTAMP" } },
    );
    return { rows: Number(r.rows[0].n), matched: Number(r.rows[0].matched) };
  };
  return exerciseSet({
    playsByLevel: exercise<string, LevelRow[]>({
      id: "plays-by-level",
      title: "Songplays by level",
      hints: [
        "Every play is one row of the fact table, songplays; its level is the user's level at the time of the play.",
        `Count rows of ${TABLES.songplays} with COUNT(*) and GROUP BY a column.`,
        "SELECT level, COUNT(*) AS plays FROM ... GROUP BY level",
      ],
      solution: () => PLAYS_BY_LEVEL_SQL,
      evaluate: rows,
      expected: () => rows(PLAYS_BY_LEVEL_SQL),
      nudge: (v) => (v.some((r) => r.level !== "free" && r.level !== "paid") ? "Levels are free and paid only." : "Count plays (songplays), not users or events."),
    }),
    busiestHour: exercise<number>({
      id: "busiest-hour",
      title: "The busiest hour of the day (UTC)",
      hints: [
        "The time dimension has an hour for every start_time of a play.",
        `Join ${TABLES.songplays} to ${TABLES.time} on start_time, GROUP BY hour, ORDER BY the count.`,
        "ORDER BY COUNT(*) DESC, hour LIMIT 1, then take the hour as a number.",
      ],
      solution: async () => Number((await wh.query<{ hour: number }>(BUSIEST_HOUR_SQL)).rows[0].hour),
      expected: async () => Number((await wh.query<{ hour: number }>(BUSIEST_HOUR_SQL)).rows[0].hour),
      nudge: (v) => (Number.isInteger(v) && v >= 0 && v <= 23 ? "That hour has fewer plays than another one." : "An hour is a whole number from 0 to 23."),
    }),
    joinCondition: exercise<string, { rows: number; matched: number }>({
      id: "join-condition",
      title: "Match each play to at most one song",
      hints: [
        "Two songs can share a title: another artist's, or another version of the same song with a slightly different length.",
        "Compare the event's song, artist and length with the song's title, artist_name and duration.",
        "Durations are decimals: compare them within a tolerance, ABS(a - b) < 0.01.",
      ],
      solution: () => JOIN_CONDITION,
      evaluate: joinRows,
      expected: () => joinRows(JOIN_CONDITION),
      show: (v) => `${v.rows} rows, ${v.matched} of them matched to a song`,
      nudge: (v) => `${v.rows} rows for the plays: ${v.rows > 0 ? "more rows than plays means some plays matched several songs." : "no rows at all."}`,
    }),
  });
}

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

/** Reference: songplays of women per level of the play, as (level, plays) rows: the fact joined to the users dimension. */
export const PLAYS_BY_LEVEL_SQL = `SELECT p.level, COUNT(*) AS plays
FROM ${TABLES.songplays} AS p JOIN ${TABLES.users} AS u ON u.user_id = p.user_id
WHERE u.gender = 'F'
GROUP BY p.level ORDER BY p.level`;

/** Reference: the join condition of events `e` and songs `s` that matches one song per play. */
export const JOIN_CONDITION = "s.title = e.song AND s.artist_name = e.artist AND ABS(s.duration - e.length) < 0.01";

/** Reference: the hour of the day (UTC) with the most plays by paid users (ties: the earliest). */
export const BUSIEST_PAID_HOUR_SQL = `SELECT t.hour, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.time} AS t ON t.start_time = p.start_time WHERE p.level = 'paid' GROUP BY t.hour ORDER BY plays DESC, t.hour LIMIT 1`;

type LevelRow = { level: string; plays: number };

export function sparkifyExercises(wh: Warehouse, interval: Interval): SparkifyExercises {
  const hourOf = async (sql: string) => Number((await wh.query<{ hour: number }>(sql)).rows[0]?.hour);
  const same = (a: LevelRow[], b: LevelRow[]) => JSON.stringify(a) === JSON.stringify(b);
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
      title: "Songplays of women, by level",
      hints: [
        "Every play is one row of the fact table, songplays, with the level of the user at the time of the play; who the user is (gender included) is in the users dimension.",
        `Join ${TABLES.songplays} to ${TABLES.users} on user_id, keep gender = 'F', count rows with COUNT(*) and GROUP BY a column.`,
        `SELECT p.level, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.users} AS u ON u.user_id = p.user_id WHERE u.gender = 'F' GROUP BY p.level`,
      ],
      solution: () => PLAYS_BY_LEVEL_SQL,
      evaluate: rows,
      expected: () => rows(PLAYS_BY_LEVEL_SQL),
      nudge: async (v) => {
        if (v.some((r) => r.level !== "free" && r.level !== "paid")) return "Levels are free and paid only.";
        if (same(v, await rows(`SELECT level, COUNT(*) AS plays FROM ${TABLES.songplays} GROUP BY level`))) return "That counts the plays of every user: keep the women (gender 'F', in the users dimension).";
        if (same(v, await rows(PLAYS_BY_LEVEL_SQL.replace(/p\.level/g, "u.level")))) return "That groups by the user's level today (users.level); a play's level is the level at the time of the play (songplays.level), and some users upgraded.";
        return "Count plays (songplays rows), not users or events, of the users whose gender is 'F'.";
      },
    }),
    busiestHour: exercise<number>({
      id: "busiest-paid-hour",
      title: "The hour of the day (UTC) when paid users play most",
      hints: [
        "The time dimension has an hour for every start_time of a play; the level of a play is in songplays.",
        `Join ${TABLES.songplays} to ${TABLES.time} on start_time, keep level = 'paid', GROUP BY hour, ORDER BY the count.`,
        "ORDER BY COUNT(*) DESC, hour LIMIT 1, then take the hour as a number.",
      ],
      solution: () => hourOf(BUSIEST_PAID_HOUR_SQL),
      expected: () => hourOf(BUSIEST_PAID_HOUR_SQL),
      nudge: async (v) => {
        if (!(Number.isInteger(v) && v >= 0 && v <= 23)) return "An hour is a whole number from 0 to 23.";
        if (v === (await hourOf(BUSIEST_PAID_HOUR_SQL.replace("WHERE p.level = 'paid' ", "")))) return "That is the busiest hour of all plays: count the plays of paid users only.";
        if (v === (await hourOf(BUSIEST_PAID_HOUR_SQL.replace("'paid'", "'free'")))) return "That is the free users' busiest hour.";
        return "That hour has fewer paid plays than another one.";
      },
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

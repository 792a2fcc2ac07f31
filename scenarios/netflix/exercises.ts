/**
 * The Netflix notebook's exercises, with their reference solutions. Expected values come from the
 * stream's table, its dead letters and the batch recomputation (tested code), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { SqlQueryable } from "../../lib/sql/sql";
import type { DeadLetter } from "../../lib/stream/dead-letters";
import type { OracleResult } from "./oracle";

export interface NetflixExercises {
  busiestWindow: Exercise<string>;
  rejectedShare: Exercise<number>;
  steadyWindows: Exercise<number>;
}

/** Reference: the most ratings one movie got over the whole input, summed over its windows. */
export const BUSIEST_WINDOW_SQL = (table: string): string => `SELECT SUM(rating_count) AS ratings FROM ${table} GROUP BY movie_id ORDER BY 1 DESC LIMIT 1`;

/** The number of distinct reasons among the rejected dead letters (the reason's text before the first colon). */
export function distinctRejectReasons(dead: readonly Pick<DeadLetter, "kind" | "reason">[]): number {
  return new Set(dead.filter((d) => d.kind === "rejected").map((d) => d.reason.split(":")[0].replace(/\d+/g, "N").trim())).size;
}

/** The lines read that were rejected (not late), in percent to three decimals. */
export function rejectedPercent(dead: readonly Pick<DeadLetter, "kind">[], linesRead: number): number {
  return Math.round((dead.filter((d) => d.kind === "rejected").length / linesRead) * 100_000) / 1000;
}

/** Windows of at least `minRatings` ratings whose mean rating is at least `minMean`. */
export function windowsWith(rows: readonly { rating_count: number; rating_sum: number }[], minRatings: number, minMean: number): number {
  return rows.filter((w) => w.rating_count >= minRatings && w.rating_sum / w.rating_count >= minMean).length;
}

/** Exercise 3's thresholds: windows of 10 ratings or more with a mean of 4 or more. */
export const STEADY = { minRatings: 10, minMean: 4 } as const;

export function netflixExercises(sql: SqlQueryable, table: string, dead: readonly DeadLetter[], oracle: OracleResult): NetflixExercises {
  const firstNumber = async (text: string): Promise<number> => {
    const r = await sql.query<Record<string, unknown>>(text);
    if (r.rows.length === 0) throw new Error("the query returned no row");
    return Number(Object.values(r.rows[0])[0]);
  };
  return exerciseSet({
    busiestWindow: exercise<string, number>({
      id: "most-rated-movie",
      title: "The most ratings one movie got, over all its windows",
      hints: [
        `Each row of ${table} is one movie in one window, with the number of ratings it got in that window; a movie's ratings over the whole input are the sum over its windows.`,
        "GROUP BY movie_id, SUM(rating_count), ORDER BY that sum descending, LIMIT 1; return the sum first.",
        `SELECT SUM(rating_count) AS ratings FROM ${table} GROUP BY movie_id ORDER BY 1 DESC LIMIT 1`,
      ],
      solution: () => BUSIEST_WINDOW_SQL(table),
      evaluate: firstNumber,
      expected: () => firstNumber(BUSIEST_WINDOW_SQL(table)),
      nudge: async (v) => {
        if (v === (await firstNumber(`SELECT MAX(rating_count) FROM ${table}`))) return "That is the busiest single window: add up every window of each movie.";
        if (v === (await firstNumber(`SELECT SUM(rating_count) FROM ${table}`))) return "That counts every movie together: sum per movie, then take the largest.";
        return "Sum rating_count per movie (GROUP BY movie_id) and give the largest sum.";
      },
    }),
    rejectedShare: exercise<number>({
      id: "rejected-percent",
      title: "The percentage of the lines read that the stream rejected",
      hints: [
        "The dead-letter topic holds two kinds of record: rejected ones (they could not be parsed or checked) and late ones (valid, but too late for their window).",
        "dead (run.deadLetters()) lists them with their kind; oracle.lines is the number of lines read (the stream's stats.in agrees).",
        "100 * dead.filter((d) => d.kind === \"rejected\").length / oracle.lines, rounded to three decimals.",
      ],
      solution: () => rejectedPercent(dead, oracle.lines),
      expected: () => rejectedPercent(dead, oracle.lines),
      compare: (v, e) => Math.abs(v - e) < 0.0005,
      nudge: (v) => {
        const close = (x: number) => Math.abs(v - x) < 0.0005;
        if (close(Math.round((dead.length / oracle.lines) * 100_000) / 1000)) return "That counts the late records too: keep the kind \"rejected\".";
        if (close(rejectedPercent(dead, oracle.lines) / 100)) return "That is a share between 0 and 1: give it in percent (times 100).";
        return Number.isInteger(v) && v === dead.filter((d) => d.kind === "rejected").length ? "That is the number of rejected records: divide by the lines read, in percent." : "Count the rejected dead letters, divide by the lines read, and give the percentage.";
      },
    }),
    steadyWindows: exercise<number>({
      id: "steady-windows",
      title: `Windows with ${STEADY.minRatings} ratings or more and a mean of ${STEADY.minMean} or more, counted in batch`,
      hints: [
        "A window's mean rating is rating_sum / rating_count; the batch recomputation holds every window, as the stream's table does.",
        "oracle.movieRatings lists the batch's windows with rating_count and rating_sum; the same count over the stream's table must agree.",
        `oracle.movieRatings.filter((w) => w.rating_count >= ${STEADY.minRatings} && w.rating_sum / w.rating_count >= ${STEADY.minMean}).length`,
      ],
      solution: () => windowsWith(oracle.movieRatings, STEADY.minRatings, STEADY.minMean),
      expected: () => windowsWith(oracle.movieRatings, STEADY.minRatings, STEADY.minMean),
      nudge: (v) => {
        if (v === windowsWith(oracle.movieRatings, 1, STEADY.minMean)) return `That counts windows with a handful of ratings too: keep those with ${STEADY.minRatings} or more.`;
        if (v === oracle.movieRatings.filter((w) => w.rating_count >= STEADY.minRatings && w.rating_sum / w.rating_count > STEADY.minMean).length) return `A mean of exactly ${STEADY.minMean} counts too (at least, not above).`;
        if (v === windowsWith(oracle.movieRatings, STEADY.minRatings, 0)) return `That is every window with enough ratings: keep a mean of ${STEADY.minMean} or more.`;
        return "Count the windows with both conditions: enough ratings, and a mean (sum / count) high enough.";
      },
    }),
  });
}

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
  rejectedReasons: Exercise<number>;
  validRatings: Exercise<number>;
}

/** Reference: the title of the movie with the most ratings in one window (ties: the earliest window, then the title). */
export const BUSIEST_WINDOW_SQL = (table: string): string => `SELECT title FROM ${table} ORDER BY rating_count DESC, window_start, title LIMIT 1`;

/** The number of distinct reasons among the rejected dead letters (the reason's text before the first colon). */
export function distinctRejectReasons(dead: readonly Pick<DeadLetter, "kind" | "reason">[]): number {
  return new Set(dead.filter((d) => d.kind === "rejected").map((d) => d.reason.split(":")[0].replace(/\d+/g, "N").trim())).size;
}

export function netflixExercises(sql: SqlQueryable, table: string, dead: readonly DeadLetter[], oracle: OracleResult): NetflixExercises {
  const firstValue = async (text: string): Promise<string> => {
    const r = await sql.query<Record<string, unknown>>(text);
    if (r.rows.length === 0) throw new Error("the query returned no row");
    return String(Object.values(r.rows[0])[0]);
  };
  return exerciseSet({
    busiestWindow: exercise<string, string>({
      id: "busiest-window",
      title: "The movie with the most ratings in one window",
      hints: [
        `Each row of ${table} is one movie in one window, with the number of ratings it got in that window.`,
        "ORDER BY rating_count DESC and LIMIT 1; return the title first.",
        `SELECT title FROM ${table} ORDER BY rating_count DESC, window_start, title LIMIT 1`,
      ],
      solution: () => BUSIEST_WINDOW_SQL(table),
      evaluate: firstValue,
      expected: () => firstValue(BUSIEST_WINDOW_SQL(table)),
      nudge: () => "That is not the movie of the single busiest window: sort the windows by rating_count, largest first (not the sum over all windows).",
    }),
    rejectedReasons: exercise<number>({
      id: "rejected-reasons",
      title: "How many kinds of bad record the stream met",
      hints: [
        "Every record the processor could not parse went to the dead-letter topic with a reason; late records are there too, with kind \"late\".",
        "run.deadLetters() returns them; keep kind === \"rejected\" and look at the reason's text before the first colon.",
        "new Set(dead.filter((d) => d.kind === \"rejected\").map((d) => d.reason.split(\":\")[0])).size, counting \"rating 9 outside 1-5\" and \"rating 0 outside 1-5\" as one kind.",
      ],
      solution: () => distinctRejectReasons(dead),
      expected: () => distinctRejectReasons(dead),
      nudge: (v) => (v === dead.length ? "That is the number of dead letters, not of the kinds of reason." : "Count each kind of reason once, and only the rejected records (not the late ones)."),
    }),
    validRatings: exercise<number>({
      id: "valid-ratings",
      title: "Valid ratings, counted in batch",
      hints: [
        "Counts reconcile: every line read is either valid or rejected, in the stream and in the batch recomputation alike.",
        "The batch recomputation above (oracle) counts the lines it read and the lines that were valid.",
        "oracle.valid, or oracle.lines minus the rejected lines; it equals stats.ok of the stream.",
      ],
      solution: () => oracle.valid,
      expected: () => oracle.valid,
      nudge: (v) => (v === oracle.lines ? "That counts every line read, bad ones included." : "Count the lines that parse as a rating (read minus rejected)."),
    }),
  });
}

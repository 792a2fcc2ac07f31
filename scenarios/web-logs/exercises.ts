/** Reference answers of the notebook's exercises (tested: a typical wrong answer fails, the reference passes). */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./load";
import { ROLLUP_KEY } from "./rollup";

/** The least events a state needs in the hour to count in exercise 1 (a state with 3 events is not a rate). */
export const MIN_STATE_EVENTS = 20;

/** The five states with the highest cart conversion (cart additions / all events) in the hour @hour, among states with MIN_STATE_EVENTS events or more, best first. */
export const TOP_CONVERSION_SQL = `SELECT state, SUM(cart_adds) * 1.0 / SUM(visits + cart_adds) AS conversion
FROM ${TABLES.hourly}
WHERE hour = @hour
GROUP BY state
HAVING SUM(visits + cart_adds) >= ${MIN_STATE_EVENTS}
ORDER BY conversion DESC, state
LIMIT 5`;

/**
 * BigQuery's limit of partitions per partitioned table: 10,000 ("Maximum number of partitions per
 * partitioned table", cloud.google.com/bigquery/quotas, checked 2026-12-07). It was 4,000 when the
 * original was written (its to-do list names that figure); Google raised it since.
 */
export const PARTITION_LIMIT = 10_000;
/** The limit when the original was written. */
export const ORIGINAL_PARTITION_LIMIT = 4000;
/** When PARTITION_LIMIT was last checked against BigQuery's quotas page. */
export const PARTITION_LIMIT_CHECKED = "2026-12-07";

/** Whole days of history that fit in `limit` hour partitions (24 a day). */
export function daysWithinHourPartitions(limit: number): number {
  return Math.floor(limit / 24);
}

export interface WebLogsExercises {
  topConversion: Exercise<string>;
  hourDays: Exercise<number>;
  mergeKey: Exercise<string[]>;
}

/** `hour`: the hour of the day (UTC) of exercise 1; default 10, the first hour of the notebook's logs. */
export function webLogsExercises(wh: Warehouse, options: { hour?: number } = {}): WebLogsExercises {
  const hour = options.hour ?? 10;
  const states = async (sql: string) => (await wh.query<{ state: string }>(sql, /@hour\b/.test(sql) ? { hour: hour } : {})).rows.slice(0, 50).map((r) => String(r.state));
  const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);
  return exerciseSet({
    topConversion: exercise<string, string[]>({
      id: "top-conversion",
      title: `The five states with the highest cart conversion at ${String(hour).padStart(2, "0")}:00 UTC`,
      hints: [
        `Conversion is a share: cart additions out of all events of a state, not the number of cart additions (big states win that). Only the hour ${hour}, and only states with ${MIN_STATE_EVENTS} events or more in it.`,
        `Sum the counts of ${TABLES.hourly} per state for that hour: SUM(cart_adds) and SUM(visits + cart_adds); HAVING keeps the groups with enough events.`,
        `WHERE hour = @hour, GROUP BY state, HAVING SUM(visits + cart_adds) >= ${MIN_STATE_EVENTS}, ORDER BY the ratio descending (multiply by 1.0 to avoid integer division), LIMIT 5.`,
      ],
      solution: () => TOP_CONVERSION_SQL,
      evaluate: states,
      expected: () => states(TOP_CONVERSION_SQL),
      nudge: async (v) => {
        if (v.length !== 5) return "Give five states, best first (LIMIT 5).";
        if (same(v, await states(TOP_CONVERSION_SQL.replace("WHERE hour = @hour\n", "")))) return `That is the whole run, as on the map; keep the hour ${hour} only.`;
        if (same(v, await states(TOP_CONVERSION_SQL.replace(/HAVING .*\n/, "")))) return `A state with a handful of events is not a rate: keep the states with ${MIN_STATE_EVENTS} events or more in the hour.`;
        if (v.includes("California")) return "California has many cart additions, but is its share high?";
        return "Check that you divide cart additions by all events of the state, in that hour, and sort best first.";
      },
    }),
    hourDays: exercise<number>({
      id: "hour-partitions",
      title: `Days of history within ${PARTITION_LIMIT} hour partitions`,
      hints: [
        `BigQuery allows ${PARTITION_LIMIT} partitions per table today (checked ${PARTITION_LIMIT_CHECKED}); a partition per hour uses them up fast.`,
        "A day has 24 hour partitions.",
        `Divide ${PARTITION_LIMIT} by 24 and keep whole days (a day that does not fit whole does not count).`,
      ],
      solution: () => daysWithinHourPartitions(PARTITION_LIMIT),
      expected: () => daysWithinHourPartitions(PARTITION_LIMIT),
      nudge: (v) => (v === daysWithinHourPartitions(PARTITION_LIMIT) + 1 ? "the last of those days would not fit whole: keep whole days."
        : v === daysWithinHourPartitions(ORIGINAL_PARTITION_LIMIT) || v === daysWithinHourPartitions(ORIGINAL_PARTITION_LIMIT) + 1 ? `that is the original's limit of ${ORIGINAL_PARTITION_LIMIT} partitions; use today's, ${PARTITION_LIMIT}.`
          : v < 40 ? "that is about the day-partition figure in years; count hour partitions, in days."
            : v >= PARTITION_LIMIT ? "that counts partitions (or hours), not days." : "24 hour partitions make a day."),
    }),
    mergeKey: exercise<string[], string[]>({
      id: "merge-key",
      title: "The key that makes an hour's load replace exactly that hour's rows",
      hints: [
        "A merge replaces the stored row with the same key; the key must tell every row of the rollup apart.",
        "The rollup groups by six columns; the counts are values, not key.",
        "List the GROUP BY columns of the rollup: date, hour, and the four dimensions.",
      ],
      solution: () => [...ROLLUP_KEY],
      evaluate: (a) => [...a].map(String).sort(),
      expected: () => [...ROLLUP_KEY].sort(),
      nudge: (v) => (v.includes("visits") ? "counts change when late data arrive: they cannot be part of the key." : v.length < 6 ? "with fewer columns two rollup rows share a key." : "compare with the rollup's GROUP BY."),
    }),
  });
}

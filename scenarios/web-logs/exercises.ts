/** Reference answers of the notebook's exercises (tested: a typical wrong answer fails, the reference passes). */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { TABLES } from "./load";
import { ROLLUP_KEY } from "./rollup";

/** The five states with the highest cart conversion (cart additions / all events), best first. */
export const TOP_CONVERSION_SQL = `SELECT state, SUM(cart_adds) * 1.0 / SUM(visits + cart_adds) AS conversion
FROM ${TABLES.hourly}
GROUP BY state
ORDER BY conversion DESC, state
LIMIT 5`;

/** BigQuery's limit of partitions per table. */
export const PARTITION_LIMIT = 4000;

/** Whole years of history that fit in `limit` partitions of a day or a month. */
export function yearsWithin(limit: number, granularity: "day" | "month"): number {
  return Math.floor(limit / (granularity === "day" ? 365.25 : 12));
}

export interface WebLogsExercises {
  topConversion: Exercise<string>;
  monthYears: Exercise<number>;
  mergeKey: Exercise<string[]>;
}

export function webLogsExercises(wh: Warehouse): WebLogsExercises {
  const states = async (sql: string) => (await wh.query<{ state: string }>(sql)).rows.slice(0, 5).map((r) => String(r.state));
  return exerciseSet({
    topConversion: exercise<string, string[]>({
      id: "top-conversion",
      title: "The five states with the highest cart conversion",
      hints: [
        "Conversion is a share: cart additions out of all events of a state, not the number of cart additions (big states win that).",
        `Sum the counts of ${TABLES.hourly} per state: SUM(cart_adds) and SUM(visits + cart_adds).`,
        "GROUP BY state, ORDER BY the ratio descending (multiply by 1.0 to avoid integer division), LIMIT 5.",
      ],
      solution: () => TOP_CONVERSION_SQL,
      evaluate: states,
      expected: () => states(TOP_CONVERSION_SQL),
      nudge: (v) => (v.includes("California") ? "California has many cart additions, but is its share high?" : "check that you divide cart additions by all events of the state."),
    }),
    monthYears: exercise<number>({
      id: "month-partitions",
      title: `Years of history within ${PARTITION_LIMIT} month partitions`,
      hints: [
        `BigQuery allows ${PARTITION_LIMIT} partitions per table; day partitions give about 11 years.`,
        "A year has 12 month partitions.",
        `Divide ${PARTITION_LIMIT} by 12 and keep whole years.`,
      ],
      solution: () => yearsWithin(PARTITION_LIMIT, "month"),
      expected: () => yearsWithin(PARTITION_LIMIT, "month"),
      nudge: (v) => (v < 20 ? "that is about the day-partition figure; count month partitions instead." : "keep whole years."),
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

/**
 * The queries of the flights benchmark (bench/warehouse.ts), each written twice: as SQL for the
 * warehouse and with danfojs. The pandas versions are in bench/warehouse_flights.py, under the same
 * names. Each returns the same small table (columns and row order as in the SQL), so results can be
 * compared cell by cell.
 *
 * danfojs has no multi-column sort, no window functions, no quantiles and no groupby transform, so
 * its versions do the heavy work (filters, derived columns, group-bys, the merges) in danfojs and
 * finish the small grouped result (at most a few tens of thousands of rows) in plain JavaScript:
 * ordering, top-k, the 7-day moving average over 182 days, the interpolation of a percentile in
 * the sorted column. That is what a learner would write with the library as it is.
 */
import type { DataFrame, Series } from "danfojs-node";
import type { ResultTable } from "./compare";

type Danfo = typeof import("danfojs-node");

export interface FlightsQuery {
  name: string;
  /** What a learner asks. */
  question: string;
  /** The SQL; `{flights}` stands for the flights table. */
  sql: string;
  /** The same with danfojs, on a frame of the flights (date as "YYYY-MM-DD HH:MM:SS" text) and one of the airports. */
  danfo: (dfd: Danfo, flights: DataFrame, airports: DataFrame) => ResultTable;
}

/** Rows of a small frame as a table, picking and renaming columns: [frame column, result column]. */
function table(df: DataFrame, pick: [string, string][]): ResultTable {
  const cols = df.columns;
  const idx = pick.map(([from]) => {
    const i = cols.indexOf(from);
    if (i < 0) throw new Error(`danfojs result has no column ${from} (has ${cols.join(", ")})`);
    return i;
  });
  const values = df.values as unknown[][];
  return { columns: pick.map(([, to]) => to), rows: values.map((row) => idx.map((i) => row[i])) };
}

/** Sorts rows in place by columns (index, descending?), like ORDER BY. */
function orderBy(t: ResultTable, keys: [string, "asc" | "desc"][], limit?: number): ResultTable {
  const idx = keys.map(([name, dir]) => [t.columns.indexOf(name), dir === "desc" ? -1 : 1] as const);
  t.rows.sort((a, b) => {
    for (const [i, d] of idx) {
      const x = a[i] as number | string;
      const y = b[i] as number | string;
      if (x < y) return -d;
      if (x > y) return d;
    }
    return 0;
  });
  if (limit !== undefined) t.rows = t.rows.slice(0, limit);
  return t;
}

function withColumn(df: DataFrame, name: string, values: Series): DataFrame {
  return df.addColumn(name, values, { inplace: false }) as DataFrame;
}

/** The day of a "YYYY-MM-DD HH:MM:SS" date. */
function day(df: DataFrame): Series {
  return df.column("date").str.substr(0, 10) as Series;
}

/** quantile_cont / pandas' linear quantile of sorted values. */
function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export const FLIGHTS_QUERIES: FlightsQuery[] = [
  {
    name: "by_origin",
    question: "flights and mean delay by origin airport",
    sql: "SELECT origin, count(*) AS flights, avg(delay) AS avg_delay FROM {flights} GROUP BY origin ORDER BY origin",
    danfo: (_dfd, f) => orderBy(table(f.groupby(["origin"]).agg({ delay: ["count", "mean"] }), [["origin", "origin"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["origin", "asc"]]),
  },
  {
    name: "by_hour",
    question: "flights and mean delay by hour of departure",
    sql: "SELECT hour(date) AS hour, count(*) AS flights, avg(delay) AS avg_delay FROM {flights} GROUP BY hour ORDER BY hour",
    danfo: (_dfd, f) => {
      const g = withColumn(f, "hour", f.column("date").dt.hours()).groupby(["hour"]).agg({ delay: ["count", "mean"] });
      return orderBy(table(g, [["hour", "hour"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["hour", "asc"]]);
    },
  },
  {
    name: "delay_percentiles",
    question: "median, 90th and 99th percentile of the delay",
    sql: "SELECT q[1] AS p50, q[2] AS p90, q[3] AS p99 FROM (SELECT quantile_cont(delay, [0.5, 0.9, 0.99]) AS q FROM {flights})",
    danfo: (_dfd, f) => {
      const sorted = f.column("delay").sortValues({ ascending: true }).values as number[];
      return { columns: ["p50", "p90", "p99"], rows: [[quantile(sorted, 0.5), quantile(sorted, 0.9), quantile(sorted, 0.99)]] };
    },
  },
  {
    name: "top_routes",
    question: "the ten busiest routes, with their mean delay",
    sql: "SELECT origin, destination, count(*) AS flights, avg(delay) AS avg_delay FROM {flights} GROUP BY origin, destination ORDER BY flights DESC, origin, destination LIMIT 10",
    danfo: (_dfd, f) => {
      const g = f.groupby(["origin", "destination"]).agg({ delay: ["count", "mean"] });
      return orderBy(table(g, [["origin", "origin"], ["destination", "destination"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["flights", "desc"], ["origin", "asc"], ["destination", "asc"]], 10);
    },
  },
  {
    name: "late_by_month",
    question: "share of flights more than 15 minutes late, by month",
    sql: "SELECT month(date) AS month, count(*) AS flights, avg(CASE WHEN delay > 15 THEN 1 ELSE 0 END) AS late_share FROM {flights} GROUP BY month ORDER BY month",
    danfo: (_dfd, f) => {
      let g = withColumn(f, "month", f.column("date").dt.month().add(1));
      g = withColumn(g, "late", g.column("delay").gt(15)); // booleans average as 0 and 1 (asType("int32") of booleans gives NaN)
      return orderBy(table(g.groupby(["month"]).agg({ late: ["count", "mean"] }), [["month", "month"], ["late_count", "flights"], ["late_mean", "late_share"]]), [["month", "asc"]]);
    },
  },
  {
    name: "moving_avg_7d",
    question: "daily mean delay and its 7-day moving average (a window over the days)",
    sql: `SELECT day, flights, avg_delay, avg(avg_delay) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS avg_delay_7d
FROM (SELECT CAST(date AS DATE) AS day, count(*) AS flights, avg(delay) AS avg_delay FROM {flights} GROUP BY day) ORDER BY day`,
    danfo: (_dfd, f) => {
      const g = withColumn(f, "day", day(f)).groupby(["day"]).agg({ delay: ["count", "mean"] });
      const t = orderBy(table(g, [["day", "day"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["day", "asc"]]);
      t.columns.push("avg_delay_7d");
      t.rows.forEach((row, i) => {
        const win = t.rows.slice(Math.max(0, i - 6), i + 1).map((r) => r[2] as number);
        row.push(win.reduce((a, b) => a + b, 0) / win.length);
      });
      return t;
    },
  },
  {
    name: "worst_day",
    question: "each airport's worst day: most minutes of delay (row_number over the airport's days)",
    sql: `SELECT origin, day, flights, delay_minutes FROM (
  SELECT origin, day, flights, delay_minutes, row_number() OVER (PARTITION BY origin ORDER BY delay_minutes DESC, day) AS rk
  FROM (SELECT origin, CAST(date AS DATE) AS day, count(*) AS flights, sum(delay) AS delay_minutes FROM {flights} GROUP BY origin, day)
) WHERE rk = 1 ORDER BY origin`,
    danfo: (_dfd, f) => {
      const g = withColumn(f, "day", day(f)).groupby(["origin", "day"]).agg({ delay: ["count", "sum"] });
      const t = orderBy(table(g, [["origin", "origin"], ["day", "day"], ["delay_count", "flights"], ["delay_sum", "delay_minutes"]]), [["origin", "asc"], ["delay_minutes", "desc"], ["day", "asc"]]);
      t.rows = t.rows.filter((row, i) => i === 0 || t.rows[i - 1][0] !== row[0]);
      return t;
    },
  },
  {
    name: "above_airport_avg",
    question: "airports with the most flights over an hour later than the airport's own mean delay (a window over all rows)",
    sql: `SELECT origin, count(*) AS flights FROM (SELECT origin, delay - avg(delay) OVER (PARTITION BY origin) AS excess FROM {flights})
WHERE excess > 60 GROUP BY origin ORDER BY flights DESC, origin LIMIT 10`,
    danfo: (dfd, f) => {
      const means = f.groupby(["origin"]).agg({ delay: "mean" });
      const m = dfd.merge({ left: f, right: means, on: ["origin"], how: "inner" });
      const late = m.loc({ rows: m.column("delay").sub(m.column("delay_mean")).gt(60) });
      return orderBy(table(late.groupby(["origin"]).agg({ delay: "count" }), [["origin", "origin"], ["delay_count", "flights"]]), [["flights", "desc"], ["origin", "asc"]], 10);
    },
  },
  {
    name: "join_airports",
    question: "flights and mean delay by the origin airport's state (a join with airports.csv)",
    sql: "SELECT a.state, count(*) AS flights, avg(f.delay) AS avg_delay FROM {flights} f JOIN airports a ON f.origin = a.iata GROUP BY a.state ORDER BY a.state",
    danfo: (dfd, f, airports) => {
      const right = airports.loc({ columns: ["iata", "state"] }).rename({ iata: "origin" }) as DataFrame;
      const m = dfd.merge({ left: f, right, on: ["origin"], how: "inner" });
      return orderBy(table(m.groupby(["state"]).agg({ delay: ["count", "mean"] }), [["state", "state"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["state", "asc"]]);
    },
  },
  {
    name: "long_haul",
    question: "destinations with the worst mean delay on flights of 2,000 miles or more (at least 100 flights)",
    sql: `SELECT destination, count(*) AS flights, avg(delay) AS avg_delay FROM {flights} WHERE distance >= 2000
GROUP BY destination HAVING count(*) >= 100 ORDER BY avg_delay DESC, destination LIMIT 10`,
    danfo: (_dfd, f) => {
      const g = f.loc({ rows: f.column("distance").ge(2000) }).groupby(["destination"]).agg({ delay: ["count", "mean"] });
      const kept = g.loc({ rows: g.column("delay_count").ge(100) });
      return orderBy(table(kept, [["destination", "destination"], ["delay_count", "flights"], ["delay_mean", "avg_delay"]]), [["avg_delay", "desc"], ["destination", "asc"]], 10);
    },
  },
];

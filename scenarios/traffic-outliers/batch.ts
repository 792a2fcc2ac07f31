/**
 * The same detection as one batch SQL query over the hourly table (DuckDB): the seasonal baseline
 * (median of the same hour of the week in the previous weeks), the residuals' rolling median and
 * MAD (a list of the previous residuals per row), the score, and the alert rule (k outlying hours
 * in a row fire; an incident lasts until `cooldownHours` normal hours in a row) as gaps and islands.
 * It gives the stream's alerts (a test compares them); the benchmark times it against the stream.
 * DuckDB only: list windows and lambdas have no BigQuery twin here.
 */
import { requireDuckDB } from "../../lib/warehouse/dialect";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { alertRule, type AlertRule } from "./alerts";
import { DETECTOR_DEFAULTS, WEEK_HOURS, type DetectorOptions } from "./detectors";
import { TABLES } from "./series";

/** The scores of every hour: airport, hour, value, baseline, score (NULL in the warm-up). */
export function batchScoresSql(options: DetectorOptions = {}, table: string = TABLES.hourly): string {
  const o = { ...DETECTOR_DEFAULTS, ...options };
  return `WITH s AS (
  SELECT airport, hour, departures AS value, CAST(epoch(hour) / 3600 AS BIGINT) AS h FROM ${table}),
b AS (
  SELECT *, CASE WHEN COUNT(value) OVER same_hour = ${o.baselineWeeks} THEN median(value) OVER same_hour END AS baseline
  FROM s
  WINDOW same_hour AS (PARTITION BY airport, h % ${WEEK_HOURS} ORDER BY h RANGE BETWEEN ${o.baselineWeeks * WEEK_HOURS} PRECEDING AND 1 PRECEDING)),
r AS (
  SELECT *, value - baseline AS residual,
    list(value - baseline) OVER (PARTITION BY airport ORDER BY h ROWS BETWEEN ${o.residualHours} PRECEDING AND 1 PRECEDING) AS previous
  FROM b WHERE baseline IS NOT NULL),
m AS (
  SELECT *, list_median(previous) AS center FROM r)
SELECT airport, hour, value, baseline,
  CASE WHEN len(previous) = ${o.residualHours}
    THEN (residual - center) / greatest(1.4826 * list_median(list_transform(previous, lambda x: abs(x - center))), ${o.minScale}) END AS score
FROM m
ORDER BY airport, hour`;
}

/** The alerts: airport, started_at (first outlying hour of the incident), fired_at (the hour it fires). */
export function batchAlertsSql(options: DetectorOptions & AlertRule = {}, table: string = TABLES.hourly): string {
  const r = alertRule(options);
  return `WITH scores AS (${batchScoresSql(options, table)}),
outlying AS (
  SELECT airport, CAST(epoch(hour) / 3600 AS BIGINT) AS h FROM scores WHERE abs(score) >= ${r.threshold}),
runs AS (
  SELECT airport, h, h - ROW_NUMBER() OVER (PARTITION BY airport ORDER BY h) AS run,
    CASE WHEN h - LAG(h) OVER (PARTITION BY airport ORDER BY h) - 1 >= ${r.cooldownHours} THEN 1 ELSE 0 END AS new_cluster
  FROM outlying),
clustered AS (
  SELECT *, SUM(new_cluster) OVER (PARTITION BY airport ORDER BY h ROWS UNBOUNDED PRECEDING) AS cluster FROM runs),
run_spans AS (
  SELECT airport, cluster, run, MIN(h) AS first_h, COUNT(*) AS n FROM clustered GROUP BY airport, cluster, run),
fired AS (
  SELECT airport, cluster, MIN(first_h) AS first_h FROM run_spans WHERE n >= ${r.k} GROUP BY airport, cluster)
SELECT airport, to_timestamp(first_h * 3600) AS started_at, to_timestamp((first_h + ${r.k - 1}) * 3600) AS fired_at
FROM fired ORDER BY fired_at, airport`;
}

/** An alert of the batch query. */
export interface BatchAlert {
  airport: string;
  started_at: Date;
  fired_at: Date;
}

/** Runs `batchAlertsSql` in `wh`, which must be DuckDB (an OPTIONS_INVALID error before any SQL is sent otherwise). */
export async function batchAlerts(wh: Warehouse, options: DetectorOptions & AlertRule = {}, table: string = TABLES.hourly): Promise<BatchAlert[]> {
  requireDuckDB(wh, "The batch alert query (batchAlertsSql)");
  return (await wh.query<BatchAlert>(batchAlertsSql(options, table))).rows;
}

/**
 * The batch recomputation ("oracle"): the same windows computed in one SQL query over the whole
 * input with DuckDB. After the stream ends, the PostgreSQL table and the anomalies topic must equal
 * these results; tests and the notebook compare them.
 *
 * The SQL reads the raw files itself (read_text, one line per row, header dropped) and validates in
 * SQL, independently of the stream's parser. Only combined_data files go through the loader, which
 * converts them to the part-file layout.
 *
 * Late ratings are left out as the stream leaves them out (lateness "record" in pipeline.ts): a
 * rating is late for a query when its last window of that query ends at or before the newest date
 * of the valid ratings before it, less the one-day delay. The stream takes "before it" within the
 * rating's Kafka partition and the oracle in file order: the same with one partition (the default
 * topic), whatever the micro-batches. (With several partitions, and for a rating only a few days
 * behind whose earliest sliding windows have closed but not its last, the two can differ; the
 * samples have neither case: their one late rating is years behind every partition.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openWarehouse } from "../../lib/warehouse";
import { requireDuckDB } from "../../lib/warehouse/dialect";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { RATING_HEADER, isCombinedLayout, ratingFiles, readRatingLines } from "./ratings";
import type { Title } from "./titles";
import type { Anomaly, AnomalyRule, MovieRatingRow } from "./pipeline";
import { ANOMALIES_QUERY, RATINGS_QUERY, TUMBLING_DAYS, WATERMARK_DELAY_MS } from "./pipeline";

export interface OracleResult {
  movieRatings: MovieRatingRow[];
  anomalies: Anomaly[];
  /** Lines read, lines valid (late ones included: valid = counted + late). */
  lines: number;
  valid: number;
  /** Valid ratings left out as late, per query (as the stream's `stats.late`). */
  late: { [RATINGS_QUERY]: number; [ANOMALIES_QUERY]: number };
  durationMs: number;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Part files as they are; combined_data files converted to a part file in a temporary folder. */
async function partFiles(source: string, tmp: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of ratingFiles(source)) {
    const fd = fs.openSync(file, "r");
    const head = Buffer.alloc(64);
    const n = fs.readSync(fd, head, 0, 64, 0);
    fs.closeSync(fd);
    if (!isCombinedLayout(head.subarray(0, n).toString("utf8").split(/\r?\n/)[0])) {
      out.push(file);
      continue;
    }
    const converted = path.join(tmp, `${path.basename(file)}.csv`);
    const lines: string[] = [RATING_HEADER];
    for await (const chunk of readRatingLines(file)) lines.push(...chunk);
    fs.writeFileSync(converted, lines.join("\n") + "\n");
    out.push(converted);
  }
  return out;
}

/** The oracle's work tables: temporary (the connection's own), dropped at the end, so a given warehouse's tables are never touched. */
const WORK_TABLES = ["oracle_titles", "oracle_lines", "oracle_valid"];

/**
 * Computes movie_ratings and the anomalies over `source` in one batch with DuckDB: a fresh in-memory
 * one, or `options.warehouse` (a DuckDB warehouse), where it only makes temporary tables. It is
 * local by design (it reads the raw files on this machine); a BigQuery warehouse is an
 * OPTIONS_INVALID error before any SQL is sent.
 */
export async function batchRecompute(source: string, titles: Map<number, Title>, rule: AnomalyRule = {}, options: { warehouse?: Warehouse } = {}): Promise<OracleResult> {
  if (options.warehouse) requireDuckDB(options.warehouse, "The Netflix batch oracle (batchRecompute: read_text, lists, temporary tables)");
  const began = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "netflix-oracle-"));
  const wh = options.warehouse ?? (await openWarehouse({ memory: true }));
  try {
    const files = await partFiles(source, tmp);
    await wh.query("CREATE OR REPLACE TEMP TABLE oracle_titles (movie_id INTEGER, title VARCHAR)");
    const titleFile = path.join(tmp, "titles.ndjson");
    fs.writeFileSync(titleFile, [...titles.values()].map((t) => JSON.stringify({ movie_id: t.movieId, title: t.title })).join("\n") + "\n");
    await wh.query(`INSERT INTO oracle_titles SELECT movie_id, title FROM read_json(${sqlString(titleFile)}, format = 'newline_delimited', columns = {movie_id: 'INTEGER', title: 'VARCHAR'})`);
    // Each line with its place in the replay: file number, line number.
    const fileList = `[${files.map(sqlString).join(", ")}]`;
    await wh.query(`CREATE OR REPLACE TEMP TABLE oracle_lines AS
      SELECT fi, li, trim(l[li], chr(13) || ' ') AS line
      FROM (SELECT list_position(${fileList}, filename) AS fi, string_split(content, chr(10))[2:] AS l FROM read_text(${fileList})), range(1, len(l) + 1) AS r(li)
      WHERE trim(l[li], chr(13) || ' ') <> ''`);
    const windowDays = rule.windowDays ?? 30;
    const windowSeconds = TUMBLING_DAYS * 86400;
    // s: the rating's day in epoch seconds; mark: the newest day of the valid ratings before it, less the delay.
    await wh.query(`CREATE OR REPLACE TEMP TABLE oracle_valid AS
      WITH v AS (
        SELECT fi, li, CAST(p[1] AS DATE) AS d, CAST(p[2] AS INTEGER) AS movie_id, CAST(p[3] AS BIGINT) AS user_id, CAST(p[4] AS INTEGER) AS rate
        FROM (SELECT fi, li, string_split(line, ',') AS p FROM oracle_lines)
        WHERE len(p) = 4
          AND regexp_full_match(p[1], '\\d{4}-\\d{2}-\\d{2}') AND try_cast(p[1] AS DATE) IS NOT NULL
          AND regexp_full_match(p[2], '-?\\d+') AND regexp_full_match(p[3], '-?\\d+') AND regexp_full_match(p[4], '-?\\d+')
          AND try_cast(p[4] AS INTEGER) BETWEEN 1 AND 5
          AND try_cast(p[2] AS INTEGER) IN (SELECT movie_id FROM oracle_titles)),
      m AS (
        SELECT *, CAST(epoch(CAST(d AS TIMESTAMP)) AS BIGINT) AS s,
               max(CAST(epoch(CAST(d AS TIMESTAMP)) AS BIGINT)) OVER (ORDER BY fi, li ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - ${WATERMARK_DELAY_MS / 1000} AS mark
        FROM v)
      SELECT d, movie_id, user_id, rate,
             coalesce((s // ${windowSeconds}) * ${windowSeconds} + ${windowSeconds} <= mark, false) AS late_ratings,
             coalesce((s // 86400) * 86400 + ${windowDays * 86400} <= mark, false) AS late_anomalies
      FROM m`);
    const counts = await wh.query<{ lines: number; valid: number; late_ratings: number; late_anomalies: number }>(
      "SELECT (SELECT count(*) FROM oracle_lines) AS lines, count(*) AS valid, count(*) FILTER (late_ratings) AS late_ratings, count(*) FILTER (late_anomalies) AS late_anomalies FROM oracle_valid",
    );
    const ratings = await wh.query<{ ws: number; movie_id: number; title: string; rating_count: number; rating_sum: number; distinct_raters: number }>(
      `SELECT CAST(floor(epoch(CAST(d AS TIMESTAMP)) / ${windowSeconds}) * ${windowSeconds} AS BIGINT) AS ws, movie_id, title,
              count(*) AS rating_count, sum(rate) AS rating_sum, count(DISTINCT user_id) AS distinct_raters
       FROM oracle_valid JOIN oracle_titles USING (movie_id) WHERE NOT late_ratings GROUP BY ALL ORDER BY ws, movie_id`,
    );
    const anomalies = await wh.query<{ ws: number; movie_id: number; title: string; rating_count: number; rating_mean: number }>(
      `WITH days AS (SELECT CAST(epoch(CAST(d AS TIMESTAMP)) AS BIGINT) // 86400 AS day, movie_id, rate FROM oracle_valid WHERE NOT late_anomalies),
            w AS (SELECT day - k AS start_day, movie_id, rate FROM days, range(0, @n) AS r(k))
       SELECT start_day * 86400 AS ws, movie_id, title, count(*) AS rating_count, avg(rate) AS rating_mean
       FROM w JOIN oracle_titles USING (movie_id) GROUP BY ALL
       HAVING count(*) >= @l AND avg(rate) >= @o ORDER BY ws, movie_id`,
      { n: windowDays, l: rule.minRatings ?? 70, o: rule.minMean ?? 4 },
    );
    return {
      movieRatings: ratings.rows.map((r) => ({ window_start: new Date(Number(r.ws) * 1000), movie_id: r.movie_id, title: r.title, rating_count: r.rating_count, rating_sum: r.rating_sum, distinct_raters: r.distinct_raters })),
      anomalies: anomalies.rows.map((r) => ({
        window_start: new Date(Number(r.ws) * 1000).toISOString(),
        window_end: new Date((Number(r.ws) + windowDays * 86400) * 1000).toISOString(),
        movie_id: r.movie_id,
        title: r.title,
        rating_count: r.rating_count,
        rating_mean: r.rating_mean,
      })),
      lines: Number(counts.rows[0].lines),
      valid: Number(counts.rows[0].valid),
      late: { [RATINGS_QUERY]: Number(counts.rows[0].late_ratings), [ANOMALIES_QUERY]: Number(counts.rows[0].late_anomalies) },
      durationMs: performance.now() - began,
    };
  } finally {
    if (options.warehouse) for (const table of WORK_TABLES) await wh.query(`DROP TABLE IF EXISTS temp.${table}`).catch(() => undefined);
    else await wh.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** movie_ratings rows as comparable text lines, in key order. */
export function movieRatingLines(rows: MovieRatingRow[]): string[] {
  return rows
    .map((r) => [new Date(r.window_start).toISOString(), r.movie_id, r.title, r.rating_count, r.rating_sum, r.distinct_raters].join("|"))
    .sort();
}

/** Anomalies as comparable text lines (mean to 9 decimals), in key order. */
export function anomalyLines(rows: Anomaly[]): string[] {
  return rows.map((a) => [a.window_start, a.window_end, a.movie_id, a.title, a.rating_count, a.rating_mean.toFixed(9)].join("|")).sort();
}

/**
 * True when the stream's table and anomalies equal the batch recomputation, row for row. `differences`
 * lists every row found on one side only (as often as it is extra: a row written twice counts) and
 * every window that has more than one row on a side, e.g. two anomalies of one movie and window.
 */
export function compareWithOracle(
  stream: { movieRatings: MovieRatingRow[]; anomalies: Anomaly[] },
  oracle: { movieRatings: MovieRatingRow[]; anomalies: Anomaly[] },
): { match: boolean; differences: string[] } {
  const differences: string[] = [
    ...duplicateWindows("movie_ratings", "stream", movieRatingLines(stream.movieRatings)),
    ...duplicateWindows("movie_ratings", "batch", movieRatingLines(oracle.movieRatings)),
    ...duplicateWindows("anomalies", "stream", anomalyLines(stream.anomalies)),
    ...duplicateWindows("anomalies", "batch", anomalyLines(oracle.anomalies)),
    ...rowDifferences("movie_ratings", movieRatingLines(stream.movieRatings), movieRatingLines(oracle.movieRatings)),
    ...rowDifferences("anomalies", anomalyLines(stream.anomalies), anomalyLines(oracle.anomalies)),
  ];
  return { match: differences.length === 0, differences };
}

/** The rows of `stream` missing from `batch` and the other way round, counted as multisets. */
function rowDifferences(name: string, stream: string[], batch: string[]): string[] {
  const balance = new Map<string, number>();
  for (const x of stream) balance.set(x, (balance.get(x) ?? 0) + 1);
  for (const x of batch) balance.set(x, (balance.get(x) ?? 0) - 1);
  const out: string[] = [];
  for (const [x, n] of [...balance].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    for (let i = 0; i < n; i++) out.push(`${name}: only in stream: ${x}`);
    for (let i = 0; i < -n; i++) out.push(`${name}: only in batch: ${x}`);
  }
  return out;
}

/** Windows (start and movie: the first two fields of a line of either kind) with more than one row on one side. */
function duplicateWindows(name: string, side: string, lines: string[]): string[] {
  const rows = new Map<string, number>();
  for (const line of lines) {
    const parts = line.split("|");
    const key = name === "anomalies" ? `${parts[0]}|${parts[2]}` : `${parts[0]}|${parts[1]}`;
    rows.set(key, (rows.get(key) ?? 0) + 1);
  }
  return [...rows].filter(([, n]) => n > 1).map(([key, n]) => `${name}: ${n} rows for window|movie ${key} in ${side}`);
}

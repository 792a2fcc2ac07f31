/**
 * The two consumers of the scenario: a database poller that shows the latest windows, and an
 * anomaly reader that keeps the latest message per key (so a batch replayed after a crash does
 * not show an anomaly twice); and the reconciliation of what was read with where it went.
 */
import type { Kafka } from "kafkajs";
import { readLatest } from "../../lib/kafka/read-topic";
import type { SqlDatabase } from "../../lib/sql/sql";
import type { DeadLetter } from "../../lib/stream/dead-letters";
import { RATINGS_QUERY, anomalyKey, type Anomaly, type MovieRatingRow } from "./pipeline";

/** Where every rating read went: counted in a window of the table, late, or rejected. */
export interface Reconciliation {
  read: number;
  /** The sum of rating_count over the table: each counted rating is in exactly one 30-day window. */
  counted: number;
  /** Dead letters late for movie_ratings. */
  late: number;
  /** Dead letters rejected by the parser. */
  rejected: number;
  /** read = counted + late + rejected */
  balanced: boolean;
}

/**
 * Checks that nothing disappeared: the ratings read equal those counted in the table plus the late
 * and the rejected dead letters, each figure from its own place.
 */
export async function reconcileCounts(sql: SqlDatabase, table: string, read: number, dead: readonly Pick<DeadLetter, "kind" | "reason">[]): Promise<Reconciliation> {
  const { rows } = await sql.query<{ counted: number | string | null }>(`SELECT sum(rating_count) AS counted FROM ${table}`);
  const counted = Number(rows[0]?.counted ?? 0);
  const late = dead.filter((d) => d.kind === "late" && d.reason.startsWith(`late for ${RATINGS_QUERY}:`)).length;
  const rejected = dead.filter((d) => d.kind === "rejected").length;
  return { read, counted, late, rejected, balanced: read === counted + late + rejected };
}

/** The latest windows in movie_ratings: newest window first, then the most rated. */
export async function latestWindows(sql: SqlDatabase, options: { limit?: number; table?: string } = {}): Promise<MovieRatingRow[]> {
  const { rows } = await sql.query<MovieRatingRow>(
    `SELECT window_start, movie_id, title, rating_count, rating_sum, distinct_raters FROM ${options.table ?? "movie_ratings"}
     ORDER BY window_start DESC, rating_count DESC, movie_id LIMIT $1`,
    [options.limit ?? 10],
  );
  return rows;
}

/** Every row of movie_ratings, in key order. */
export async function allWindows(sql: SqlDatabase, table = "movie_ratings"): Promise<MovieRatingRow[]> {
  const { rows } = await sql.query<MovieRatingRow>(`SELECT window_start, movie_id, title, rating_count, rating_sum, distinct_raters FROM ${table} ORDER BY window_start, movie_id`);
  return rows;
}

/** Polls the table every `intervalMs` and hands the latest windows to `onRows`, until stopped. */
export function pollLatestWindows(sql: SqlDatabase, onRows: (rows: MovieRatingRow[]) => void, options: { intervalMs?: number; limit?: number; table?: string } = {}): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const loop = async () => {
    while (!stopped) {
      onRows(await latestWindows(sql, options));
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
    }
  };
  running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** Reads the anomalies topic from the beginning up to its current end; latest message per key. */
export async function readAnomalies(kafka: Kafka, topic = "netflix-anomalies", options: { timeoutMs?: number } = {}): Promise<Anomaly[]> {
  const latest = await readLatest<Anomaly>(kafka, topic, anomalyKey, options);
  return latest.sort((a, b) => (a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : a.movie_id - b.movie_id));
}

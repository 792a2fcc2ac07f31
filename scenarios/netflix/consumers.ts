/**
 * The two consumers of the scenario: a database poller that shows the latest windows, and an
 * anomaly reader that keeps the latest message per key (so a batch replayed after a crash does
 * not show an anomaly twice).
 */
import type { Kafka } from "kafkajs";
import { readTopic } from "../../lib/kafka/read-topic";
import type { SqlDatabase } from "../../lib/sql/sql";
import { anomalyKey, type Anomaly, type MovieRatingRow } from "./pipeline";

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
  const latest = new Map<string, Anomaly>();
  await readTopic(kafka, topic, (message) => {
    if (!message.value) return;
    const a = JSON.parse(message.value.toString()) as Anomaly;
    latest.set(anomalyKey(a), a);
  }, options);
  return [...latest.values()].sort((a, b) => (a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : a.movie_id - b.movie_id));
}

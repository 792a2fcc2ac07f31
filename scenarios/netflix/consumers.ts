/**
 * The two consumers of the scenario: a database poller that shows the latest windows, and an
 * anomaly reader that keeps the latest message per key (so a batch replayed after a crash does
 * not show an anomaly twice).
 */
import { randomUUID } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";
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

/** Reads a topic from the beginning up to its end as of the call, message by message. */
export async function readTopic(kafka: Kafka, topic: string, onMessage: (message: KafkaMessage) => void, options: { timeoutMs?: number } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string }>;
  try {
    if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set(ends.filter((e) => BigInt(e.high) > 0n).map((e) => e.partition));
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out after ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const high = ends.find((e) => e.partition === partition)?.high ?? "0";
            if (BigInt(message.offset) >= BigInt(high)) return;
            onMessage(message);
            if (BigInt(message.offset) + 1n >= BigInt(high)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
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

/** A dead-letter message: the original line and why it was not aggregated. */
export type DeadLetter = {
  line: string;
  kind: string;
  reason: string;
  offset: string;
};

/** Reads the dead-letter topic from the beginning up to its current end. */
export async function readDeadLetters(kafka: Kafka, topic = "netflix-ratings.dead-letter", options: { timeoutMs?: number } = {}): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  const text = (v: unknown) => (v === undefined ? "" : String(v));
  await readTopic(kafka, topic, (message) => {
    const h = message.headers ?? {};
    out.push({ line: message.value?.toString() ?? "", kind: text(h.kind), reason: text(h.reason), offset: text(h["source-offset"]) });
  }, options);
  return out;
}

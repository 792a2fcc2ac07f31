/**
 * The Netflix processing: two queries over one stream of ratings.
 *
 * - movie_ratings: 30-day tumbling windows per movie with rating_count, rating_sum and
 *   distinct_raters, joined with the titles, upserted into PostgreSQL. Mode "A" = update mode
 *   (a window's row is written, and rewritten, as soon as a batch changes it: lowest latency).
 *   Mode "C" = append mode (a window's row is written once, when the watermark, one day behind
 *   the latest rating, has passed its end: final results only).
 * - anomalies: sliding windows of N days advancing one day, per movie; a window with
 *   count >= L and mean >= O is published as JSON to the anomalies topic once it is final.
 *
 * Records that fail validation (bad date, non-integer or out-of-range rating, unknown movie,
 * wrong column count) go to the dead-letter topic with the reason, and so do late ratings: those
 * whose windows had all ended at or before the watermark of their partition as of the rating before
 * them (the engine's lateness "record"), so the batch recomputation finds the same late ratings
 * whatever the micro-batches were.
 */
import type { Kafka, Producer } from "kafkajs";
import { DAY_MS, count, distinctCount, mapSink, mean, sliding, startProcessor, sum, tumbling, kafkaSink, postgresSink } from "../../lib/stream";
import type { BatchReport, EngineOptions, Sink, StreamProcessor, WindowRow } from "../../lib/stream";
import type { SqlDatabase } from "../../lib/sql/sql";
import { dayMs, parseRating, type Rating } from "./ratings";
import type { Title } from "./titles";
import { WorkbookError } from "../../lib/errors";

export type NetflixMode = "A" | "C";

export interface AnomalyRule {
  /** Window length in days. Default 30. */
  windowDays?: number;
  /** Smallest rating count. Default 70. */
  minRatings?: number;
  /** Smallest mean rating. Default 4. */
  minMean?: number;
}

/** A row of movie_ratings. */
export interface MovieRatingRow extends Record<string, unknown> {
  window_start: Date;
  movie_id: number;
  title: string;
  rating_count: number;
  rating_sum: number;
  distinct_raters: number;
}

/** A message of the anomalies topic. */
export type Anomaly = {
  window_start: string;
  window_end: string;
  movie_id: number;
  title: string;
  rating_count: number;
  rating_mean: number;
};

export const RATINGS_QUERY = "movie_ratings";
export const ANOMALIES_QUERY = "anomalies";
export const TUMBLING_DAYS = 30;
/** How far the watermark trails the newest rating: one day. */
export const WATERMARK_DELAY_MS = DAY_MS;

/** The engine options of the Netflix processing: parser, event time, the two queries. */
export function netflixEngineOptions(options: { titles: Map<number, Title>; mode: NetflixMode; rule?: AnomalyRule; watermarkDelayMs?: number }): EngineOptions<Rating> {
  const { titles, mode } = options;
  if (mode !== "A" && mode !== "C") throw new WorkbookError("OPTIONS_INVALID", `mode ${JSON.stringify(mode)} is not "A" (updates) or "C" (final results); pick one.`);
  const windowDays = options.rule?.windowDays ?? 30;
  if (!Number.isInteger(windowDays) || windowDays < 1) throw new WorkbookError("OPTIONS_INVALID", `windowDays=${windowDays} must be a whole number of days, 1 or more.`);
  return {
    parse: (text) => parseRating(text, titles),
    eventTime: (r) => dayMs(r.date),
    watermarkDelayMs: options.watermarkDelayMs ?? WATERMARK_DELAY_MS,
    lateness: "record",
    queries: [
      {
        name: RATINGS_QUERY,
        window: tumbling(TUMBLING_DAYS * DAY_MS),
        key: (r) => r.movieId,
        aggregates: { rating_count: count(), rating_sum: sum("rate"), distinct_raters: distinctCount("userId") },
        mode: mode === "A" ? "update" : "append",
      },
      {
        name: ANOMALIES_QUERY,
        window: sliding(windowDays * DAY_MS, DAY_MS),
        key: (r) => r.movieId,
        aggregates: { rating_count: count(), rating_mean: mean("rate") },
        mode: "append",
      },
    ],
  };
}

/** Turns windows of the movie_ratings query into table rows (the join with the titles). */
export function toMovieRatingRows(rows: WindowRow[], titles: Map<number, Title>): MovieRatingRow[] {
  return rows.map((r) => ({
    window_start: new Date(r.windowStart),
    movie_id: r.key as number,
    title: titles.get(r.key as number)?.title ?? "",
    rating_count: r.rating_count as number,
    rating_sum: r.rating_sum as number,
    distinct_raters: r.distinct_raters as number,
  }));
}

/** Keeps the anomaly windows (count >= minRatings and mean >= minMean) as messages. */
export function toAnomalies(rows: WindowRow[], titles: Map<number, Title>, rule: AnomalyRule = {}): Anomaly[] {
  const minRatings = rule.minRatings ?? 70;
  const minMean = rule.minMean ?? 4;
  return rows
    .filter((r) => (r.rating_count as number) >= minRatings && (r.rating_mean as number) >= minMean)
    .map((r) => ({
      window_start: new Date(r.windowStart).toISOString(),
      window_end: new Date(r.windowEnd).toISOString(),
      movie_id: r.key as number,
      title: titles.get(r.key as number)?.title ?? "",
      rating_count: r.rating_count as number,
      rating_mean: r.rating_mean as number,
    }));
}

/** The key of an anomaly message: movie and window start. */
export function anomalyKey(a: Pick<Anomaly, "movie_id" | "window_start">): string {
  return `${a.movie_id}|${a.window_start}`;
}

/** Creates the movie_ratings table if it does not exist. */
export async function createMovieRatingsTable(sql: SqlDatabase, table = "movie_ratings"): Promise<void> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    window_start timestamp NOT NULL,
    movie_id integer NOT NULL,
    title text NOT NULL,
    rating_count integer NOT NULL,
    rating_sum integer NOT NULL,
    distinct_raters integer NOT NULL,
    PRIMARY KEY (window_start, movie_id)
  )`);
}

export interface NetflixProcessorOptions extends AnomalyRule {
  kafka: Kafka;
  sql: SqlDatabase;
  titles: Map<number, Title>;
  mode: NetflixMode;
  /** Folder for the checkpoint; reuse it to resume. */
  checkpointDir: string;
  /** Default "netflix-ratings". */
  topic?: string;
  /** Default "netflix-anomalies". */
  anomaliesTopic?: string;
  /** Default `<topic>.dead-letter`. */
  deadLetterTopic?: string;
  /** Default "movie_ratings". */
  table?: string;
  /** Trigger interval in ms. Default 1000. */
  triggerMs?: number;
  /** Largest batch in records. Default 200000. */
  maxBatchRecords?: number;
  /** Extra sinks (e.g. memory sinks in tests), per query. */
  extraSinks?: { [RATINGS_QUERY]?: Sink[]; [ANOMALIES_QUERY]?: Sink[] };
  onBatch?: (report: BatchReport) => void;
  /**
   * Group mode: instances started with the same id share the rating partitions through one
   * consumer group; ratings are re-keyed by movie through `<applicationId>-repartition` and each
   * task's windows live in `<applicationId>-changelog`. Default: none (one process).
   */
  applicationId?: string;
  /** Group mode: how long a silent instance keeps its partitions. Default 30000. */
  sessionTimeoutMs?: number;
  /** Group mode: called after each rebalance with the tasks this instance owns. */
  onAssign?: (assignment: { tasks: number[]; inputPartitions: number[] }) => void;
}

export interface NetflixProcessor {
  processor: StreamProcessor<Rating>;
  /** Stops the processor and its anomaly producer (the database stays open). */
  close(): Promise<void>;
}

/** Creates the table and starts the processor: PostgreSQL for windows, Kafka for anomalies. */
export async function startNetflixProcessor(options: NetflixProcessorOptions): Promise<NetflixProcessor> {
  const table = options.table ?? "movie_ratings";
  const rule = { windowDays: options.windowDays, minRatings: options.minRatings, minMean: options.minMean };
  await createMovieRatingsTable(options.sql, table);
  const producer: Producer = options.kafka.producer();
  await producer.connect();
  try {
    const processor = await startProcessor<Rating>({
      ...netflixEngineOptions({ titles: options.titles, mode: options.mode, rule }),
      kafka: options.kafka,
      topic: options.topic ?? "netflix-ratings",
      deadLetterTopic: options.deadLetterTopic,
      checkpointDir: options.checkpointDir,
      triggerMs: options.triggerMs,
      maxBatchRecords: options.maxBatchRecords,
      onBatch: options.onBatch,
      ...(options.applicationId !== undefined
        ? { applicationId: options.applicationId, repartitionBy: (r: Rating) => r.movieId, sessionTimeoutMs: options.sessionTimeoutMs, onAssign: options.onAssign }
        : {}),
      sinks: {
        [RATINGS_QUERY]: [
          mapSink(postgresSink<MovieRatingRow>({ sql: options.sql, table, key: ["window_start", "movie_id"] }), (rows) => toMovieRatingRows(rows, options.titles)),
          ...(options.extraSinks?.[RATINGS_QUERY] ?? []),
        ],
        [ANOMALIES_QUERY]: [
          mapSink(kafkaSink<Anomaly>({ producer, topic: options.anomaliesTopic ?? "netflix-anomalies", key: anomalyKey }), (rows) => toAnomalies(rows, options.titles, rule)),
          ...(options.extraSinks?.[ANOMALIES_QUERY] ?? []),
        ],
      },
    });
    return {
      processor,
      async close() {
        await processor.close();
        await producer.disconnect();
      },
    };
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
}

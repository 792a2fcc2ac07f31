/**
 * The Netflix scenario for the notebook: one call starts the replay producer and the processor on
 * the configured Kafka (embedded broker, or KAFKA_BROKERS) and PostgreSQL (PGlite, or
 * DATABASE_URL); helpers show the table refreshing in place and chart the top movies.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { config } from "../../lib/config";
import { kafka as configuredKafka, kafkaBrokers } from "../../lib/kafka";
import { WorkbookError } from "../../lib/errors";
import { openSql } from "../../lib/sql";
import type { SqlDatabase } from "../../lib/sql/sql";
import { publish } from "../../lib/display/output";
import { tableBundle } from "../../lib/display/table";
import { lineChart, type VegaLiteSpec } from "../../lib/display/chart";
import type { ProcessorStats } from "../../lib/stream";
import { readDeadLetters, type DeadLetter } from "../../lib/stream/dead-letters";
import { latestWindows, pollLatestWindows, readAnomalies } from "./consumers";
import { createMovieRatingsTable, startNetflixProcessor, type Anomaly, type MovieRatingRow, type NetflixMode, type NetflixProcessor } from "./pipeline";
import { startNetflixInstances, type NetflixInstances } from "./instances";
import { replayRatings, type ReplayResult } from "./producer";
import { readTitles, type Title } from "./titles";
import { projectRoot } from "../../lib/paths";

/** The committed sample: rating part files and movie_titles.csv. */
export const NETFLIX_SAMPLE = {
  ratings: path.join(projectRoot, "data", "netflix", "ratings"),
  titles: path.join(projectRoot, "data", "netflix", "movie_titles.csv"),
  combined: path.join(projectRoot, "data", "netflix", "combined_data_1.txt"),
};

export interface NetflixRunOptions {
  /** Rating file or folder. Default: the sample. */
  ratings?: string;
  /** movie_titles.csv. Default: the sample. */
  titles?: string;
  /** "A" (updates) or "C" (final results). Default "A". */
  mode?: NetflixMode;
  /** Anomaly rule. Defaults 30, 70, 4. */
  windowDays?: number;
  minRatings?: number;
  minMean?: number;
  /** Days of ratings per second; 0 = as fast as possible. Default 0. */
  speed?: number;
  /** Trigger interval in ms. Default 1000. */
  triggerMs?: number;
  /** Table name. Default "movie_ratings"; it is emptied at the start of a run. */
  table?: string;
  /**
   * Processor instances. 1 (default): one processor in this process. 2 or more: child processes
   * in one consumer group that split the partitions (group mode); they need a PostgreSQL server
   * they can all reach (DATABASE_URL).
   */
  instances?: number;
}

export interface NetflixRun {
  kafka: Kafka;
  sql: SqlDatabase;
  titles: Map<number, Title>;
  table: string;
  topic: string;
  anomaliesTopic: string;
  deadLetterTopic: string;
  /** The processor, when it runs in this process (instances = 1). */
  netflix?: NetflixProcessor;
  /** The child processes, when instances > 1. */
  instances?: NetflixInstances;
  /** Resolves when the producer has sent every line. */
  replay: Promise<ReplayResult>;
  /** Waits for the producer, then processes everything and closes the windows (end of input). */
  finish(): Promise<ProcessorStats>;
  anomalies(): Promise<Anomaly[]>;
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Stops everything the run started: the producer (mid-replay if need be), the processor with its
   * clients, and the database; a pending `finish()` then fails with STREAM_CLOSED. Safe to call twice.
   */
  close(): Promise<void>;
  /** The same as close(), so `startOnce("Netflix stream", ...)` can stop a run (lib/notebook/session). */
  stop(): Promise<void>;
}

/** Starts a run: fresh topics (named after a run id), an emptied table, producer and processor. */
export async function startNetflixRun(options: NetflixRunOptions = {}): Promise<NetflixRun> {
  const id = randomUUID().slice(0, 8);
  const table = options.table ?? "movie_ratings";
  const topic = `netflix-ratings-${id}`;
  const anomaliesTopic = `netflix-anomalies-${id}`;
  const count = options.instances ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new WorkbookError("OPTIONS_INVALID", `instances=${count} must be a whole number, 1 or more.`);
  const cfg = config();
  if (count > 1 && !(cfg.sql.kind === "postgres" && cfg.sql.url)) {
    throw new WorkbookError("OPTIONS_INVALID", `instances=${count} runs the processor in ${count} processes, which need a PostgreSQL server they can all reach: set DATABASE_URL (PGlite lives inside one process), or use instances = 1.`);
  }
  const kafka = await configuredKafka({ clientId: "netflix" });
  const sql = await openSql();
  const titlesPath = options.titles ?? NETFLIX_SAMPLE.titles;
  const titles = readTitles(titlesPath);
  await sql.exec(`DROP TABLE IF EXISTS ${table}`);
  const checkpointDir = path.join(config().home, "netflix", `checkpoint-${id}`);
  if (count > 1) {
    // Partitions are the unit of parallelism: the ratings topic gets at least one per instance.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: Math.max(4, count) }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await createMovieRatingsTable(sql, table);
    const group = await startNetflixInstances(count, {
      applicationId: `netflix-${id}`,
      topic,
      anomaliesTopic,
      table,
      titles: titlesPath,
      mode: options.mode ?? "A",
      windowDays: options.windowDays,
      minRatings: options.minRatings,
      minMean: options.minMean,
      checkpointDir,
      // The embedded broker of this process; an external cluster comes from KAFKA_* in the environment.
      brokers: cfg.kafka.mode === "external" ? undefined : await kafkaBrokers(),
      databaseUrl: cfg.sql.url,
    });
    return netflixRun({ kafka, sql, titles, table, topic, anomaliesTopic }, options, { instances: group }, () => group.finish());
  }
  const netflix = await startNetflixProcessor({
    kafka,
    sql,
    titles,
    mode: options.mode ?? "A",
    windowDays: options.windowDays,
    minRatings: options.minRatings,
    minMean: options.minMean,
    table,
    topic,
    anomaliesTopic,
    checkpointDir,
    triggerMs: options.triggerMs ?? 1000,
  });
  return netflixRun({ kafka, sql, titles, table, topic, anomaliesTopic }, options, { netflix }, async () => {
    await netflix.processor.finish();
    return netflix.processor.stats();
  });
}

/**
 * The run object of either kind of run (one processor here, or instances in child processes): the
 * replay, finish() (the replay, then `finishProcessing`, unless the run is stopped first), the
 * readers of the anomalies and dead letters, and close().
 */
function netflixRun(
  base: Pick<NetflixRun, "kafka" | "sql" | "titles" | "table" | "topic" | "anomaliesTopic">,
  options: NetflixRunOptions,
  processing: { netflix: NetflixProcessor } | { instances: NetflixInstances },
  finishProcessing: () => Promise<ProcessorStats>,
): NetflixRun {
  const { kafka, sql, topic, anomaliesTopic } = base;
  const deadLetterTopic = `${topic}.dead-letter`;
  const { replay, close, stopped } = stoppableReplay(kafka, options, topic, ["netflix" in processing ? processing.netflix : processing.instances, sql]);
  return {
    ...base,
    ...processing,
    deadLetterTopic,
    replay,
    finish() {
      const run = async () => {
        await replay;
        return finishProcessing();
      };
      return Promise.race([run(), stopped]);
    },
    anomalies: () => readAnomalies(kafka, anomaliesTopic),
    deadLetters: () => readDeadLetters(kafka, deadLetterTopic),
    close,
    stop: close,
  };
}

/**
 * The ratings replayed into `topic`, and the one way to stop a run: stop the replay, wait for it,
 * then close `parts` in order (processor or instances, then the database). `stopped` rejects with
 * STREAM_CLOSED once the run is stopped, so a pending finish() ends too. Closing twice is safe.
 */
function stoppableReplay(kafka: Kafka, options: NetflixRunOptions, topic: string, parts: { close(): Promise<void> }[]) {
  const abort = new AbortController();
  const replay = replayRatings({ kafka, source: options.ratings ?? NETFLIX_SAMPLE.ratings, topic, speed: options.speed ?? 0, signal: abort.signal });
  replay.catch(() => undefined);
  const stopped = new Promise<never>((_, reject) =>
    abort.signal.addEventListener("abort", () => reject(new WorkbookError("STREAM_CLOSED", `The Netflix run on ${topic} was stopped before the end of its input; start a new run to see results.`)), { once: true }),
  );
  stopped.catch(() => undefined);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      abort.abort();
      await replay.catch(() => undefined);
      for (const part of parts) await part.close();
    })());
  return { replay, close, stopped };
}

/**
 * Shows the latest windows as a table that refreshes in place every `intervalMs` until `until`
 * resolves; returns the last rows shown and how many times the table changed while it ran.
 */
export async function showLatestWindows(sql: SqlDatabase, until: Promise<unknown>, options: { intervalMs?: number; limit?: number; table?: string } = {}): Promise<{ rows: MovieRatingRow[]; changes: number }> {
  const displayId = `netflix-latest-${randomUUID()}`;
  let first = true;
  let last = "";
  let changes = 0;
  const render = (rows: MovieRatingRow[]) => {
    const text = JSON.stringify(rows);
    if (text !== last && rows.length > 0) changes++;
    last = text;
    publish(tableBundle(rows, { title: `Latest windows (refreshed ${new Date().toISOString().slice(11, 19)} UTC)` }), { displayId, update: !first });
    first = false;
  };
  const poller = pollLatestWindows(sql, render, { intervalMs: options.intervalMs ?? 500, limit: options.limit ?? 10, table: options.table });
  try {
    await until;
  } finally {
    await poller.stop();
  }
  const rows = await latestWindows(sql, options);
  render(rows);
  return { rows, changes };
}

/** A line chart of rating_count per window for the `top` most rated movies. */
export async function topMoviesChart(sql: SqlDatabase, options: { top?: number; table?: string } = {}): Promise<VegaLiteSpec> {
  const table = options.table ?? "movie_ratings";
  const { rows } = await sql.query<Record<string, unknown>>(
    `WITH top AS (SELECT movie_id FROM ${table} GROUP BY movie_id ORDER BY sum(rating_count) DESC, movie_id LIMIT $1)
     SELECT window_start, title, rating_count FROM ${table} WHERE movie_id IN (SELECT movie_id FROM top) ORDER BY window_start, title`,
    [options.top ?? 5],
  );
  const spec = lineChart(rows, { x: "window_start", y: "rating_count", color: "title", title: `Ratings per 30-day window, top ${options.top ?? 5} movies`, width: 600 });
  const encoding = spec.encoding as Record<string, Record<string, unknown>>;
  encoding.x = { ...encoding.x, title: "window_start", scale: { type: "utc" }, axis: { format: "%Y-%m-%d", labelAngle: -30 } }; // dates as in the tables, in UTC
  return spec;
}

/**
 * The notebook's calls: one `startLambdaRun` makes the tweets, starts the producer (tweets to a
 * fresh topic, paced in event time) and the speed layer; `runBatch` runs the batch DAG; `merged`,
 * `topUrls` and `checkMerge` serve and verify; `deployFix` and `kappaReplay` are the two ways to
 * repair a bug. Every resource can be passed in (tests do) or is the configured one.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { config } from "../../lib/config";
import { clearTasks, dataIntervalFor, openDagStore, runDag, type DagRun } from "../../lib/dag";
import { liveDag } from "../../lib/dag/display";
import type { DagStore } from "../../lib/dag/store";
import type { Dag } from "../../lib/dag/dag";
import type { VegaLiteSpec } from "../../lib/display/chart";
import { showProgress } from "../../lib/display/progress";
import { WorkbookError } from "../../lib/errors";
import { kafka as configuredKafka, readTopic } from "../../lib/kafka";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { postgresTarget, runChecks, type QualityResult } from "../../lib/quality";
import { openSql, plainName } from "../../lib/sql";
import type { SqlDatabase } from "../../lib/sql/sql";
import { readDeadLetters, type DeadLetter } from "../../lib/stream/dead-letters";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { checkBlockSize, DEFAULT_BLOCK_SIZE, type Coverage } from "./batch";
import { lambdaDag, LAMBDA_TASKS } from "./dags";
import { generateTweets, LAMBDA_SAMPLE, type GeneratedTweets } from "./generate";
import { readRedirects, type RedirectTable } from "./normalize";
import { mergedView, rankUrls, type MergedView, type TimeRange, type TopUrlsOptions } from "./serving";
import { speedChecks } from "./quality";
import { startSpeedLayer, type SpeedLayer } from "./speed";
import { countUrlHourly, HOUR_MS, hourOf, type RawTweet, type UrlCounts, type UrlHourlyRow } from "./tweets";

export interface LambdaRunOptions {
  /** The tweets to send: your own files (`readTweetFiles(tweetsPath)`). Default: generated from tweetsPerHour, hours and seed. */
  tweets?: GeneratedTweets;
  /** Tweets in each hour. Default 120. */
  tweetsPerHour?: number;
  /** Hours of tweets. Default 6. */
  hours?: number;
  /** Hours of tweets sent per second of wall time; 0 = as fast as possible. Default 1. */
  speed?: number;
  /**
   * Hold the producer before the first tweet of this hour (counted from the first hour: 3 = 03:00 on
   * a run starting at 00:00) until `streamUntil` moves the hold on. Default: no hold.
   */
  holdAt?: number;
  /** The normalisation bug (keep tracking parameters) in both layers. Default false. */
  keepTracking?: boolean;
  /** Offsets per block of the speed layer (the batch layer covers whole blocks). Default 50. */
  blockSize?: number;
  /** Default 7. */
  seed?: number;
  /** Default: the sample's redirect table. */
  redirects?: RedirectTable;
  /** Resources (default: the configured ones, closed by close()). */
  kafka?: Kafka;
  sql?: SqlDatabase;
  warehouse?: Warehouse;
  lake?: Lake;
  /** Where the batch DAG's runs are recorded. Default: a store on `sql` (closed by close()). */
  store?: DagStore;
  /** Folder for the speed layers' checkpoints. Default `<work folder>/lambda-urls`. */
  stateDir?: string;
  /** Draw the DAG live while a batch runs. Default true. */
  live?: boolean;
  /** Speed layer trigger in ms. Default 300. */
  triggerMs?: number;
  /**
   * Prefix of the PostgreSQL tables, dropped and recreated at the start: `<prefix>_speed`,
   * `<prefix>_speed_fixed` (after deployFix) and `<prefix>_kappa`. Default "url_hourly".
   */
  tablePrefix?: string;
}

export interface BatchResult {
  run: DagRun;
  coverage: Coverage;
  /** The batch tables' quality checks of this run (the DAG's quality_checks task). */
  quality: QualityResult[];
  /** Speed rows dropped because the batch view covers them now. */
  dropped: number;
}

export interface MergeCheck {
  equal: boolean;
  /** Per partition: the offsets the comparison covers. */
  through: Record<number, number>;
  merged: number;
  recomputed: number;
  /** Rows that differ (at most 10), for a failing check. */
  differences: { hour: string; url: string; merged: number; recomputed: number }[];
}

export interface LambdaRun {
  id: string;
  topic: string;
  kafka: Kafka;
  sql: SqlDatabase;
  warehouse: Warehouse;
  lake: Lake;
  dag: Dag;
  store: DagStore;
  data: GeneratedTweets;
  redirects: RedirectTable;
  blockSize: number;
  /** The speed layer serving now. */
  speed: SpeedLayer;
  /** Messages sent so far. */
  sent(): number;
  /** Resolves when every tweet is sent. */
  produced: Promise<number>;
  /** Waits until the tweets of the first `hours` hours are sent. */
  waitForHours(hours: number): Promise<void>;
  /**
   * Lets the stream run up to the first tweet of hour `hours` (from the first hour) and holds it
   * there; resolves when those tweets are sent and the speed layer has counted them. No `hours`:
   * to the end (as drain()). A hold never moves back.
   */
  streamUntil(hours?: number): Promise<void>;
  /** Tweets the producer sends before it holds at `hours` (the first tweet stamped at or after that hour). */
  sentBefore(hours: number): number;
  /** Archives new messages and recomputes the batch view (the DAG), then drops the speed rows it covers. */
  runBatch(options?: { keepTracking?: boolean }): Promise<BatchResult>;
  /** Waits for the producer and for the speed layer to process everything sent. */
  drain(): Promise<void>;
  merged(range?: TimeRange): Promise<MergedView>;
  topUrls(options?: TopUrlsOptions): Promise<{ url: string; count: number }[]>;
  /** A full recomputation over the raw messages of the topic below `through` (default: all). */
  recompute(through?: Record<number, number>, options?: { keepTracking?: boolean }): Promise<UrlCounts>;
  /** Compares the merged view now with a full recomputation over the raw messages it covers. */
  checkMerge(options?: { keepTracking?: boolean }): Promise<MergeCheck>;
  /** Starts a fixed speed layer from the batch view's coverage into a new table, waits for it to catch up, then serves from it. */
  deployFix(): Promise<SpeedLayer>;
  /** The Kappa way: replays the topic from the start with the fixed code into `<prefix>_kappa`; returns its rows. */
  kappaReplay(): Promise<UrlHourlyRow[]>;
  deadLetters(): Promise<DeadLetter[]>;
  /** Runs the speed view's quality checks (./quality.ts) on PostgreSQL for the hour of the newest tweet sent, recorded there. */
  checkSpeedView(): Promise<QualityResult[]>;
  /** Waits for the producer to send everything, then stops the speed layers and closes what the run opened. */
  close(): Promise<void>;
  /**
   * Stops the producer at its next chunk (a pending wait fails with STREAM_CLOSED), then closes as
   * close() does; for `startOnce` (a re-run of the start cell stops the previous run). Safe to call twice.
   */
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rows of two views that differ (empty when equal). */
export function diffViews(a: readonly UrlHourlyRow[], b: readonly UrlHourlyRow[]): { hour: string; url: string; merged: number; recomputed: number }[] {
  const m = new Map<string, { hour: string; url: string; merged: number; recomputed: number }>();
  for (const r of a) m.set(`${r.hour}\t${r.url}`, { hour: r.hour, url: r.url, merged: r.count, recomputed: 0 });
  for (const r of b) {
    const k = `${r.hour}\t${r.url}`;
    const row = m.get(k) ?? { hour: r.hour, url: r.url, merged: 0, recomputed: 0 };
    row.recomputed = r.count;
    m.set(k, row);
  }
  return [...m.values()].filter((r) => r.merged !== r.recomputed);
}

/** Starts a run: a fresh topic and speed table, the producer and the speed layer. */
export async function startLambdaRun(options: LambdaRunOptions = {}): Promise<LambdaRun> {
  const id = randomUUID().slice(0, 8);
  const topic = `tweets-${id}`;
  const blockSize = checkBlockSize(options.blockSize ?? DEFAULT_BLOCK_SIZE);
  const speedPerSecond = options.speed ?? 1;
  if (!(speedPerSecond >= 0)) throw new WorkbookError("OPTIONS_INVALID", `speed=${speedPerSecond} must be 0 (as fast as possible) or a positive number of hours of tweets per second.`);
  const keepTracking = options.keepTracking ?? false;
  const redirects = options.redirects ?? readRedirects(LAMBDA_SAMPLE.redirects);
  const data = options.tweets ?? generateTweets({ seed: options.seed, tweetsPerHour: options.tweetsPerHour, hours: options.hours, redirects });
  const owned: (() => Promise<void>)[] = [];
  const kafka = options.kafka ?? (await configuredKafka({ clientId: "lambda-urls" }));
  const sql = options.sql ?? (await openSql());
  if (!options.sql) owned.push(() => sql.close());
  const warehouse = options.warehouse ?? (await openWarehouse());
  if (!options.warehouse) owned.push(() => warehouse.close());
  const lake = options.lake ?? (await openLake());
  if (!options.lake) owned.push(() => lake.close());
  const stateDir = options.stateDir ?? path.join(config().home, "lambda-urls");
  fs.mkdirSync(stateDir, { recursive: true });
  const store = options.store ?? (await openDagStore({ db: sql }));
  const dag = lambdaDag({ warehouse: async () => warehouse, lake: async () => lake, kafka: async () => kafka });
  const prefix = plainName(options.tablePrefix ?? "url_hourly", "tablePrefix");
  const tables = { speed: `${prefix}_speed`, fixed: `${prefix}_speed_fixed`, kappa: `${prefix}_kappa` };
  for (const t of Object.values(tables)) await sql.exec(`DROP TABLE IF EXISTS ${t}`);

  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const layers: SpeedLayer[] = [];
  const trigger = options.triggerMs ?? 300;
  let speed = await startSpeedLayer({ kafka, sql, topic, redirects, checkpointDir: path.join(stateDir, `checkpoint-${id}-speed`), keepTracking, blockSize, triggerMs: trigger, table: tables.speed });
  layers.push(speed);

  // the producer: tweets in order, stamped with their created_at, paced in event time; it holds
  // before tweet `hold` until streamUntil moves the hold on (the pacing clock stops while it holds)
  let sentCount = 0;
  let stopped = false;
  const stoppedError = () => new WorkbookError("STREAM_CLOSED", `The lambda run on ${topic} was stopped before every tweet was sent; start a new run to see results.`);
  const start = data.truth.start;
  const sentBefore = (hours: number): number => {
    if (!(hours >= 0)) throw new WorkbookError("OPTIONS_INVALID", `hours=${hours} must be a number of hours from the first hour, 0 or more, e.g. 3.`);
    const i = data.tweets.findIndex((t) => t.timestamp >= start + hours * HOUR_MS);
    return i < 0 ? data.tweets.length : i;
  };
  let hold = options.holdAt === undefined ? data.tweets.length : sentBefore(options.holdAt);
  const producer = kafka.producer();
  await producer.connect();
  let began = Date.now();
  const produced = (async () => {
    try {
      const chunk = 25;
      for (let i = 0; i < data.tweets.length; ) {
        if (stopped) break;
        if (i >= hold) {
          const held = Date.now();
          while (i >= hold && !stopped) await sleep(50);
          began += Date.now() - held;
          continue;
        }
        const part = data.tweets.slice(i, Math.min(i + chunk, hold));
        i += part.length;
        if (speedPerSecond > 0) {
          const due = began + ((part[0].timestamp - start) / HOUR_MS / speedPerSecond) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
          if (stopped) break;
        }
        await producer.send({ topic, messages: part.map((t) => ({ key: null, value: t.value, timestamp: String(t.timestamp) })) });
        sentCount += part.length;
      }
      return sentCount;
    } finally {
      await producer.disconnect();
    }
  })();
  produced.catch(() => undefined);

  const recompute = async (through?: Record<number, number>, o: { keepTracking?: boolean } = {}): Promise<UrlCounts> => {
    const messages: RawTweet[] = [];
    await readTopic(kafka, topic, (m) => {
      messages.push({ partition: 0, offset: Number(m.offset), value: m.value ? m.value.toString("utf8") : "" });
    });
    const limit = through?.[0] ?? Infinity;
    return countUrlHourly(messages.filter((m) => m.offset < limit), { redirects, keepTracking: o.keepTracking ?? speed.keepTracking });
  };

  const run: LambdaRun = {
    id, topic, kafka, sql, warehouse, lake, dag, store, data, redirects, blockSize,
    get speed() {
      return speed;
    },
    sent: () => sentCount,
    produced,
    async waitForHours(hours) {
      const until = start + hours * HOUR_MS;
      const needed = data.tweets.filter((t) => t.timestamp < until).length;
      const bar = showProgress({ total: needed, label: `tweets of the first ${hours} hours sent` });
      while (sentCount < needed) {
        if (stopped) throw stoppedError();
        if (sentCount >= hold) throw new WorkbookError("OPTIONS_INVALID", `the stream holds after ${hold} tweets, before the ${needed} of the first ${hours} hours are sent; call streamUntil(${hours}) to move the hold on.`);
        await Promise.race([produced, sleep(50)]);
        bar.update(Math.min(sentCount, needed));
      }
      bar.done();
    },
    sentBefore,
    async streamUntil(hours) {
      const until = hours === undefined ? data.tweets.length : sentBefore(hours);
      hold = Math.max(hold, until);
      const bar = showProgress({ total: until, label: hours === undefined ? "tweets sent" : `tweets before hour ${hours} sent` });
      while (sentCount < until) {
        if (stopped) throw stoppedError();
        await Promise.race([produced, sleep(50)]);
        bar.update(Math.min(sentCount, until));
      }
      bar.done();
      if (hours === undefined) await produced;
      await speed.processor.drain();
    },
    async runBatch(o = {}) {
      // the run of the hour of the newest tweet sent; a second batch in the same hour clears and re-runs it
      const last = data.tweets[Math.max(0, sentCount - 1)]?.timestamp ?? start;
      const logicalDate = new Date(hourOf(last)).toISOString();
      if (await store.getRun(dag.id, dataIntervalFor(dag, logicalDate).start)) await clearTasks(dag, logicalDate, [...LAMBDA_TASKS], { store });
      const r = await runDag(dag, {
        logicalDate,
        store,
        params: { topic, keepTracking: o.keepTracking ?? speed.keepTracking, blockSize },
        ...(options.live === false ? {} : { onChange: liveDag(dag) }),
      });
      const coverage = r.tasks.find((t) => t.taskId === "recompute_url_hourly")?.xcom as Coverage | undefined;
      if (r.state !== "success" || !coverage) {
        const failed = r.tasks.find((t) => t.state === "failed");
        throw new WorkbookError("DAG_TASK_FAILED", `the batch DAG ${dag.id} ended ${r.state}${failed ? `: ${failed.taskId} failed with ${failed.error ?? "an error"}` : ""}; see \`workbook dag status ${dag.id}\`.`);
      }
      const dropped = await speed.dropCovered(coverage);
      const quality = (r.tasks.find((t) => t.taskId === "quality_checks")?.xcom as { results?: QualityResult[] } | undefined)?.results ?? [];
      return { run: r, coverage, quality, dropped };
    },
    drain: () => run.streamUntil(),
    merged: (range = {}) => mergedView(warehouse, sql, { ...range, speedTable: speed.table }),
    async topUrls(o = {}) {
      const view = await mergedView(warehouse, sql, { ...o, speedTable: speed.table });
      return rankUrls(view.rows, o.limit ?? 10);
    },
    recompute,
    async checkMerge(o = {}) {
      const view = await mergedView(warehouse, sql, { speedTable: speed.table });
      const full = await recompute(view.through, o);
      const differences = diffViews(view.rows, full.rows);
      return { equal: differences.length === 0, through: view.through, merged: view.rows.length, recomputed: full.rows.length, differences: differences.slice(0, 10) };
    },
    async deployFix() {
      const view = await mergedView(warehouse, sql, { speedTable: speed.table });
      const fixed = await startSpeedLayer({
        kafka, sql, topic, redirects, checkpointDir: path.join(stateDir, `checkpoint-${id}-fixed`), keepTracking: false, blockSize,
        table: tables.fixed, startOffsets: view.coverage.partitions, triggerMs: trigger,
      });
      layers.push(fixed);
      await fixed.processor.drain();
      const old = speed;
      speed = fixed; // serve from the fixed layer from now on
      await old.close();
      return fixed;
    },
    async kappaReplay() {
      const kappa = await startSpeedLayer({ kafka, sql, topic, redirects, checkpointDir: path.join(stateDir, `checkpoint-${id}-kappa`), keepTracking: false, blockSize, table: tables.kappa, triggerMs: trigger });
      layers.push(kappa);
      try {
        await kappa.processor.drain();
      } finally {
        await kappa.close();
      }
      const r = await sql.query<{ hour: Date; url: string; count: number }>(`SELECT hour, url, SUM(count)::int AS count FROM ${tables.kappa} GROUP BY hour, url ORDER BY hour, url`);
      return r.rows.map((x) => ({ hour: x.hour.toISOString(), url: x.url, count: Number(x.count) }));
    },
    deadLetters: () => readDeadLetters(kafka, `${topic}.dead-letter`),
    async checkSpeedView() {
      const newest = data.tweets.slice(0, sentCount).reduce((a, t) => Math.max(a, t.timestamp), start);
      const interval = { start: new Date(hourOf(newest)), end: new Date(hourOf(newest) + HOUR_MS) };
      return runChecks(postgresTarget(sql), speedChecks(speed.table), { interval });
    },
    async close() {
      await produced.catch(() => undefined);
      for (const l of layers) await l.close().catch(() => undefined);
      if (!options.store) await store.close();
      for (const f of owned.splice(0).reverse()) await f();
    },
    async stop() {
      stopped = true;
      await run.close();
    },
  };
  return run;
}

/** Counts in a view: distinct URLs and tweets-with-links. */
export function viewStats(rows: readonly UrlHourlyRow[]): { distinctUrls: number; links: number } {
  return { distinctUrls: new Set(rows.map((r) => r.url)).size, links: rows.reduce((a, r) => a + r.count, 0) };
}

/** Distinct URLs per hour of a view, by hour (ISO, UTC), hours in order. */
export function distinctUrlsPerHour(rows: readonly UrlHourlyRow[]): Record<string, number> {
  const byHour = new Map<string, Set<string>>();
  for (const r of rows) if (r.count > 0) byHour.set(r.hour, (byHour.get(r.hour) ?? new Set()).add(r.url));
  return Object.fromEntries([...byHour].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([hour, urls]) => [hour, urls.size]));
}

/**
 * A chart of the top URLs per hour, stacked, the batch part solid and the speed part pale, with the
 * batch/speed boundary drawn at the newest tweet the batch view covers.
 */
export function topUrlsChart(view: MergedView, options: { top?: number; title?: string } = {}): VegaLiteSpec {
  const top = new Set(rankUrls(view.rows, options.top ?? 5).map((r) => r.url));
  const short = (u: string) => (top.has(u) ? u.replace(/^https:\/\//, "") : "(other pages)");
  const values: Record<string, unknown>[] = [];
  for (const r of view.rows) {
    if (r.batch > 0) values.push({ hour: r.hour, url: short(r.url), count: r.batch, layer: "batch" });
    if (r.speed > 0) values.push({ hour: r.hour, url: short(r.url), count: r.speed, layer: "speed" });
  }
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "bar", width: { band: 0.85 } },
      encoding: {
        x: { field: "hour", type: "ordinal", timeUnit: "utcyearmonthdatehours", title: "hour (UTC)", axis: { format: "%H:00", labelAngle: 0 } },
        y: { field: "count", type: "quantitative", aggregate: "sum", title: "tweets linking to it" },
        color: { field: "url", type: "nominal", title: "page", legend: { labelLimit: 600 } },
        opacity: { field: "layer", type: "ordinal", sort: ["batch", "speed"], scale: { domain: ["batch", "speed"], range: [1, 0.45] }, title: "layer" },
      },
    },
  ];
  if (view.coverage.throughTime !== null) {
    layers.push({
      data: { values: [{ hour: new Date(view.coverage.throughTime).toISOString(), label: "batch covers up to here" }] },
      mark: { type: "rule", color: "black", strokeDash: [4, 3], strokeWidth: 2 },
      encoding: { x: { field: "hour", type: "ordinal", timeUnit: "utcyearmonthdatehours" } },
    });
  }
  return {
    title: options.title ?? `Top ${top.size} pages per hour: batch view (solid) + speed view (pale); dashed: the newest tweet the batch covers`,
    width: 520,
    height: 260,
    data: { values },
    layer: layers,
  };
}

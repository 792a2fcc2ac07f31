/**
 * The notebook's calls: make (or point at) the raw data, run the DAG for a month with a live graph,
 * and the analyst's questions as charts. Each is a few lines over the steps in ./steps.ts.
 */
import { clearTasks, dataIntervalFor, openDagStore, runDag, type DagRun } from "../../lib/dag";
import type { DagStore } from "../../lib/dag/store";
import { liveDag } from "../../lib/dag/display";
import type { Dag } from "../../lib/dag/dag";
import { barChart, type VegaLiteSpec } from "../../lib/display/chart";
import { WorkbookError } from "../../lib/errors";
import type { DataprocRunnerOptions } from "../../lib/jobs/dataproc/dataproc";
import { openLake } from "../../lib/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { RAW_PREFIX, sparkifyDag, SPARKIFY_TASKS } from "./dags";
import { generateSparkify, writeSparkify, type GenerateSparkifyOptions, type SparkifyTruth } from "./generate";
import { playsByHour } from "./analysis";
import { TABLES } from "./star-schema";

export interface SparkifySample {
  songData: string;
  logData: string;
  /** What the generator wrote (undefined when the data were given). */
  truth?: SparkifyTruth;
  /** A few raw lines of the first log file, malformed ones included. */
  preview: string[];
}

/**
 * The raw data: the folders (or gs:// URIs) given, or data generated into the lake's
 * `sparkify/raw` (replacing what an earlier run generated there).
 */
export async function sparkifySample(options: { songData?: string; logData?: string } & GenerateSparkifyOptions = {}): Promise<SparkifySample> {
  const lake = await openLake();
  try {
    let truth: SparkifyTruth | undefined;
    if (!options.songData && !options.logData) {
      for (const sub of ["song_data", "log_data"]) for (const f of await lake.list(`${RAW_PREFIX}/${sub}`)) await lake.delete(f.path);
      const data = generateSparkify(options);
      await writeSparkify(lake, data, RAW_PREFIX);
      truth = data.truth;
    }
    const songData = options.songData || lake.uri(`${RAW_PREFIX}/song_data`);
    const logData = options.logData || lake.uri(`${RAW_PREFIX}/log_data`);
    const logs = await openLake({ root: logData });
    try {
      const first = (await logs.list("")).find((f) => f.path.endsWith("-events.json"));
      const lines = first ? (await logs.readFile(first.path)).toString("utf8").split("\n") : [];
      const bad = lines.filter((l) => { try { return typeof JSON.parse(l) !== "object"; } catch { return l !== ""; } });
      return { songData, logData, truth, preview: [...lines.slice(0, 3), ...bad.slice(0, 2)] };
    } finally {
      await logs.close();
    }
  } finally {
    await lake.close();
  }
}

export interface SparkifyRunOptions {
  warehouse: Warehouse;
  songData: string;
  logData: string;
  /** Default "2018-11-01": the run for November 2018. */
  logicalDate?: string;
  /** "local" (worker pool) or "dataproc" (one Dataproc cluster for the run). Default "local". */
  runner?: "local" | "dataproc";
  /** Dataproc settings for runner "dataproc" (project, region, bucket, client options). Default: from config. */
  dataproc?: DataprocRunnerOptions;
  workers?: number;
  /** A task id that fails on purpose ("" for none). */
  failAt?: string;
  /** Draw the graph live while the run goes. Default true. */
  live?: boolean;
  /** Where the run is recorded. Default: a store on `openSql()`, closed when the run is stopped (else by the caller: `result.store.close()`). */
  store?: DagStore;
}

export interface SparkifyRun {
  dag: Dag;
  run: DagRun;
  store: DagStore;
  /** The xcom (return value) of a task of this run. */
  xcom<T = Record<string, unknown>>(taskId: string): T | undefined;
}

/** A Sparkify DAG run in progress: `finish()` waits for it, `stop()` stops it (what `startOnce` calls). */
export interface SparkifyRunning {
  dag: Dag;
  /** Resolves with the ended run: state success, or failed (a failed task, or a stop). */
  finish(): Promise<SparkifyRun>;
  /**
   * Stops the run: running tasks see their signal (the jobs' worker processes are ended), no later
   * task starts, and the teardown `delete_cluster` still deletes the cluster. Resolves once the run
   * has ended, with a note on what the teardown did (undefined when the run had ended by itself).
   */
  stop(): Promise<string | undefined>;
}

/**
 * Starts the DAG for one month and returns at once. The run's tasks are cleared first (Airflow's
 * "Clear"), so a notebook run recomputes everything it shows; each step itself is idempotent, so
 * nothing is doubled.
 *
 *   const running = await startOnce("Sparkify DAG run", () => startSparkify(options));
 *   const result = await interruptible(running.finish());
 */
export async function startSparkify(options: SparkifyRunOptions): Promise<SparkifyRunning> {
  const dag = sparkifyDag({ warehouse: async () => options.warehouse, ...(options.dataproc ? { dataproc: options.dataproc } : {}) });
  const store = options.store ?? await openDagStore();
  const logicalDate = options.logicalDate ?? "2018-11-01";
  if (await store.getRun(dag.id, dataIntervalFor(dag, logicalDate).start)) await clearTasks(dag, logicalDate, [...SPARKIFY_TASKS], { store });
  const controller = new AbortController();
  let ended = false;
  const running = runDag(dag, {
    logicalDate,
    store,
    signal: controller.signal,
    params: { songData: options.songData, logData: options.logData, runner: options.runner ?? "local", workers: options.workers ?? 0, failAt: options.failAt ?? "" },
    ...(options.live === false ? {} : { onChange: liveDag(dag) }),
  }).then((run): SparkifyRun => ({
    dag,
    run,
    store,
    xcom: <T>(taskId: string) => run.tasks.find((t) => t.taskId === taskId)?.xcom as T | undefined,
  })).finally(() => (ended = true));
  void running.catch(() => undefined); // a run that fails is reported by finish(), not as an unhandled rejection
  return {
    dag,
    finish: () => running,
    async stop() {
      const stopping = !ended && !controller.signal.aborted;
      controller.abort(new WorkbookError("DAG_RUN_STOPPED", `the ${dag.id} run was stopped (the stop button, or its cell run again); run it again to start over`));
      const result = await running.catch(() => undefined);
      if (!options.store) await store.close();
      return stopping && result ? teardownNote(result) : undefined;
    },
  };
}

/** What the teardown of a stopped run did, in a few words. */
function teardownNote(result: SparkifyRun): string {
  const ti = result.run.tasks.find((t) => t.taskId === "delete_cluster");
  const teardown = result.xcom<{ name: string | null; deleted: boolean }>("delete_cluster");
  if (ti?.state !== "success" || !teardown) return `delete_cluster did not run (${ti?.state ?? "missing"}): check \`listClusters()\``;
  return teardown.name ? `delete_cluster still ran: cluster ${teardown.name} deleted` : "delete_cluster still ran: no cluster had been created yet";
}

/** Runs the DAG for one month to its end (see startSparkify). */
export async function runSparkify(options: SparkifyRunOptions): Promise<SparkifyRun> {
  return (await startSparkify(options)).finish();
}

/** A y (or x) scale from 0 with room above the longest bar, so no bar touches the frame. */
function roomy(max: number): { domain: [number, number]; nice: boolean } {
  return { domain: [0, Math.max(1, Math.ceil((max * 1.1) / 5) * 5)], nice: false };
}

/** Plays by hour of day (UTC): a bar for each of the 24 hours. */
export async function playsByHourChart(wh: Warehouse): Promise<VegaLiteSpec> {
  const rows = await playsByHour(wh);
  const spec = barChart(rows, { x: "hour", y: "plays", title: "Songplays by hour of day (UTC)", width: 480 });
  const encoding = spec.encoding as Record<string, Record<string, unknown>>;
  return { ...spec, encoding: { ...encoding, x: { ...encoding.x, axis: { labelAngle: 0 } }, y: { ...encoding.y, scale: roomy(Math.max(...rows.map((r) => r.plays))) } } };
}

/** The most played songs of the catalogue, as horizontal bars: each song's whole label on the left, its count at the bar's end. */
export async function topSongsChart(wh: Warehouse, top = 10): Promise<VegaLiteSpec> {
  const n = Math.max(1, Math.floor(top));
  const r = await wh.query<{ song: string; plays: number }>(
    `SELECT CONCAT(s.title, ' - ', a.name) AS song, COUNT(*) AS plays FROM ${TABLES.songplays} AS p
     JOIN ${TABLES.songs} AS s ON s.song_id = p.song_id JOIN ${TABLES.artists} AS a ON a.artist_id = p.artist_id
     GROUP BY s.title, a.name ORDER BY plays DESC, song LIMIT ${n}`,
  );
  const rows = r.rows.map((x) => ({ song: x.song, plays: Number(x.plays) }));
  const y = { field: "song", type: "nominal", sort: null, title: null, axis: { labelLimit: 0 } };
  const x = { field: "plays", type: "quantitative", scale: roomy(Math.max(0, ...rows.map((row) => row.plays))) };
  return {
    title: `Top ${n} songs`, width: 320, height: { step: 22 }, data: { values: rows },
    layer: [
      { mark: "bar", encoding: { y, x } },
      { mark: { type: "text", align: "left", dx: 3 }, encoding: { y, x, text: { field: "plays", type: "quantitative" } } },
    ],
  };
}

/** Plays, users and plays per user by level. */
export async function freeVsPaid(wh: Warehouse): Promise<{ level: string; plays: number; users: number; plays_per_user: number }[]> {
  const r = await wh.query<{ level: string; plays: number; users: number }>(`SELECT level, COUNT(*) AS plays, COUNT(DISTINCT user_id) AS users FROM ${TABLES.songplays} GROUP BY level ORDER BY level`);
  return r.rows.map((x) => ({ level: x.level, plays: Number(x.plays), users: Number(x.users), plays_per_user: Math.round((Number(x.plays) / Math.max(1, Number(x.users))) * 10) / 10 }));
}

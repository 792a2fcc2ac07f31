/**
 * The notebook's calls: make (or point at) the raw data, run the DAG for a month with a live graph,
 * and the analyst's questions as charts. Each is a few lines over the steps in ./steps.ts.
 */
import { clearTasks, dataIntervalFor, openDagStore, runDag, type DagRun } from "../../lib/dag";
import type { DagStore } from "../../lib/dag/store";
import { liveDag } from "../../lib/dag/display";
import type { Dag } from "../../lib/dag/dag";
import { barChart, type VegaLiteSpec } from "../../lib/display/chart";
import { openLake } from "../../lib/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { RAW_PREFIX, sparkifyDag, SPARKIFY_TASKS } from "./dags";
import { generateSparkify, writeSparkify, type GenerateSparkifyOptions, type SparkifyTruth } from "./generate";
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
  /** "local" (worker pool) or "dataproc". Default "local". */
  runner?: "local" | "dataproc";
  workers?: number;
  /** A task id that fails on purpose ("" for none). */
  failAt?: string;
  /** Draw the graph live while the run goes. Default true. */
  live?: boolean;
}

export interface SparkifyRun {
  dag: Dag;
  run: DagRun;
  store: DagStore;
  /** The xcom (return value) of a task of this run. */
  xcom<T = Record<string, unknown>>(taskId: string): T | undefined;
}

/**
 * Runs the DAG for one month. The run's tasks are cleared first (Airflow's "Clear"), so a notebook
 * run recomputes everything it shows; each step itself is idempotent, so nothing is doubled.
 */
export async function runSparkify(options: SparkifyRunOptions): Promise<SparkifyRun> {
  const dag = sparkifyDag({ warehouse: async () => options.warehouse });
  const store = await openDagStore();
  const logicalDate = options.logicalDate ?? "2018-11-01";
  if (await store.getRun(dag.id, dataIntervalFor(dag, logicalDate).start)) await clearTasks(dag, logicalDate, [...SPARKIFY_TASKS], { store });
  const run = await runDag(dag, {
    logicalDate,
    store,
    params: { songData: options.songData, logData: options.logData, runner: options.runner ?? "local", workers: options.workers ?? 0, failAt: options.failAt ?? "" },
    ...(options.live === false ? {} : { onChange: liveDag(dag) }),
  });
  return {
    dag,
    run,
    store,
    xcom: <T>(taskId: string) => run.tasks.find((t) => t.taskId === taskId)?.xcom as T | undefined,
  };
}

/** Plays by hour of day (UTC). */
export async function playsByHourChart(wh: Warehouse): Promise<VegaLiteSpec> {
  const r = await wh.query<{ hour: number; plays: number }>(`SELECT t.hour, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.time} AS t ON t.start_time = p.start_time GROUP BY t.hour ORDER BY t.hour`);
  return barChart(r.rows, { x: "hour", y: "plays", title: "Songplays by hour of day (UTC)" });
}

/** The most played songs of the catalogue. */
export async function topSongsChart(wh: Warehouse, top = 10): Promise<VegaLiteSpec> {
  const r = await wh.query<{ song: string; plays: number }>(
    `SELECT CONCAT(s.title, ' - ', a.name) AS song, COUNT(*) AS plays FROM ${TABLES.songplays} AS p
     JOIN ${TABLES.songs} AS s ON s.song_id = p.song_id JOIN ${TABLES.artists} AS a ON a.artist_id = p.artist_id
     GROUP BY s.title, a.name ORDER BY plays DESC, song LIMIT ${Math.max(1, Math.floor(top))}`,
  );
  const spec = barChart(r.rows, { x: "song", y: "plays", title: `Top ${top} songs` });
  return { ...spec, encoding: { ...(spec.encoding as Record<string, unknown>), x: { field: "song", type: "nominal", sort: "-y", axis: { labelAngle: -40, labelLimit: 180 } } } };
}

/** Plays, users and plays per user by level. */
export async function freeVsPaid(wh: Warehouse): Promise<{ level: string; plays: number; users: number; plays_per_user: number }[]> {
  const r = await wh.query<{ level: string; plays: number; users: number }>(`SELECT level, COUNT(*) AS plays, COUNT(DISTINCT user_id) AS users FROM ${TABLES.songplays} GROUP BY level ORDER BY level`);
  return r.rows.map((x) => ({ level: x.level, plays: Number(x.plays), users: Number(x.users), plays_per_user: Math.round((Number(x.plays) / Math.max(1, Number(x.users))) * 10) / 10 }));
}

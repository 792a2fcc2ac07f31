/**
 * The whole scenario in one call, on a simulated clock so the result does not depend on the machine:
 * the producer sends the lines that arrive in each step (5 simulated minutes), the stream writer
 * commits them to the lake, and then, as a scheduler would,
 * - every hour whose end the writer's watermark has passed is run by the DAG (once);
 * - at each full hour of the clock, every loaded hour whose lake partition changed since its load
 *   (late events arrived) is cleared and run again.
 * When the input ends, the writer marks the stream ended, the remaining hours run, changed hours are
 * re-run, and the warehouse is compared with a recomputation over the whole lake.
 * `speed` paces the clock: simulated seconds per real second (0: as fast as the machine goes).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { clearTasks, runDag, type Dag, type DagRun, type DagStore } from "../../lib/dag";
import { WorkbookError } from "../../lib/errors";
import type { Lake } from "../../lib/lake/lake";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { config } from "../../lib/config";
import { webLogsDag, STAGING_DATASET, WEBLOGS_DAG_ID } from "./dags";
import { generateWebLogs, type GenerateWebLogsOptions, type WebLogs } from "./generate";
import { hourComplete, LOGS_DATASET, markStreamEnded, readStreamMarker, startLakeWriter } from "./lake-writer";
import { createWebLogTables, loadedFingerprints, TABLES, warehouseRollup } from "./load";
import { fingerprint, hourFiles, recomputeAll, rollupLines, type RollupRow } from "./rollup";
import { sendLogLines } from "./producer";
import { CHECK_TABLES } from "./quality";
import { RESULTS_TABLE } from "../../lib/quality";

const HOUR_MS = 3_600_000;

export interface RunWebLogsOptions extends GenerateWebLogsOptions {
  /** The lines to send: your own files (`readWebLogFiles(logsPath)`). Default: generated from the options above. */
  logs?: WebLogs;
  kafka: Kafka;
  lake: Lake;
  warehouse: Warehouse;
  store: DagStore;
  /** Simulated seconds per real second; 0 (default) = no pacing. */
  speed?: number;
  /** Simulated minutes per step. Default 5. */
  stepMinutes?: number;
  /** Topic name. Default a fresh `web-logs-<id>` (the writer's checkpoint is fresh too). */
  topic?: string;
  /** Called after each step (to show lake files appearing). */
  onStep?: (step: StepReport) => void;
  /** Called after each DAG run. */
  onRun?: (run: DagRun, rerun: boolean) => void;
}

export interface StepReport {
  /** The simulated clock at the end of the step (epoch ms). */
  clock: number;
  sent: number;
  /** Lake files and rows written so far. */
  files: number;
  rows: number;
  hoursLoaded: number;
  reruns: number;
}

export interface WebLogsRun {
  logs: WebLogs;
  topic: string;
  /** Lines sent to the topic. */
  events: number;
  /** Valid events written to the lake, and lines rejected to the dead-letter topic. */
  ok: number;
  rejected: number;
  lakeFiles: number;
  /** Hours loaded into the warehouse, and the hours re-run because late data changed their partition. */
  hoursLoaded: number;
  rerunHours: string[];
  reruns: number;
  runs: DagRun[];
  /** The warehouse table equals the rollup recomputed over the whole lake, row for row. */
  warehouseMatchesLake: boolean;
  warehouseRows: number;
  dag: Dag;
}

/** Empties what a previous run left: the lake datasets, the warehouse tables, the DAG's recorded runs. */
export async function resetWebLogs(lake: Lake, wh: Warehouse, store: DagStore): Promise<void> {
  for (const dataset of [LOGS_DATASET, STAGING_DATASET]) {
    for (const f of await lake.list(dataset)) await lake.delete(f.path);
  }
  for (const t of Object.values(TABLES)) await wh.query(`DROP TABLE IF EXISTS ${t}`);
  // the checks' results of an earlier run (its hours may differ): a new run starts a new history
  if ((await wh.listTables()).includes(RESULTS_TABLE)) await wh.query(`DELETE FROM ${RESULTS_TABLE} WHERE table_name IN (${Object.values(CHECK_TABLES).map((t) => `'${t}'`).join(", ")})`);
  await store.db.exec(`DELETE FROM task_instance WHERE dag_id = '${WEBLOGS_DAG_ID}'`);
  await store.db.exec(`DELETE FROM dag_run WHERE dag_id = '${WEBLOGS_DAG_ID}'`);
}

const hourLabel = (t: number) => new Date(t).toISOString().slice(0, 13).replace("T", " ") + ":00";

export async function runWebLogs(options: RunWebLogsOptions): Promise<WebLogsRun> {
  return (await startWebLogs(options)).finish();
}

/** A run in progress: `finish()` waits for its result, `stop()` ends it early and closes its clients. */
export interface WebLogsRunning {
  topic: string;
  /** Resolves with the run at the end of the input; fails with STREAM_CLOSED if stopped first. */
  finish(): Promise<WebLogsRun>;
  /** Stops the producer at its next step and closes it and the lake writer; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the run of `runWebLogs` and returns at once, so a notebook can start it with `startOnce`
 * (a re-run stops the previous run) and wait with `interruptible(running.finish())`.
 */
export async function startWebLogs(options: RunWebLogsOptions): Promise<WebLogsRunning> {
  const abort = new AbortController();
  const topic = options.topic ?? `web-logs-${randomUUID().slice(0, 8)}`;
  const work = runSteps({ ...options, topic }, abort.signal);
  work.catch(() => undefined);
  return {
    topic,
    finish: () => work,
    async stop() {
      abort.abort();
      await work.catch(() => undefined);
    },
  };
}

async function runSteps(options: RunWebLogsOptions, signal: AbortSignal): Promise<WebLogsRun> {
  const stoppedError = () => new WorkbookError("STREAM_CLOSED", `The web-logs run on ${options.topic} was stopped before the end of its input; start a new run to see results.`);
  const stopped = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(stoppedError()), { once: true }));
  stopped.catch(() => undefined);
  const speed = options.speed ?? 0;
  if (!(speed >= 0)) throw new WorkbookError("OPTIONS_INVALID", `speed=${speed} must be 0 (no pacing) or a positive number of simulated seconds per real second, e.g. 3600.`);
  const stepMs = (options.stepMinutes ?? 5) * 60_000;
  if (!(stepMs >= 60_000) || stepMs > HOUR_MS || HOUR_MS % stepMs !== 0) throw new WorkbookError("OPTIONS_INVALID", `stepMinutes=${options.stepMinutes} must divide an hour (1, 5, 10, 15, 30 or 60).`);
  const { lake, warehouse: wh, store, kafka } = options;
  const logs = options.logs ?? generateWebLogs(options);
  const topic = options.topic ?? `web-logs-${randomUUID().slice(0, 8)}`;
  const checkpointDir = path.join(config().home, "web-logs", "checkpoints", topic);
  fs.rmSync(checkpointDir, { recursive: true, force: true });
  await createWebLogTables(wh);
  const dag = webLogsDag({ lake: async () => lake, warehouse: async () => wh, sensorTimeoutMs: 5_000, pokeIntervalMs: 50 });

  let files = 0;
  let rows = 0;
  const writer = await startLakeWriter({ kafka, lake, topic, checkpointDir, onFile: (_f, n) => { files++; rows += n; } });
  const producer = kafka.producer();
  await producer.connect();
  const runs: DagRun[] = [];
  const loaded = new Set<number>();
  const rerun = new Set<number>();
  let reruns = 0;
  let sent = 0;
  const runHour = async (start: number, again: boolean) => {
    if (again) await clearTasks(dag, new Date(start), ["rollup_hour"], { store });
    const run = await runDag(dag, { logicalDate: new Date(start), store });
    runs.push(run);
    options.onRun?.(run, again);
    if (run.state !== "success") {
      const failed = run.tasks.find((t) => t.state === "failed");
      throw new WorkbookError("DAG_TASK_FAILED", `${WEBLOGS_DAG_ID} failed for ${hourLabel(start)}: ${failed?.taskId ?? "?"}: ${failed?.error ?? run.state}`);
    }
    loaded.add(start);
    if (again) {
      rerun.add(start);
      reruns++;
    }
  };
  const runClosedHours = async () => {
    const marker = await readStreamMarker(lake);
    for (let h = logs.start; h < logs.end; h += HOUR_MS) {
      if (!loaded.has(h) && hourComplete(marker, h + HOUR_MS)) await runHour(h, false);
    }
  };
  const rerunChangedHours = async () => {
    const stored = await loadedFingerprints(wh);
    for (const [h, { fingerprint: fp }] of [...stored].sort((a, b) => a[0] - b[0])) {
      if (fingerprint(await hourFiles(lake, h)) !== fp) await runHour(h, true);
    }
  };

  const began = Date.now();
  try {
    const lines = logs.lines;
    let i = 0;
    const last = lines.length > 0 ? lines[lines.length - 1].arrival : logs.start;
    for (let clock = logs.start + stepMs; clock - stepMs <= last; clock += stepMs) {
      if (signal.aborted) throw stoppedError();
      const batch: string[] = [];
      while (i < lines.length && lines[i].arrival < clock) batch.push(lines[i++].line);
      sent += await sendLogLines(producer, topic, batch);
      await writer.drain();
      await runClosedHours();
      if ((clock - logs.start) % HOUR_MS === 0) await rerunChangedHours();
      options.onStep?.({ clock, sent, files, rows, hoursLoaded: loaded.size, reruns });
      if (speed > 0) {
        const due = began + ((clock - logs.start) / speed);
        if (due > Date.now()) await Promise.race([new Promise((r) => setTimeout(r, due - Date.now())), stopped]);
      }
    }
    if (signal.aborted) throw stoppedError();
    await writer.drain();
    await markStreamEnded(lake);
    await runClosedHours();
    await rerunChangedHours();
    options.onStep?.({ clock: last, sent, files, rows, hoursLoaded: loaded.size, reruns });
  } finally {
    await producer.disconnect().catch(() => undefined);
    await writer.close();
  }
  const stats = writer.stats();
  const expected = rollupLines(await recomputeAll(lake, { warehouse: wh }));
  const stored = rollupLines((await warehouseRollup(wh)) as unknown as RollupRow[]);
  return {
    logs,
    topic,
    events: sent,
    ok: stats.ok,
    rejected: stats.rejected,
    lakeFiles: (await lake.list(LOGS_DATASET)).filter((f) => f.path.endsWith(".parquet")).length,
    hoursLoaded: loaded.size,
    rerunHours: [...rerun].sort((a, b) => a - b).map(hourLabel),
    reruns,
    runs,
    warehouseMatchesLake: expected.length > 0 && JSON.stringify(expected) === JSON.stringify(stored),
    warehouseRows: stored.length,
    dag,
  };
}

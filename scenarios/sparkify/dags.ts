/**
 * The Sparkify DAG, monthly from November 2018: wait for the month's logs, create the cluster,
 * clean the logs and read the songs on it, stage both in the warehouse, build the star schema,
 * write it to the lake, check its quality, and delete the cluster it created (all_done: also after
 * a failure; a teardown: also after a stop; and only that cluster).
 *
 * Run parameters (ctx.params): `songData` and `logData` (folders or gs:// URIs in the original
 * layout; default: the generated data in the lake, `workbook data sparkify`), `runner` ("local" or
 * "dataproc"; default JOB_RUNNER), `workers`, and `failAt` (a task id that fails on purpose, to
 * watch teardown run).
 *
 * With runner "dataproc", create_cluster creates ONE Dataproc cluster named after the run
 * (`sparkify-<run id>`), clean_events and stage_songs submit their jobs to it, and delete_cluster
 * deletes it by name and UUID. Its XCom carries the name, so on Airflow, where each task is a process
 * of its own, the job tasks submit to that cluster and the teardown deletes it (lib/jobs/cluster.ts).
 */
import { defineDag, sensor, task, type Dag } from "../../lib/dag";
import type { TaskContext } from "../../lib/dag/task";
import { WorkbookError } from "../../lib/errors";
import { attachCluster, clusterRecord, createCluster, deleteCluster, listClusters, type Cluster, type ClusterRecord } from "../../lib/jobs/cluster";
import type { DataprocRunnerOptions } from "../../lib/jobs/dataproc/dataproc";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { writeStarToLake } from "./export";
import { checkInTask, warehouseTarget } from "../../lib/quality";
import { qualityChecks } from "./quality";
import { buildStarSchema, createTables, type Interval } from "./star-schema";
import { cleanEvents, loadEvents, loadSongs, logFilesOf, STAR_PREFIX, type CleanResult, type SparkifySources } from "./steps";

export const SPARKIFY_DAG_ID = "sparkify_etl";
/** Where `workbook data sparkify` writes the generated raw data in the lake. */
export const RAW_PREFIX = "sparkify/raw";

export interface SparkifyDagOptions {
  /** Opens the warehouse the DAG writes to. Default openWarehouse() (closed by the teardown task). */
  warehouse?: () => Promise<Warehouse>;
  /** Opens the workbook's lake. Default openLake() (closed by the teardown task). */
  lake?: () => Promise<Lake>;
  /** How long the logs sensor waits for the month's files. Default 10 s. */
  sensorTimeoutMs?: number;
  /** Dataproc settings for runner "dataproc" (project, region, bucket, client options). Default: from config. */
  dataproc?: DataprocRunnerOptions;
}

interface Resources {
  sources: SparkifySources;
  wh: Warehouse;
  close(): Promise<void>;
}

/** The DAG's documentation (Airflow's doc_md in the export): the cluster's lifecycle, as notebook 03 tells it. */
export const SPARKIFY_DOC = [
  "Sparkify's ETL for one month: the raw song and event logs in the lake become a star schema in the warehouse and the lake.",
  "",
  "Cluster lifecycle: `create_cluster` creates one cluster for the run, named `sparkify-<run id>`: a pool of worker processes, " +
    "or with `JOB_RUNNER=dataproc` (or the run parameter `runner=dataproc`) one Dataproc cluster. " +
    "`clean_events` and `stage_songs` submit their jobs to that cluster. " +
    "`delete_cluster` (trigger rule `all_done`, a teardown) deletes that cluster and only it, by name and UUID, also after a failed or stopped run. " +
    "With `DATAPROC_CLUSTER` set, the jobs go to that existing cluster instead and it is never deleted.",
  "",
  "On Airflow every task is a process of its own: the cluster's name travels in `create_cluster`'s XCom, kept in the workbook's database (`DATABASE_URL`).",
].join("\n");

/** Step names, in order (the DAG's task ids). */
export const SPARKIFY_TASKS = ["logs_ready", "create_cluster", "clean_events", "stage_songs", "stage_events", "build_star_schema", "write_star_to_lake", "quality_checks", "delete_cluster"] as const;

export function sparkifyDag(options: SparkifyDagOptions = {}): Dag {
  const perRun = new Map<string, Promise<Resources>>();

  const open = async (ctx: TaskContext): Promise<Resources> => {
    const lake = options.lake ? await options.lake() : await openLake();
    const wh = options.warehouse ? await options.warehouse() : await openWarehouse();
    const songData = String(ctx.params.songData ?? "") || lake.uri(`${RAW_PREFIX}/song_data`);
    const logData = String(ctx.params.logData ?? "") || lake.uri(`${RAW_PREFIX}/log_data`);
    const sources = { lake, songs: await openLake({ root: songData }), logs: await openLake({ root: logData }) };
    await createTables(wh);
    return {
      sources,
      wh,
      async close() {
        await sources.songs.close();
        await sources.logs.close();
        if (!options.lake) await lake.close();
        if (!options.warehouse) await wh.close();
      },
    };
  };
  const resources = (ctx: TaskContext): Promise<Resources> => {
    let r = perRun.get(ctx.runId);
    if (!r) perRun.set(ctx.runId, (r = open(ctx)));
    return r;
  };
  const interval = (ctx: TaskContext): Interval => ({ start: ctx.dataInterval.start.toISOString(), end: ctx.dataInterval.end.toISOString() });
  const failIfAsked = (ctx: TaskContext) => {
    if (ctx.params.failAt === ctx.taskId) throw new Error(`${ctx.taskId} fails on purpose (failAt=${JSON.stringify(ctx.taskId)}), to show that teardown still runs`);
  };
  /**
   * The cluster this run created. In another process (Airflow, a re-run): Dataproc jobs go to the
   * cluster the record names; a local cluster's worker pool is started again under the same name.
   */
  const cluster = async (ctx: TaskContext): Promise<Cluster> => {
    const created = ctx.xcom<ClusterRecord>("create_cluster");
    if (!created) throw new WorkbookError("INPUT_MISSING", "create_cluster returned no cluster name; clear create_cluster and run again.");
    if (!listClusters().includes(created.name)) {
      ctx.log(`cluster ${created.name} is not in this process: ${created.dataproc ? `submitting to Dataproc cluster ${created.dataproc.clusterName}` : "starting its worker pool again"}`);
    }
    return attachCluster(created, { dataproc: options.dataproc });
  };

  return defineDag({
    id: SPARKIFY_DAG_ID,
    description: "Sparkify: raw song and event logs in the lake -> star schema in the warehouse and the lake",
    doc: SPARKIFY_DOC,
    schedule: "@monthly",
    startDate: "2018-11-01",
    catchup: false,
    maxActiveTasks: 2,
    defaultRetries: 0,
    defaultRetryDelayMs: 1_000,
    tasks: [
      sensor({
        id: "logs_ready",
        pokeIntervalMs: 500,
        timeoutMs: options.sensorTimeoutMs ?? 10_000,
        poke: async (ctx) => {
          const { sources } = await resources(ctx);
          const files = await logFilesOf(sources.logs, interval(ctx));
          if (files.length === 0) ctx.log(`no log files for ${interval(ctx).start.slice(0, 7)} under ${sources.logs.root} yet (generate them with \`workbook data sparkify\`)`);
          return files.length > 0;
        },
      }),
      task({
        id: "create_cluster",
        run: async (ctx) => {
          failIfAsked(ctx);
          const runner = ctx.params.runner === "dataproc" || ctx.params.runner === "local" ? ctx.params.runner : undefined;
          const workers = Number(ctx.params.workers ?? 0) || undefined;
          const name = `sparkify-${ctx.runId.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.slice(0, 50).replace(/-+$/, "");
          if (listClusters().includes(name)) await deleteCluster(name, { dataproc: options.dataproc }); // a previous try's
          const c = await createCluster({ name, runner, workers, dataproc: options.dataproc });
          ctx.log(c.dataproc ? `Dataproc cluster ${c.dataproc.clusterName} ${c.dataproc.created ? "created" : "(DATAPROC_CLUSTER, not deleted at the end)"}` : `local cluster ${c.name}: ${c.workers} workers`);
          return clusterRecord(c);
        },
      }),
      task({
        id: "clean_events",
        upstream: ["create_cluster", "logs_ready"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { sources, wh } = await resources(ctx);
          const r = await cleanEvents(await cluster(ctx), sources, wh, interval(ctx), ctx.signal);
          ctx.log(`${r.files} files, ${r.lines} lines = ${r.ok} ok + ${r.rejected.length} rejected`);
          return { files: r.files, lines: r.lines, ok: r.ok, rejected: r.rejected.length, parquet: r.parquet };
        },
      }),
      task({
        id: "stage_songs",
        upstream: ["create_cluster"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { sources, wh } = await resources(ctx);
          const r = await loadSongs(await cluster(ctx), sources, wh, ctx.signal);
          return { files: r.files, songs: r.songs, rejected: r.rejected.length };
        },
      }),
      task({
        id: "stage_events",
        upstream: ["clean_events"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { sources, wh } = await resources(ctx);
          const clean = ctx.xcom<Pick<CleanResult, "parquet">>("clean_events");
          return { rows: await loadEvents(sources.lake, wh, clean?.parquet ?? [], interval(ctx)) };
        },
      }),
      task({
        id: "build_star_schema",
        upstream: ["stage_events", "stage_songs"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { wh } = await resources(ctx);
          return buildStarSchema(wh, interval(ctx));
        },
      }),
      task({
        id: "write_star_to_lake",
        upstream: ["build_star_schema"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { sources, wh } = await resources(ctx);
          return writeStarToLake(wh, sources.lake, STAR_PREFIX, interval(ctx));
        },
      }),
      task({
        id: "quality_checks",
        upstream: ["write_star_to_lake"],
        run: async (ctx) => {
          failIfAsked(ctx);
          const { wh } = await resources(ctx);
          const { results: _results, ...summary } = await checkInTask(ctx, warehouseTarget(wh), qualityChecks());
          return summary;
        },
      }),
      task({
        id: "delete_cluster",
        upstream: ["quality_checks"],
        triggerRule: "all_done",
        teardown: true,
        run: async (ctx) => {
          const created = ctx.xcom<ClusterRecord>("create_cluster");
          const deleted = created ? await deleteCluster(created, { dataproc: options.dataproc }) : false;
          ctx.log(created ? `cluster ${created.name}: ${deleted ? "deleted" : "was not running"}${created.dataproc?.created ? ` (Dataproc cluster ${created.dataproc.clusterName} deleted)` : ""}` : "no cluster was created");
          const r = perRun.get(ctx.runId);
          perRun.delete(ctx.runId);
          if (r) await (await r).close();
          return { name: created?.name ?? null, deleted: created !== undefined, remaining: listClusters() };
        },
      }),
    ],
  });
}

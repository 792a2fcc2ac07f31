/**
 * The hourly DAG `weblogs_hourly`: for each closed hour (its data interval)
 *   hour_complete (sensor: the stream writer's watermark has passed the hour's end, with a timeout)
 *   -> rollup_hour (DuckDB over that hour's lake files; for a gs:// lake, BigQuery through the external
 *      table `weblogs_lake` with Hive partitioning; staged in the lake as JSON)
 *   -> check_quality (staged in the warehouse; seven lib/quality checks of the six kinds, see quality.ts,
 *      recorded in quality_results; a blocking failure fails the run, a warning is logged)
 *   -> load_hour (replaces exactly that hour in the warehouse; records the files' fingerprint).
 * Every task reads its data interval, never "everything so far", so a re-run of an hour recomputes
 * that hour only. Run parameters: none; the lake and warehouse come from the options (default: the
 * workbook's, `openLake()` and `openWarehouse()`).
 */
import { defineDag, sensor, task, withResource, type Dag } from "../../lib/dag";
import type { TaskContext } from "../../lib/dag/task";
import { WorkbookError } from "../../lib/errors";
import { openLake, partitionPath } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { hourComplete, hourPartition, readStreamMarker } from "./lake-writer";
import { createWebLogTables, loadHour } from "./load";
import { checkInTask, warehouseTarget } from "../../lib/quality";
import { stageForChecks, webLogsChecks } from "./quality";
import { rollupHour, type HourRollup } from "./rollup";

export const WEBLOGS_DAG_ID = "weblogs_hourly";
export const WEBLOGS_TASKS = ["hour_complete", "rollup_hour", "check_quality", "load_hour"] as const;
/** Where rollup_hour stages an hour's result for the next tasks. */
export const STAGING_DATASET = "weblogs_rollup";

export interface WebLogsDagOptions {
  /** Opens the lake. Default openLake() (closed at the end of each task). */
  lake?: () => Promise<Lake>;
  /** Opens the warehouse. Default openWarehouse() (closed at the end of each task). */
  warehouse?: () => Promise<Warehouse>;
  /** How long hour_complete waits. Default 60 s. */
  sensorTimeoutMs?: number;
  /** Default 200 ms. */
  pokeIntervalMs?: number;
  /** "Now" for the future-timestamp check. Default Date.now. */
  now?: () => number;
}

function stagingPath(start: number): string {
  return `${partitionPath(STAGING_DATASET, hourPartition(start))}/rollup.json`;
}

export function webLogsDag(options: WebLogsDagOptions = {}): Dag {
  const withLake = <T>(fn: (lake: Lake) => Promise<T>): Promise<T> => withResource(options.lake, () => openLake(), fn);
  const withWarehouse = <T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> => withResource(options.warehouse, () => openWarehouse(), fn);
  const staged = (ctx: TaskContext): Promise<HourRollup> =>
    withLake(async (lake) => {
      const file = stagingPath(ctx.dataInterval.start.getTime());
      if (!(await lake.exists(file))) throw new WorkbookError("INPUT_MISSING", `${lake.uri(file)} is missing; clear rollup_hour for ${ctx.logicalDate.toISOString()} and run again.`);
      return JSON.parse((await lake.readFile(file)).toString("utf8")) as HourRollup;
    });

  return defineDag({
    id: WEBLOGS_DAG_ID,
    description: "Web logs: each closed hour of the lake -> counts of visits and cart additions -> quality checks -> the warehouse",
    schedule: "@hourly",
    startDate: "2021-01-01",
    catchup: false,
    maxActiveTasks: 1,
    defaultRetries: 0,
    defaultRetryDelayMs: 1_000,
    tasks: [
      sensor({
        id: "hour_complete",
        pokeIntervalMs: options.pokeIntervalMs ?? 200,
        timeoutMs: options.sensorTimeoutMs ?? 60_000,
        poke: (ctx) =>
          withLake(async (lake) => {
            const marker = await readStreamMarker(lake);
            const done = hourComplete(marker, ctx.dataInterval.end.getTime());
            if (!done) ctx.log(`the stream's watermark ${marker?.watermark ? new Date(marker.watermark).toISOString() : "(none yet)"} has not passed ${ctx.dataInterval.end.toISOString()}`);
            return done;
          }),
      }),
      task({
        id: "rollup_hour",
        upstream: ["hour_complete"],
        run: (ctx) =>
          withLake(async (lake) => {
            const start = ctx.dataInterval.start.getTime();
            // a Cloud Storage lake is read by the warehouse (BigQuery), as in the original
            const r = lake.kind === "gcs" ? await withWarehouse((wh) => rollupHour(lake, start, { warehouse: wh })) : await rollupHour(lake, start);
            await lake.writeFile(stagingPath(ctx.dataInterval.start.getTime()), JSON.stringify(r));
            ctx.log(`${r.files.length} files, ${r.lakeRows} rows -> ${r.rows.length} rollup rows, ${r.rejected.length} rejected`);
            return { files: r.files.length, lakeRows: r.lakeRows, rows: r.rows.length, rejected: r.rejected.length, fingerprint: r.fingerprint };
          }),
      }),
      task({
        id: "check_quality",
        upstream: ["rollup_hour"],
        run: async (ctx) => {
          const r = await staged(ctx);
          return withWarehouse(async (wh) => {
            await stageForChecks(wh, r);
            const { results: _results, ...summary } = await checkInTask(ctx, warehouseTarget(wh), webLogsChecks((options.now ?? Date.now)()), { record: true });
            return summary;
          });
        },
      }),
      task({
        id: "load_hour",
        upstream: ["check_quality"],
        run: async (ctx) => {
          const r = await staged(ctx);
          return withWarehouse(async (wh) => {
            await createWebLogTables(wh);
            const loaded = await loadHour(wh, r);
            ctx.log(`${r.date} hour ${r.hour}: ${loaded.rows} rows merged, ${loaded.deleted} removed (load ${loaded.loads})`);
            return { ...loaded, fingerprint: r.fingerprint };
          });
        },
      }),
    ],
  });
}

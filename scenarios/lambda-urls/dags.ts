/**
 * The batch layer's DAG, `lambda_url_counts` (hourly): append the topic's new messages to the
 * master data set, recompute `url_hourly` from all of it, check that the counts reconcile, and run
 * the batch tables' quality checks (./quality.ts; a failed blocking check fails the run).
 * Unlike a DAG that reads only its data interval, this one recomputes the whole view on every run:
 * in the lambda architecture the batch view is a function of all the data, which is what lets a
 * fixed bug repair the past. The run's data interval is recorded; the coverage says what it read.
 *
 * Run parameters (ctx.params): `topic` (default "tweets"), `keepTracking` (the bug; default false),
 * `blockSize` (default 50; the speed layer's), `redirects` (a short_url,target_url CSV file;
 * default the sample's).
 */
import type { Kafka } from "kafkajs";
import { defineDag, task, withResource, type Dag } from "../../lib/dag";
import type { TaskContext } from "../../lib/dag/task";
import { WorkbookError } from "../../lib/errors";
import { kafka as configuredKafka } from "../../lib/kafka";
import { openLake } from "../../lib/lake";
import type { Lake } from "../../lib/lake/lake";
import { checkInTask, warehouseTarget } from "../../lib/quality";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { BATCH_TABLES, DEFAULT_BLOCK_SIZE, recomputeBatchView, type Coverage } from "./batch";
import { LAMBDA_SAMPLE } from "./generate";
import { archiveTweets } from "./master";
import { readRedirects } from "./normalize";
import { batchChecks } from "./quality";

export const LAMBDA_DAG_ID = "lambda_url_counts";
export const LAMBDA_TASKS = ["archive_master", "recompute_url_hourly", "reconcile", "quality_checks"] as const;
export const DEFAULT_TOPIC = "tweets";

export interface LambdaDagOptions {
  /** Default openWarehouse() (closed at the end of the run). */
  warehouse?: () => Promise<Warehouse>;
  /** Default openLake() (closed at the end of the run). */
  lake?: () => Promise<Lake>;
  /** Default kafka() (the embedded broker, or KAFKA_BROKERS). */
  kafka?: () => Promise<Kafka>;
}

export function lambdaDag(options: LambdaDagOptions = {}): Dag {
  const topicOf = (ctx: TaskContext) => String(ctx.params.topic ?? "") || DEFAULT_TOPIC;
  const withLake = <T>(fn: (lake: Lake) => Promise<T>): Promise<T> => withResource(options.lake, () => openLake(), fn);
  const withWarehouse = <T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> => withResource(options.warehouse, () => openWarehouse(), fn);
  return defineDag({
    id: LAMBDA_DAG_ID,
    description: "Lambda URL counts: tweets topic -> master data set (lake, by hour) -> url_hourly recomputed in the warehouse",
    schedule: "@hourly",
    startDate: "2021-03-01",
    catchup: false,
    maxActiveTasks: 1,
    defaultRetries: 0,
    defaultRetryDelayMs: 1_000,
    tasks: [
      task({
        id: "archive_master",
        run: async (ctx) => {
          const kafka = options.kafka ? await options.kafka() : await configuredKafka({ clientId: "lambda-archive" });
          const r = await withLake((lake) => archiveTweets({ kafka, lake, topic: topicOf(ctx) }));
          ctx.log(`appended ${r.appended} messages in ${r.files.length} files; archived up to ${JSON.stringify(r.offsets)}`);
          return { appended: r.appended, files: r.files.length, offsets: r.offsets };
        },
      }),
      task({
        id: "recompute_url_hourly",
        upstream: ["archive_master"],
        run: async (ctx) => {
          const redirects = readRedirects(String(ctx.params.redirects ?? "") || LAMBDA_SAMPLE.redirects);
          const blockSize = Number(ctx.params.blockSize ?? DEFAULT_BLOCK_SIZE);
          const keepTracking = ctx.params.keepTracking === true || ctx.params.keepTracking === "true";
          const coverage = await withLake((lake) => withWarehouse((wh) => recomputeBatchView(lake, wh, { topic: topicOf(ctx), redirects, blockSize, keepTracking })));
          ctx.log(`covered ${JSON.stringify(coverage.partitions)} (blocks of ${coverage.blockSize}); ${coverage.tweets} tweets, ${coverage.rejected} rejected; keepTracking=${keepTracking}`);
          return coverage;
        },
      }),
      task({
        id: "reconcile",
        upstream: ["recompute_url_hourly"],
        run: async (ctx) => {
          const coverage = ctx.xcom<Coverage>("recompute_url_hourly");
          if (!coverage) throw new WorkbookError("INPUT_MISSING", "recompute_url_hourly returned no coverage; clear it and run again.");
          return withWarehouse(async (wh) => {
            const r = await wh.query<{ rejected: number }>(`SELECT COUNT(*) AS rejected FROM ${BATCH_TABLES.rejected}`);
            const rejected = Number(r.rows[0].rejected);
            const covered = Object.values(coverage.partitions).reduce((a, b) => a + b, 0);
            if (rejected !== coverage.rejected || coverage.tweets !== covered) {
              throw new WorkbookError("DAG_QUALITY_FAILED", `counts do not reconcile: ${coverage.tweets} tweets read for ${covered} covered offsets, ${rejected} rows in ${BATCH_TABLES.rejected} for ${coverage.rejected} rejected; recompute again.`);
            }
            return { tweets: coverage.tweets, ok: coverage.tweets - rejected, rejected };
          });
        },
      }),
      task({
        id: "quality_checks",
        upstream: ["reconcile"],
        run: (ctx) => withWarehouse((wh) => checkInTask(ctx, warehouseTarget(wh), batchChecks(), { record: true })), // recorded: drift compares with the previous run
      }),
    ],
  });
}

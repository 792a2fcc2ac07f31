/**
 * de-workbook: the shared library (`import { ... } from "de-workbook"`). Each scenario is its own
 * entry, `de-workbook/<scenario>` (e.g. `import { startNetflixRun } from "de-workbook/netflix"`);
 * nothing here imports a scenario. Heavy engines (DuckDB, kafkajs, sharp, vega) load lazily inside
 * the functions that need them, so importing this module is quick.
 */

// Configuration and errors
export { config, readConfig } from "./config";
export type { WorkbookConfig } from "./config";
export { WorkbookError, SqlError, isWorkbookError, isUsageError, ERROR_CODES } from "./errors";
export type { ErrorCode, SqlPosition } from "./errors";
export { projectRoot, shownPath } from "./paths";

// The welcome notebook's backend checks
export { checkBackends, versions } from "./welcome";
export type { BackendCheck } from "./welcome";

// Notebook runs and scraps
export { glue, readScraps, SCRAP_MIME } from "./scraps";
export { runNotebook } from "./runner";
// long work a learner can interrupt and re-run (lib/notebook/session.ts)
export { startOnce, interruptible, openOnce, stopAll, forget, runningWork } from "./notebook/session";
export type { Stoppable } from "./notebook/session";
export type { RunOptions, RunResult } from "./runner";

// Kafka (embedded broker | KAFKA_BROKERS cluster)
export { kafka, kafkaBrokers, closeEmbeddedBroker, startBroker, Broker, readTopic } from "./kafka";
export type { KafkaOptions, BrokerOptions } from "./kafka";

// Warehouse (DuckDB | BigQuery)
export { openWarehouse, dialect, sqlFor } from "./warehouse";
export type {
  OpenWarehouseOptions, Warehouse, TableSchema, Column, ColumnType, LoadOptions, FileLoadOptions, LoadResult, MergeOptions, MergeResult,
  QueryOptions, QueryParams, QueryResult, TableInfo, WarehouseSql, WriteDisposition, Dialect, DialectSql,
} from "./warehouse";

// The lake (a local folder | gs://bucket/prefix): Hive-style partitions, atomic files
export { openLake, partitionPath, parsePartitionPath, partFileName, readInputFiles, inputLines } from "./lake";
export type { Lake, LakeFile, LakePartition, OpenLakeOptions, PartitionFile, PartitionValues, InputFile, ReadInputOptions } from "./lake";

// DAGs: Airflow's model (schedules, data intervals, trigger rules, retries, XCom, sensors), runs in PostgreSQL
export {
  defineDag, task, sensor, skip, SkipTask, runDag, runTask, backfill, runDue, clearTasks, openDagStore, dataIntervalFor, runsBetween,
  dagGraphSvg, ganttSpec, gridHtml, showDag, showGantt, showGrid, liveDag, exportAirflow, STATE_COLORS,
} from "./dag";
export type { Dag, DagOptions, DagRun, TaskInstance, TaskState, TaskContext, DataInterval } from "./dag";

// Data quality: six kinds of check declared next to their table, run as SQL, recorded per run; a failed blocking check stops the load
export {
  freshness, volume, columnsAre, notNull, acceptedValues, range, unique, references, drift, sqlCheck, QUALITY_KINDS,
  warehouseTarget, postgresTarget, runChecks, validateChecks, assertChecks, checkInTask, qualityTask, psi, categoryShift, showScorecard, showCheckHistory, qualitySummary, glueQuality,
} from "./quality";
export type { QualityCheck, QualityKind, QualityTarget, QualityResult, QualityStatus, RunChecksOptions, QualityTaskOptions, PlantedFault, QualitySummary } from "./quality";

// Exercises that check themselves
export { exercise, PLACEHOLDER } from "./teach";
export type { CheckResult, CheckStatus, Exercise, ExerciseSpec } from "./teach";

// The classroom: learner copies of notebooks, and grading a folder of submissions
export { handout, grade, readManifest } from "./classroom";
export type { HandoutManifest, HandoutOptions, GradeOptions, GradeResult, GradebookRow, ExerciseGrade } from "./classroom";

// Named clusters for DAG runs (a local worker pool, or Dataproc)
export { createCluster, getCluster, deleteCluster, listClusters, attachCluster, clusterRecord } from "./jobs/cluster";
export type { Cluster, CreateClusterOptions, ClusterRecord, DataprocClusterRef } from "./jobs/cluster";

// PostgreSQL (PGlite | server)
export { openSql } from "./sql";
export type { OpenSqlOptions, SqlDatabase, SqlQueryable, SqlResult, UpsertOptions } from "./sql";

// Progress (terminal bar; notebooks use showProgress from the display section)
export { progress, formatProgress } from "./progress";
export type { Progress, ProgressOptions, ProgressState } from "./progress";

// Display: tables, charts, maps and progress inline
export { show, tableHtml, tableText, chart, chartSvg, barChart, lineChart, swatchesHtml, worldMap, worldMapSpec, usMap, usMapSpec, showProgress, publish, inNotebook } from "./display";
export type { Tabular, TableOptions, VegaLiteSpec, SimpleChartOptions, WorldMapOptions, UsMapOptions, ShowProgressOptions, MimeBundle } from "./display";

// Jobs: one job module on the local worker pool or Dataproc (the RDD.pipe contract)
export { defineJob, runJob, createJobRunner, LocalJobRunner, DataprocJobRunner, planDataprocRun } from "./jobs";
export type {
  Job, JobSpec, JobResult, JobProgress, JobRunner, JobRunnerOptions, RunJobOptions, RecordError, LocalRunnerOptions, DataprocRunnerOptions, DataprocPlan,
} from "./jobs";

// Images: dominant colours by k-means
export { dominantColours, rgbToHex, parseHex, hueName, colourDistance } from "./images";
export type { Colour, DominantColours, DominantColoursOptions } from "./images";

// Stream processing: event-time windows over Kafka in micro-batches
export { startProcessor, StreamProcessor, StreamEngine, tumbling, sliding, DAY_MS, count, sum, mean, min, max, distinctCount, aggregate } from "./stream";
export { memorySink, mapSink, kafkaSink, parquetSink, postgresSink, warehouseSink, readDeadLetters } from "./stream";
export type {
  ProcessorOptions, ProcessorStats, BatchReport, EngineOptions, EngineStats, BatchResult, DeadRecord, InputRecord, OutputMode, Parsed, WindowRow, TimeWindow, WindowSpec,
  Aggregate, Aggregates, CustomAggregate, Sink, SinkBatch, MemorySink, DeadLetter, StreamQuery,
} from "./stream";



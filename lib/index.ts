/**
 * de-workbook: the one import path for notebooks (`import { ... } from "de-workbook"`).
 * Heavy engines (DuckDB, kafkajs, sharp, vega) load lazily inside the functions that need them,
 * so importing this module is quick.
 */

// Configuration and errors
export { config, readConfig } from "./config";
export type { WorkbookConfig } from "./config";
export { WorkbookError, isWorkbookError } from "./errors";
export { projectRoot } from "./paths";

// The welcome notebook's backend checks
export { checkBackends, versions } from "./welcome";
export type { BackendCheck } from "./welcome";

// Notebook runs and scraps
export { glue, readScraps, SCRAP_MIME } from "./scraps";
export { runNotebook } from "./runner";
export type { RunOptions, RunResult } from "./runner";

// Kafka (embedded broker | KAFKA_BROKERS cluster)
export { kafka, kafkaBrokers, closeEmbeddedBroker, startBroker, Broker } from "./kafka";
export type { KafkaOptions, BrokerOptions } from "./kafka";

// Warehouse (DuckDB | BigQuery)
export { openWarehouse, dialect, sqlFor } from "./warehouse";
export type {
  OpenWarehouseOptions, Warehouse, TableSchema, Column, ColumnType, LoadOptions, FileLoadOptions, LoadResult, QueryOptions, QueryParams,
  QueryResult, TableInfo, WarehouseSql, WriteDisposition, Dialect, DialectSql,
} from "./warehouse";

// PostgreSQL (PGlite | server)
export { openSql, SqlError } from "./sql";
export type { OpenSqlOptions, SqlDatabase, SqlQueryable, SqlResult, UpsertOptions, SqlPosition } from "./sql";

// Progress (terminal bar; notebooks use showProgress from the display section)
export { progress, formatProgress } from "./progress";
export type { Progress, ProgressOptions, ProgressState } from "./progress";

// Display: tables, charts, maps and progress inline
export { show, tableHtml, tableText, chart, chartSvg, barChart, lineChart, swatchesHtml, worldMap, worldMapSpec, showProgress, publish, inNotebook } from "./display";
export type { Tabular, TableOptions, VegaLiteSpec, SimpleChartOptions, WorldMapOptions, ShowProgressOptions, MimeBundle } from "./display";

// Jobs: one job module on the local worker pool or Dataproc (the RDD.pipe contract)
export { defineJob, runJob, createJobRunner, LocalJobRunner, DataprocJobRunner, planDataprocRun } from "./jobs";
export type {
  Job, JobSpec, JobResult, JobProgress, JobRunner, JobRunnerOptions, RunJobOptions, RecordError, LocalRunnerOptions, DataprocRunnerOptions, DataprocPlan,
} from "./jobs";

// Images: dominant colours by k-means
export { dominantColours, rgbToHex, parseHex, hueName, colourDistance } from "./images";
export type { Colour, DominantColours, DominantColoursOptions } from "./images";

// Scenario: image k-means -> warehouse
export {
  findImageColours, loadImageColours, topHues, nearestImages, swatchesSvg, showSwatches, sampleImages, makeSampleImages, IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE,
} from "../scenarios/image-kmeans";
export type { ImageColoursRow, RejectedImage, ImageColoursResult, ImageColoursOptions, HueCount, NearImage, ColourShare } from "../scenarios/image-kmeans";

// Stream processing: event-time windows over Kafka in micro-batches
export { startProcessor, StreamProcessor, StreamEngine, tumbling, sliding, DAY_MS, count, sum, mean, min, max, distinctCount, aggregate } from "./stream";
export { memorySink, mapSink, kafkaSink, parquetSink, postgresSink, warehouseSink } from "./stream";
export type {
  ProcessorOptions, ProcessorStats, BatchReport, EngineOptions, EngineStats, BatchResult, DeadRecord, InputRecord, OutputMode, Parsed, WindowRow, TimeWindow, WindowSpec,
  Aggregate, Aggregates, CustomAggregate, Sink, SinkBatch, MemorySink,
} from "./stream";
export type { QueryOptions as StreamQueryOptions } from "./stream";

// Scenario: Netflix ratings -> windows in PostgreSQL, anomalies in Kafka
export {
  startNetflixRun, showLatestWindows, topMoviesChart, NETFLIX_SAMPLE, readTitles, readRatings, generateSample, writeSample, replayRatings, startNetflixProcessor,
  latestWindows, allWindows, readAnomalies, readDeadLetters, batchRecompute, compareWithOracle,
} from "../scenarios/netflix";
export type { NetflixRun, NetflixRunOptions, NetflixMode, Rating, Title, Anomaly, MovieRatingRow, OracleResult, DeadLetter } from "../scenarios/netflix";

/**
 * lib/stream: event-time stream processing in micro-batches over Kafka.
 *
 *   const p = await startProcessor({ kafka: kafka(), topic, checkpointDir, parse, eventTime,
 *     watermarkDelayMs: DAY_MS, queries: [{ name: "per_movie", window: tumbling(30 * DAY_MS),
 *     key: (r) => r.movieId, aggregates: { n: count(), raters: distinctCount("userId") }, mode: "update" }],
 *     sinks: { per_movie: [postgresSink({ sql, table, key: ["window_start", "movie_id"] })] } });
 *   await p.finish(); await p.close();
 */

// Windows
export { tumbling, sliding, DAY_MS } from "./windows";
export type { TimeWindow, WindowSpec } from "./windows";

// Aggregates
export { count, sum, mean, min, max, distinctCount, aggregate } from "./aggregates";
export type { Aggregate, Aggregates, Accessor, CustomAggregate } from "./aggregates";

// Engine (no I/O)
export { StreamEngine, iso } from "./engine";
export type { ValidRecord } from "./engine";
export { parseJsonObject } from "./parse";
export type { BatchResult, DeadRecord, EngineMeta, EngineOptions, EngineSnapshot, EngineStats, StateChange, InputRecord, OutputMode, Parsed, StreamQuery, WindowRow } from "./engine";

// Processor over Kafka, checkpoints
export { StreamProcessor, startProcessor } from "./processor";
export type { BatchReport, ProcessorOptions, ProcessorStats } from "./processor";
export { FileCheckpoint } from "./checkpoint";
export { groupTopics, partitionFor, readChangelog } from "./group";
export type { GroupStats, RestoredTask, TaskMeta } from "./group";
export { readDeadLetters } from "./dead-letters";
export type { DeadLetter } from "./dead-letters";
export type { Committed, Offsets, Pending } from "./checkpoint";

// Sinks
export { mapSink } from "./sinks/sink";
export type { Sink, SinkBatch, RecordSink, RecordBatch } from "./sinks/sink";
export { memorySink } from "./sinks/memory";
export type { MemorySink } from "./sinks/memory";
export { kafkaSink } from "./sinks/kafka";
export type { KafkaSinkOptions } from "./sinks/kafka";
export { parquetSink } from "./sinks/parquet";
export type { ParquetSinkOptions } from "./sinks/parquet";
export { postgresSink } from "./sinks/postgres";
export type { PostgresSinkOptions } from "./sinks/postgres";
export { warehouseSink } from "./sinks/warehouse";
export type { WarehouseSinkOptions } from "./sinks/warehouse";

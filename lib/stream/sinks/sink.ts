/**
 * A sink receives the rows a query emitted in one batch. Sinks must be idempotent: after a crash
 * the processor replays the last uncommitted batch and writes the same rows again (an upsert by
 * key, a file named after the batch, a Kafka message with the same key and payload).
 */
import type { OutputMode, ValidRecord, WindowRow } from "../engine";

export interface SinkBatch<Row = WindowRow> {
  batchId: number;
  /** In group mode (applicationId), the task (partition) that emitted the rows; batchId counts per task. */
  task?: number;
  query: string;
  mode: OutputMode;
  /** Watermark after the batch (epoch ms; -Infinity before any record, Infinity at flush). */
  watermark: number;
  rows: Row[];
}

export interface Sink<Row = WindowRow> {
  readonly name: string;
  write(batch: SinkBatch<Row>): Promise<void>;
  close?(): Promise<void>;
}

/** The valid records of one batch, for a RecordSink. */
export interface RecordBatch<T> {
  batchId: number;
  /** Watermark after the batch (epoch ms; -Infinity before any valid record). */
  watermark: number;
  records: ValidRecord<T>[];
}

/**
 * A sink for the valid input records themselves (raw events into the lake, say). Like a Sink, it
 * must be idempotent: a replayed batch brings exactly the same records (the same offsets) again.
 */
export interface RecordSink<T> {
  readonly name: string;
  /**
   * Optional work on a batch before it is written, with no effect outside the sink (e.g. encoding
   * its rows). It may run while the previous batch is still being written; `write` then receives the
   * same batch object. A batch prepared but never written (the processor closed) is simply dropped.
   */
  prepare?(batch: RecordBatch<T>): void;
  write(batch: RecordBatch<T>): Promise<void>;
  close?(): Promise<void>;
}

/** A sink that transforms (and may filter) rows before passing them on, e.g. to join titles. */
export function mapSink<Row>(sink: Sink<Row>, map: (rows: WindowRow[]) => Row[]): Sink<WindowRow> {
  return {
    name: sink.name,
    write: (batch) => sink.write({ ...batch, rows: map(batch.rows) }),
    close: sink.close ? () => sink.close!() : undefined,
  };
}

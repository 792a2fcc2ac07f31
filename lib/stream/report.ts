/** What the processor reports after each batch, in one process or in a group. */
import type { BatchResult } from "./engine";

export interface BatchReport {
  batchId: number;
  records: number;
  ok: number;
  rejected: number;
  late: number;
  rowsWritten: Record<string, number>;
  watermark: number;
  durationMs: number;
  /** True when this batch replayed a batch planned before a crash. */
  replayed: boolean;
  /** Group mode: the task (partition) of the batch. */
  task?: number;
  /**
   * One process: true when the next batch had already run through the engine before this one was
   * committed (more records were waiting than one batch holds: the processor prepares ahead).
   */
  nextPrepared?: boolean;
}

/** The report of one processed batch (both modes): the engine's counts, the rows the sinks wrote, the time since `began`. */
export function batchReport(result: BatchResult, batch: { records: number; rowsWritten: Record<string, number>; began: number; replayed: boolean; task?: number; nextPrepared?: boolean }): BatchReport {
  return {
    batchId: result.batchId,
    ...(batch.task !== undefined ? { task: batch.task } : {}),
    records: batch.records,
    ok: result.counts.ok,
    rejected: result.counts.rejected,
    late: result.counts.late,
    rowsWritten: batch.rowsWritten,
    watermark: result.watermarkAfter,
    durationMs: performance.now() - batch.began,
    replayed: batch.replayed,
    ...(batch.nextPrepared !== undefined ? { nextPrepared: batch.nextPrepared } : {}),
  };
}

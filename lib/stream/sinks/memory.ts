import type { Sink, SinkBatch } from "./sink";
import type { WindowRow } from "../engine";

/** A sink that keeps every write in memory: for tests, notebooks and benchmarks. */
export interface MemorySink<Row = WindowRow> extends Sink<Row> {
  /** Every batch written, in order (including empty ones). */
  readonly writes: SinkBatch<Row>[];
  /** All rows written, in order. */
  rows(): Row[];
}

export function memorySink<Row = WindowRow>(name = "memory"): MemorySink<Row> {
  const writes: SinkBatch<Row>[] = [];
  return {
    name,
    writes,
    async write(batch) {
      writes.push({ ...batch, rows: [...batch.rows] });
    },
    rows: () => writes.flatMap((w) => w.rows),
  };
}

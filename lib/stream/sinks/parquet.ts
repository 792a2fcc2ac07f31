import * as fs from "node:fs";
import * as path from "node:path";
import { writeRowsParquet } from "../../warehouse/local-duckdb";
import type { Sink } from "./sink";
import type { WindowRow } from "../engine";

export interface ParquetSinkOptions {
  /** Folder for the files; one file per (query, batch): `<query>-<batch>.parquet`. */
  dir: string;
}

/**
 * Writes each batch's rows to a Parquet file named after the query and batch number, with DuckDB.
 * A replayed batch overwrites its own file, so the folder ends the same after a crash. Read the
 * result with `SELECT * FROM read_parquet('<dir>/*.parquet')` (in update mode, keep the row of the
 * highest batch per window and key). Batch ids are one processor's (they count in its checkpoint):
 * give each processor a folder of its own, or its batches would overwrite another's files.
 */
export function parquetSink<Row extends object = WindowRow>(options: ParquetSinkOptions): Sink<Row> {
  fs.mkdirSync(options.dir, { recursive: true });
  return {
    name: `parquet:${options.dir}`,
    async write(batch) {
      if (batch.rows.length === 0) return;
      const target = path.join(options.dir, `${batch.query}-${String(batch.batchId).padStart(8, "0")}.parquet`);
      const partial = `${target}.tmp`;
      await writeRowsParquet(batch.rows.map((r) => ({ ...r, batch_id: batch.batchId })), partial);
      fs.renameSync(partial, target);
    },
  };
}

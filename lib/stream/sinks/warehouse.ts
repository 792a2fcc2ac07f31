import type { Warehouse } from "../../warehouse/warehouse";
import type { Sink } from "./sink";

export interface WarehouseSinkOptions {
  /** An open warehouse (from `openWarehouse()`); the table must exist and have a `batch_id` INT64 column. */
  warehouse: Warehouse;
  table: string;
}

/**
 * Appends each batch's rows to a warehouse table with a `batch_id` column. Before loading it deletes
 * the rows of the same batch, so a replayed batch replaces its rows instead of doubling them. In
 * update mode a window appears once per batch that changed it: read the latest with
 * `QUALIFY row_number() OVER (PARTITION BY window_start, key ORDER BY batch_id DESC) = 1`.
 * Batch ids are one processor's (they count in its checkpoint): give each processor a table of its
 * own, or a batch would delete another processor's rows of the same batch id.
 */
export function warehouseSink<Row extends Record<string, unknown>>(options: WarehouseSinkOptions): Sink<Row> {
  return {
    name: `warehouse:${options.table}`,
    async write(batch) {
      if (batch.rows.length === 0) return;
      await options.warehouse.query(`DELETE FROM ${options.table} WHERE batch_id = @batch`, { batch: batch.batchId });
      await options.warehouse.loadRows(options.table, batch.rows.map((r) => ({ ...r, batch_id: batch.batchId })));
    },
  };
}

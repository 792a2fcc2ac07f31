import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { openWarehouse, type Warehouse } from "../../../lib/warehouse";
import { warehouseSink } from "../../../lib/stream/sinks/warehouse";
import type { SinkBatch } from "../../../lib/stream/sinks/sink";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";

type Row = { window_start: string; movie: string; ratings: number; mean: number };

async function warehouseWithTable(t: TestContext): Promise<Warehouse> {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await wh.createTable("movie_ratings", {
    columns: [
      { name: "window_start", type: "DATE" },
      { name: "movie", type: "STRING" },
      { name: "ratings", type: "INT64" },
      { name: "mean", type: "FLOAT64" },
      { name: "batch_id", type: "INT64" },
    ],
  });
  return wh;
}

const batch = (batchId: number, rows: Row[]): SinkBatch<Row> => ({ batchId, query: "movie_ratings", mode: "update", watermark: 0, rows });

async function tableRows(wh: Warehouse): Promise<string[]> {
  const r = await wh.query<{ window_start: unknown; movie: string; ratings: number; mean: number; batch_id: number }>(
    "SELECT CAST(window_start AS VARCHAR) AS window_start, movie, ratings, mean, batch_id FROM movie_ratings ORDER BY batch_id, window_start, movie",
  );
  return r.rows.map((x) => `${x.batch_id}|${String(x.window_start)}|${x.movie}|${x.ratings}|${x.mean}`);
}

test("warehouseSink lands a batch's rows with its batch_id, and a re-delivered batch replaces its rows instead of doubling them", async (t) => {
  const wh = await warehouseWithTable(t);
  const sink = warehouseSink<Row>({ warehouse: wh, table: "movie_ratings" });
  assert.equal(sink.name, "warehouse:movie_ratings");

  const first = batch(1, [
    { window_start: "2005-01-03", movie: "Dinosaur Planet", ratings: 3, mean: 4 },
    { window_start: "2005-01-03", movie: "Isle of Man TT 2004 Review", ratings: 2, mean: 3.5 },
  ]);
  await sink.write(first);
  const afterFirst = await tableRows(wh);
  assert.deepEqual(afterFirst, ["1|2005-01-03|Dinosaur Planet|3|4", "1|2005-01-03|Isle of Man TT 2004 Review|2|3.5"]);

  // The processor crashed before committing batch 1 and replays it: same rows, same table.
  await sink.write(first);
  assert.deepEqual(await tableRows(wh), afterFirst, "the replay of batch 1 is idempotent");

  // Batch 2 updates one window; its replay (even with the rows recomputed) replaces only batch 2's rows.
  await sink.write(batch(2, [{ window_start: "2005-01-03", movie: "Dinosaur Planet", ratings: 4, mean: 4.25 }]));
  await sink.write(batch(2, [{ window_start: "2005-01-03", movie: "Dinosaur Planet", ratings: 4, mean: 4.25 }]));
  assert.deepEqual(await tableRows(wh), [...afterFirst, "2|2005-01-03|Dinosaur Planet|4|4.25"]);

  // The latest version of each window, as the sink's documentation says to read it.
  const latest = await wh.query<{ movie: string; ratings: number }>(
    "SELECT movie, ratings FROM movie_ratings QUALIFY row_number() OVER (PARTITION BY window_start, movie ORDER BY batch_id DESC) = 1 ORDER BY movie",
  );
  assert.deepEqual(latest.rows.map((r) => [r.movie, r.ratings]), [["Dinosaur Planet", 4], ["Isle of Man TT 2004 Review", 2]]);

  // A batch without rows changes nothing (it does not wipe an earlier write of that batch).
  await sink.write(batch(2, []));
  assert.equal((await tableRows(wh)).length, 3);
});

test("warehouseSink refuses rows that do not fit the table, and leaves the table as it was", async (t) => {
  const wh = await warehouseWithTable(t);
  const sink = warehouseSink<Record<string, unknown>>({ warehouse: wh, table: "movie_ratings" });
  await sink.write({ batchId: 1, query: "q", mode: "update", watermark: 0, rows: [{ window_start: "2005-01-03", movie: "A", ratings: 1, mean: 1 }] });
  await assert.rejects(sink.write({ batchId: 2, query: "q", mode: "update", watermark: 0, rows: [{ window_start: "2005-01-03", movie: "B", ratings: "many", mean: 1 }] }));
  assert.deepEqual(await tableRows(wh), ["1|2005-01-03|A|1|1"]);
});

test("warehouseSink on BigQuery: a batch deletes its earlier rows with an INT64 @batch, then loads its rows with the batch_id (the BigQuery stand-in)", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "stream", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  await wh.createTable("movie_ratings", {
    columns: [
      { name: "window_start", type: "DATE" }, { name: "movie", type: "STRING" }, { name: "ratings", type: "INT64" }, { name: "mean", type: "FLOAT64" }, { name: "batch_id", type: "INT64" },
    ],
  });
  const sink = warehouseSink<Row>({ warehouse: wh, table: "movie_ratings" });
  await sink.write(batch(7, [{ window_start: "2005-01-03", movie: "Dinosaur Planet", ratings: 3, mean: 4 }]));
  const [query] = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries"));
  assert.equal(query.json?.query, "DELETE FROM movie_ratings WHERE batch_id = @batch");
  assert.deepEqual(query.json?.queryParameters, [{ name: "batch", parameterType: { type: "INT64" }, parameterValue: { value: 7 } }]);
  const upload = standIn.requests.find((r) => r.path.startsWith("/upload/"));
  assert.deepEqual(JSON.parse(String(upload?.upload).trim()), { window_start: "2005-01-03", movie: "Dinosaur Planet", ratings: 3, mean: 4, batch_id: 7 });
});

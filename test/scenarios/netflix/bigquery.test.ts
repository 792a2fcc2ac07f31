/**
 * Netflix sends no SQL to BigQuery: its only warehouse SQL is the batch oracle's (oracle.ts), DuckDB
 * by design (it reads the raw files on this machine with read_text and works with lists). Given a
 * BigQuery warehouse, the oracle stops with a clear error before it sends anything, which this test
 * checks against the local stand-in of the BigQuery API (test/cloud/bigquery-stand-in.ts).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { batchRecompute } from "../../../scenarios/netflix/oracle";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";
import { tempDir } from "../../helpers";

test("the Netflix batch oracle given a BigQuery warehouse is an OPTIONS_INVALID error naming WAREHOUSE and the fix, and sends no request", { timeout: 30_000 }, async (t) => {
  const source = path.join(tempDir(t), "part-0.csv");
  fs.writeFileSync(source, `${RATING_HEADER}\n2005-01-03,1,10,5\n`);
  const standIn = await startStandIn({ pollsUntilDone: 0 });
  t.after(() => standIn.close());
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "netflix", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  const before = standIn.requests.length;
  await assert.rejects(batchRecompute(source, new Map([[1, { movieId: 1, year: 2001, title: "One" }]]), {}, { warehouse: wh }),
    (e) => isWorkbookError(e, "OPTIONS_INVALID") && /batchRecompute/.test(e.message) && /WAREHOUSE=bigquery/.test(e.message) && /openWarehouse\(\{ memory: true \}\)/.test(e.message));
  assert.equal(standIn.requests.length, before, "nothing was sent to BigQuery");
});

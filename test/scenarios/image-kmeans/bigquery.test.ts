/**
 * The BigQuery contract for the image-kmeans scenario's warehouse side, run against the local
 * stand-in of the BigQuery API (test/cloud/bigquery-stand-in.ts): loads merge by key (staging table,
 * one MERGE, drop; the images dimension first) and the two queries send INT64 parameters. The stand-in runs no SQL; the ZetaSQL
 * check (test/zetasql) analyzes the same statements.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import type { ImageColoursRow } from "../../../scenarios/image-kmeans/job";
import { IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE, IMAGES_TABLE, loadImageColours, nearestImages, storedCounts, topHues } from "../../../scenarios/image-kmeans/warehouse";
import { compareDayLoads, DAY_LOAD_TABLES } from "../../../scenarios/image-kmeans/lessons";
import { imageChecks, runImageChecks } from "../../../scenarios/image-kmeans/quality";
import { fakeAuthClient, startStandIn, zeroRowOfAliases } from "../../cloud/bigquery-stand-in";

const AT = "2024-05-01T10:00:00.000Z";
const row = (uri: string, hex: string, hue: string): ImageColoursRow => ({
  uri, width: 160, height: 120, k: 3, resize: 100, processed_at: AT,
  colours: [{ hex, r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16), share: 1, hue }],
});

test("BigQuery contract: image colours merge by key through a staging table, and the queries send INT64 parameters", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  standIn.answer = zeroRowOfAliases;
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "images", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());

  const result = await loadImageColours(wh, [row("a.png", "#2040e0", "blue"), row("b.png", "#e02020", "red")], [{ uri: "bad.png", reason: "not an image: bad.png", processed_at: AT }]);
  assert.deepEqual(result, { rows: 2, rejected: 1 });
  assert.deepEqual(await storedCounts(wh), { rows: 0, images: 0, rejected: 0 });
  await topHues(wh, { k: 3, limit: 5 });
  await nearestImages(wh, "#3080ff", { resize: 100 });

  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as Record<string, unknown>);
  const merges = queries.map((q) => String(q.query)).filter((s) => s.startsWith("MERGE"));
  assert.deepEqual(merges.map((s) => /^MERGE INTO `images\.(\w+)` AS t\nUSING `images\.(\w+)_merge_[0-9a-f]{12}` AS s/.exec(s)?.slice(1)), [
    [IMAGES_TABLE, IMAGES_TABLE], [IMAGE_COLORS_TABLE, IMAGE_COLORS_TABLE], [IMAGE_REJECTED_TABLE, IMAGE_REJECTED_TABLE],
  ]);
  assert.match(merges[1], /ON t\.`uri` = s\.`uri` AND t\.`k` = s\.`k` AND t\.`resize` = s\.`resize`/);
  // every staging table is dropped after its MERGE
  const staged = standIn.requests.filter((r) => r.method === "POST" && /\/tables$/.test(r.path) && /_merge_/.test(String((r.json?.tableReference as { tableId: string }).tableId)));
  const dropped = standIn.requests.filter((r) => r.method === "DELETE" && /_merge_/.test(r.path));
  assert.equal(staged.length, 3);
  assert.equal(dropped.length, 3);
  const params = queries.filter((q) => q.queryParameters).map((q) => ((q.queryParameters ?? []) as { name: string; parameterType: { type: string } }[]).map((p) => `${p.name}:${p.parameterType.type}`).sort().join(","));
  assert.deepEqual(params, ["k:INT64,limit:INT64", "b:INT64,g:INT64,limit:INT64,r:INT64,resize:INT64"]);
  for (const q of queries) assert.equal(q.useLegacySql, false);
});

test("BigQuery contract: the image checks send BigQuery's JSON function for the colour count, and the naive day load is a WRITE_TRUNCATE into the day's partition", { timeout: 30_000 }, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  standIn.answer = zeroRowOfAliases;
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "images", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  const rows = [row("a.png", "#2040e0", "blue"), row("b.png", "#e02020", "red")];
  await loadImageColours(wh, rows, [{ uri: "bad.png", reason: "not an image: bad.png", processed_at: AT }]);
  const results = await runImageChecks(wh, { now: new Date("2024-05-01T12:00:00.000Z") });
  assert.equal(results.length, imageChecks().length);
  const sent = () => standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => String((r.json as Record<string, unknown>).query));
  const count = sent().find((s) => /colours\)\) > k/.test(s));
  assert.match(count ?? "", /ARRAY_LENGTH\(JSON_QUERY_ARRAY\(colours\)\) > k AND processed_at >= TIMESTAMP '2024-05-01 00:00:00\.000' AND processed_at < TIMESTAMP '2024-05-01 12:00:00\.000'/);
  assert.ok(!sent().some((s) => /json_array_length/.test(s)), "no DuckDB function on BigQuery");

  await compareDayLoads(wh, rows, [row("c.png", "#30c050", "green")]);
  const loads = standIn.requests.filter((r) => r.path.startsWith("/upload/")).map((r) => (r.json?.configuration as { load: { destinationTable: { tableId: string }; writeDisposition: string } }).load);
  const destinations = loads.map((l) => `${l.destinationTable.tableId} ${l.writeDisposition}`);
  assert.ok(destinations.includes(`${DAY_LOAD_TABLES.truncate}$20240501 WRITE_TRUNCATE`), destinations.join("; "));
});

/**
 * The BigQuery contract for the Sparkify ETL, run against the local stand-in of the BigQuery API
 * (test/cloud/bigquery-stand-in.ts): the whole interval (clean, stage, star schema, quality checks,
 * exercises, export to the lake) with the warehouse on BigQuery. The stand-in runs no SQL, so this
 * asserts what reaches BigQuery; the ZetaSQL check (test/zetasql) analyzes the same statements.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { createCluster, deleteCluster } from "../../../lib/jobs/cluster";
import { openLake } from "../../../lib/lake";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import { writeStarToLake } from "../../../scenarios/sparkify/export";
import { sparkifyExercises } from "../../../scenarios/sparkify/exercises";
import { generateSparkify, writeSparkify } from "../../../scenarios/sparkify/generate";
import { runQualityChecks } from "../../../scenarios/sparkify/quality";
import { naiveDuplicates, playsByHour, songPartitions, starLakeLayout, unmatchedPlays, usersByLevel } from "../../../scenarios/sparkify/analysis";
import { buildStarSchema, createTables, naiveSongplayRows, TABLES } from "../../../scenarios/sparkify/star-schema";
import { cleanEvents, loadEvents, loadSongs, rejectedLines } from "../../../scenarios/sparkify/steps";
import { fakeAuthClient, startStandIn, zeroRowOfAliases } from "../../cloud/bigquery-stand-in";
import { tempDir } from "../../helpers";

const NOVEMBER = { start: "2018-11-01T00:00:00.000Z", end: "2018-12-01T00:00:00.000Z" };

test("BigQuery contract: the Sparkify interval reaches BigQuery as loads and named-parameter GoogleSQL, the BigQuery text of the time dimension's dialect pair included", { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const data = generateSparkify({ seed: 3, songs: 20, users: 5, days: 3, events: 300 });
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  await writeSparkify(lake, data, "sparkify/raw");
  const sources = { lake, songs: await openLake({ root: lake.uri("sparkify/raw/song_data") }), logs: await openLake({ root: lake.uri("sparkify/raw/log_data") }) };
  const cluster = await createCluster({ name: "test-sparkify-bigquery", runner: "local", workers: 1 });
  t.after(() => deleteCluster("test-sparkify-bigquery"));

  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  // The scenario reads the first row of its counts: one row of zeros. The export's SELECT * gets a
  // row with the columns it partitions by.
  standIn.answer = (sql) => /^SELECT \*/.test(sql)
    ? { fields: ["id", "year", "month", "artist_id"].map((name) => ({ name, type: "STRING" })), rows: [["x", "2018", "11", "AR1"]] }
    : zeroRowOfAliases(sql);
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "sparkify", location: "US", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());

  await createTables(wh);
  const clean = await cleanEvents(cluster, sources, wh, NOVEMBER);
  assert.equal(clean.lines, clean.ok + clean.rejected.length, "in = ok + rejected");
  assert.ok(clean.rejected.length > 0, "the sample has malformed lines");
  const songs = await loadSongs(cluster, sources, wh);
  assert.equal(songs.songs, data.truth.songs);
  await loadEvents(lake, wh, clean.parquet, NOVEMBER);
  await buildStarSchema(wh, NOVEMBER);
  await naiveSongplayRows(wh, NOVEMBER);
  const quality = await runQualityChecks(wh, NOVEMBER);
  assert.ok(quality.length > 10);
  const ex = sparkifyExercises(wh, NOVEMBER);
  await ex.playsByLevel.verdict(await ex.playsByLevel.solution());
  await ex.busiestHour.solution();
  await ex.joinCondition.verdict(await ex.joinCondition.solution());
  await writeStarToLake(wh, lake, "sparkify/star", NOVEMBER);
  await rejectedLines(wh, 10); // the notebook's look at the rejected lines
  // the notebook's figures beside its charts
  await playsByHour(wh);
  await usersByLevel(wh);
  await unmatchedPlays(wh, NOVEMBER);
  await naiveDuplicates(wh, NOVEMBER);
  await songPartitions(wh);
  await starLakeLayout(lake, wh, "sparkify/star", NOVEMBER);

  // loads: the rejected lines appended, the songs and every clean Parquet file of the interval staged
  const loads = standIn.requests.filter((r) => r.path.startsWith("/upload/")).map((r) => (r.json?.configuration as { load: { destinationTable: { tableId: string }; writeDisposition: string; sourceFormat: string } }).load);
  assert.deepEqual(loads.filter((l) => l.destinationTable.tableId === TABLES.stagingSongs).map((l) => [l.writeDisposition, l.sourceFormat]), [["WRITE_TRUNCATE", "NEWLINE_DELIMITED_JSON"]]);
  assert.equal(loads.filter((l) => l.destinationTable.tableId === TABLES.stagingEvents && l.sourceFormat === "PARQUET").length, clean.parquet.length);
  assert.equal(loads.filter((l) => l.destinationTable.tableId === TABLES.rejected).length, 1);

  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as Record<string, unknown>);
  const texts = queries.map((q) => String(q.query));
  for (const q of queries) {
    const sql = String(q.query);
    assert.equal(q.useLegacySql, false);
    assert.doesNotMatch(sql, /\$\w|::|GROUP BY ALL|\bILIKE\b|read_parquet|\bCOPY\b|date_trunc|strftime|\bhour\(|\bdayofweek\(/i, sql);
    const used = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]))].sort();
    const sent = (q.queryParameters ?? []) as { name: string; parameterType: { type: string } }[];
    assert.deepEqual(sent.map((p) => p.name).sort(), used, sql);
    for (const p of sent) assert.equal(p.parameterType.type, p.name === "file" ? "STRING" : "TIMESTAMP", `${p.name} in ${sql}`);
  }
  // the BigQuery side of the time dimension's dialect pair, the MERGEs of users, songs and artists, the DELETEs of a re-run
  assert.equal(texts.filter((s) => s === `SELECT file, line_no, reason, text FROM ${TABLES.rejected} ORDER BY file, line_no LIMIT 10`).length, 1);
  assert.equal(texts.filter((s) => /INSERT INTO sparkify_time SELECT DISTINCT start_time, EXTRACT\(HOUR FROM start_time\)/.test(s)).length, 1);
  assert.deepEqual(texts.filter((s) => /^\s*MERGE INTO/.test(s)).map((s) => /MERGE INTO (\w+)/.exec(s)?.[1]), [TABLES.users, TABLES.songs, TABLES.artists]);
  for (const table of [TABLES.stagingEvents, TABLES.songplays, TABLES.time]) {
    assert.equal(texts.filter((s) => s === `DELETE FROM ${table} WHERE start_time >= @start AND start_time < @end`).length, 1, table);
  }
  assert.ok(texts.some((s) => /FROM sparkify_songplays WHERE start_time >= TIMESTAMP '2018-11-01 00:00:00.000' AND start_time < TIMESTAMP '2018-12-01 00:00:00.000'/.test(s)), "the export selects the interval with timestamp literals");
});

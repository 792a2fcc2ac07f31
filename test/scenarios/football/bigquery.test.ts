/**
 * The BigQuery contract for the football scenario, run against the local stand-in of the BigQuery
 * API (test/cloud/bigquery-stand-in.ts). It lives here, not in test/lib/warehouse/bigquery.test.ts,
 * because tests of lib/ never import a scenario (test/lib/layers.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BigQueryWarehouse } from "../../../lib/warehouse/bigquery";
import * as football from "../../../scenarios/football";
import { fakeAuthClient, startStandIn } from "../../cloud/bigquery-stand-in";

const TIMEOUT = { timeout: 30_000 };

test("BigQuery contract: the football scenario's load and queries reach BigQuery as TRUNCATE loads and named-parameter GoogleSQL, with no DuckDB-only syntax", TIMEOUT, async (t) => {
  const standIn = await startStandIn({ pollsUntilDone: 0, pageSize: 100 });
  t.after(() => standIn.close());
  const wh = await BigQueryWarehouse.create({ project: standIn.project, dataset: "football", location: "EU", apiEndpoint: standIn.url, authClient: fakeAuthClient(), pollMs: 5 });
  t.after(() => wh.close());
  const records = football.withInjected(football.readFootball().slice(0, 200));
  const loaded = await football.loadMatches(wh, records);
  assert.equal(loaded.input, loaded.ok + loaded.rejected.length);
  const loads = standIn.requests.filter((r) => r.path.startsWith("/upload/")).map((r) => (r.json?.configuration as { load: { destinationTable: { tableId: string }; writeDisposition: string } }).load);
  assert.deepEqual(loads.map((l) => [l.destinationTable.tableId, l.writeDisposition]), [["football_matches", "WRITE_TRUNCATE"], ["football_teams", "WRITE_TRUNCATE"], ["football_rejected", "WRITE_TRUNCATE"]]);

  // every query of the walkthrough, the Elo input and the exercises' references (the stand-in answers no rows)
  const season = "2015-16";
  const division = "English Premier League";
  await football.seasons(wh);
  await football.leagueTable(wh, season, division);
  await football.positions(wh, season, division);
  await football.homeAdvantage(wh);
  await football.teamSeasons(wh);
  await football.divisionElo(wh, division);
  await wh.query(football.POINTS_SQL, { division: division });
  await wh.query(football.GOALLESS_SQL, { season: season, division: division });
  // the notebook's looks at the load
  assert.deepEqual(await football.readRejectedRecords(wh), []);
  assert.equal(await football.countMatches(wh), 0);
  const queries = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/queries")).map((r) => r.json as Record<string, unknown>);
  assert.equal(queries.length, 10);
  for (const q of queries) {
    const sql = String(q.query);
    assert.equal(q.useLegacySql, false);
    assert.doesNotMatch(sql, /\$\w|::|GROUP BY ALL|\bILIKE\b|date_trunc|strftime|\bLIST\(|\bSTRUCT_PACK\b/i, sql);
    const used = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]))].sort();
    const sent = ((q.queryParameters ?? []) as { name: string; parameterType: { type: string } }[]);
    assert.deepEqual(sent.map((p) => p.name).sort(), used, sql);
    for (const p of sent) assert.equal(p.parameterType.type, "STRING");
    if (used.length > 0) assert.equal(q.parameterMode, "named");
  }
  assert.deepEqual(queries.map((q) => ((q.queryParameters ?? []) as { name: string }[]).map((p) => p.name).sort().join(",")), ["", "division,season", "division,season", "", "", "division", "division", "division,season", "", ""]);
});

/**
 * football's checks on the real file, season by season: a clean load passes (drift: the first season
 * has nothing to compare with, a warning); freshness and drift measure what a second computation over
 * football.json gives; a duplicated match (planted on a copy) and scores shifted by 3 goals are caught.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { equalWidthEdges, psi, QUALITY_KINDS, runChecks, warehouseTarget } from "../../../lib/quality";
import { openWarehouse } from "../../../lib/warehouse";
import { footballFile, loadMatches, readFootball, TABLES, withInjected } from "../../../scenarios/football/matches";
import { checksBySeason, footballChecks, plantDuplicateMatch, runFootballChecks, seasonInterval } from "../../../scenarios/football/quality";

/** football.json's played matches as plain JSON, with their season (July to June). */
function played(): { season: string; date: string; hs: number }[] {
  const records = JSON.parse(fs.readFileSync(footballFile(), "utf8")) as Record<string, unknown>[];
  return records.filter((r) => Number.isInteger(r.home_score) && Number.isInteger(r.away_score)).map((r) => {
    const date = String(r.date);
    const start = Number(date.slice(5, 7)) >= 7 ? Number(date.slice(0, 4)) : Number(date.slice(0, 4)) - 1;
    return { season: `${start}-${String(start + 1).slice(2)}`, date, hs: r.home_score as number };
  });
}

test("seasonInterval: July 1 to July 1; a value that is no season is refused, naming it", () => {
  assert.deepEqual(seasonInterval("2015-16"), { start: new Date("2015-07-01T00:00:00Z"), end: new Date("2016-07-01T00:00:00Z") });
  assert.throws(() => seasonInterval("2015"), /season "2015" is not a season like "2015-16"/);
});

test("football checks, season by season: all six kinds; the clean load passes but for the first season's drift; freshness and drift as computed from football.json", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadMatches(wh, withInjected(readFootball()));
  const runs = await runFootballChecks(wh);
  assert.deepEqual(runs.map((r) => r.season), ["2013-14", "2014-15", "2015-16", "2016-17"]);
  assert.deepEqual(QUALITY_KINDS.filter((k) => runs[0].results.some((r) => r.kind === k)), ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  const notPassed = runs.map((r) => r.results.filter((x) => x.status !== "pass").map((x) => `${r.season} ${x.check} ${x.status}`)).flat();
  assert.deepEqual(notPassed, ["2013-14 home_score distribution warn"]);

  const raw = played();
  // freshness: the last season's newest match (2017-05-28) to July 1, 2017: 34 days
  const newest = raw.filter((m) => m.season === "2016-17").map((m) => m.date).sort().pop();
  assert.equal(newest, "2017-05-28");
  const fresh = runs[3].results.find((r) => r.kind === "freshness");
  assert.equal(fresh?.observed, 34 * 24);
  // drift of 2014-15: PSI of its home scores against 2013-14's, in ten equal bins over 2013-14's range
  const scores = (season: string) => raw.filter((m) => m.season === season).map((m) => m.hs);
  const first = scores("2013-14");
  const edges = equalWidthEdges(Math.min(...first), Math.max(...first), 10);
  const bins = (xs: number[]) => xs.reduce((c, x) => { c[edges.filter((e) => x >= e).length]++; return c; }, new Array<number>(edges.length + 1).fill(0));
  const d = runs[1].results.find((r) => r.check === "home_score distribution");
  assert.ok(Math.abs((d?.observed ?? NaN) - psi(bins(first), bins(scores("2014-15")))) < 1e-9, `${d?.observed}`);

  const table = checksBySeason(runs);
  assert.equal(table.length, footballChecks().length);
  assert.deepEqual(Object.keys(table[0]), ["table", "check", "kind", "2013-14", "2014-15", "2015-16", "2016-17", "observed 2016-17"]);
});

test("a planted duplicate match is caught on a copy: uniqueness and the round robin fail, the notebook's warehouse is untouched; shifted scores drift", { timeout: 120_000 }, async (t) => {
  const records = withInjected(readFootball());
  const planted = await plantDuplicateMatch(records, "2015-16");
  assert.equal(planted.duplicated.date, "2015-07-25");
  const failed = planted.results.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]);
  assert.deepEqual(failed, [["every league-season is whole round robins of its clubs", 1], ["one row per division, day and home team", 1]]);
  assert.throws(() => seasonInterval("next year"), /is not a season/);
  await assert.rejects(plantDuplicateMatch(records, "1999-00"), /no match of season "1999-00"/);

  // every home score 3 goals higher from 2014-15 on: 2014-15's distribution drifts from 2013-14's
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await loadMatches(wh, records);
  await wh.query(`UPDATE ${TABLES.matches} SET home_score = home_score + 3 WHERE season <> '2013-14'`);
  const target = warehouseTarget(wh);
  await runChecks(target, footballChecks(), { interval: seasonInterval("2013-14") });
  const drifted = (await runChecks(target, footballChecks(), { interval: seasonInterval("2014-15") })).find((r) => r.check === "home_score distribution");
  assert.equal(drifted?.status, "fail");
  assert.ok((drifted?.observed ?? 0) > 1, "a 3-goal shift is far above 0.2");
});

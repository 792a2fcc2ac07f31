/** Validating and loading football.json: every record is a match or a rejected record with its reason. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { countMatches, INJECTED, loadMatches, readFootball, readRejectedRecords, seasonOf, TABLES, validateMatch, withInjected } from "../../../scenarios/football/matches";

const GOOD = { date: "2015-08-08", division: "English Premier League", home_team: "Leicester City", away_team: "Sunderland", home_score: 4, away_score: 2 };

test("validateMatch accepts a played match and gives its season (July to June)", () => {
  assert.deepEqual(validateMatch(GOOD), { ok: true, match: { season: "2015-16", division: "English Premier League", match_date: "2015-08-08", home_team: "Leicester City", away_team: "Sunderland", home_score: 4, away_score: 2 } });
  assert.equal(seasonOf("2016-05-15"), "2015-16");
  assert.equal(seasonOf("2016-07-01"), "2016-17");
  assert.equal(seasonOf("1999-12-31"), "1999-00");
});

test("validateMatch rejects each kind of bad record with its reason", () => {
  const reason = (patch: Record<string, unknown>) => {
    const v = validateMatch({ ...GOOD, ...patch });
    return v.ok ? "ok" : v.reason;
  };
  assert.match(reason({ date: "2015-02-30" }), /date "2015-02-30" is not a day/);
  assert.match(reason({ date: "yesterday" }), /is not a day/);
  assert.match(reason({ date: undefined }), /is not a day/);
  assert.match(reason({ home_team: "" }), /home_team is missing/);
  assert.match(reason({ away_team: "  " }), /away_team is missing/);
  assert.match(reason({ division: null }), /division is missing/);
  assert.match(reason({ away_team: "Leicester City" }), /Leicester City cannot play itself/);
  assert.match(reason({ home_score: -1 }), /home_score -1 is negative/);
  assert.match(reason({ away_score: 1.5 }), /away_score 1.5 is not a whole number/);
  assert.match(reason({ away_score: "2" }), /away_score "2" is not a whole number/);
  assert.match(reason({ home_score: null }), /home_score is missing/);
});

test("football.json with the planted faults: records in = matches loaded + rejected, and a re-run replaces rather than doubles", { timeout: 120_000 }, async (t) => {
  const raw = readFootball();
  assert.equal(raw.length, 6508);
  const records = withInjected(raw);
  assert.equal(records.length, 6508 + INJECTED.length);
  for (const { at, record } of INJECTED) assert.equal(records[at], record);
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const first = await loadMatches(wh, records);
  assert.equal(first.input, first.ok + first.rejected.length);
  assert.equal(first.rejected.length, INJECTED.length + 4, "the planted faults and the file's four matches without a score");
  assert.equal(first.rejected.filter((r) => /score is missing/.test(r.reason)).length, 4);
  for (const { at } of INJECTED) assert.ok(first.rejected.some((r) => r.record_no === at), `record ${at} is rejected`);
  const second = await loadMatches(wh, records);
  assert.deepEqual(second, first);
  const count = async (table: string) => Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
  assert.equal(await count(TABLES.matches), first.ok);
  assert.equal(await count(TABLES.rejected), first.rejected.length);
  assert.equal(await countMatches(wh), first.ok);
  assert.deepEqual((await readRejectedRecords(wh)).map((r) => [r.record_no, r.reason]), first.rejected.map((r) => [r.record_no, r.reason]).sort((a, b) => Number(a[0]) - Number(b[0])));
  const seasons = await wh.query<{ season: string; n: number }>(`SELECT season, COUNT(*) AS n FROM ${TABLES.matches} GROUP BY season ORDER BY season`);
  assert.deepEqual(seasons.rows.map((r) => r.season), ["2013-14", "2014-15", "2015-16", "2016-17"]);
});

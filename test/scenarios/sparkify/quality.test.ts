/**
 * Sparkify's 23 checks on a hand-made star (two plays), through lib/quality: all pass (freshness and
 * drift warn), then each planted fault is caught by the check that guards against it, with the
 * observed value; and the level drift against the previous run, worked out by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { kindOf, QUALITY_KINDS, runChecks, warehouseTarget } from "../../../lib/quality";
import { qualityChecks, runQualityChecks } from "../../../scenarios/sparkify/quality";
import { createTables, TABLES } from "../../../scenarios/sparkify/star-schema";

const NOVEMBER = { start: "2018-11-01T00:00:00.000Z", end: "2018-12-01T00:00:00.000Z" };
const t1 = new Date("2018-11-03T10:00:00Z");
const t2 = new Date("2018-11-04T11:00:00Z");

test("Sparkify's 23 checks of the six kinds: a clean star passes; a duplicated user, a level that is neither free nor paid, a play of an unknown artist and a missing staged event are caught", { timeout: 60_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await createTables(wh);
  assert.equal(qualityChecks().length, 23);
  assert.deepEqual([...new Set(qualityChecks().map(kindOf))].sort(), [...QUALITY_KINDS].sort());
  await wh.loadRows(TABLES.users, [{ user_id: "7", level: "free", last_seen: t1 }]);
  await wh.loadRows(TABLES.artists, [{ artist_id: "AR1", name: "A" }]);
  await wh.loadRows(TABLES.songs, [{ song_id: "S1", title: "x", artist_id: "AR1" }]);
  await wh.loadRows(TABLES.time, [t1, t2].map((start_time) => ({ start_time })));
  await wh.loadRows(TABLES.songplays, [
    { songplay_id: "p1", start_time: t1, user_id: "7", song_id: "S1", artist_id: "AR1" },
    { songplay_id: "p2", start_time: t2, user_id: "7", song_id: null, artist_id: null },
  ]);
  await wh.loadRows(TABLES.stagingEvents, [t1, t2].map((start_time) => ({ ts: start_time.getTime(), start_time, user_id: "7", page: "NextSong" })));
  const failed = async () => (await runQualityChecks(wh, NOVEMBER)).filter((q) => !q.passed).map((q) => [q.table, q.check, q.value]);
  assert.deepEqual(await failed(), []);
  // the newest staged event (Nov 4, 11:00) is 26 days and 13 hours before the interval's end (Dec 1, 00:00): 637 h, a warning
  const fresh = (await runChecks(warehouseTarget(wh), qualityChecks().filter((c) => c.type === "freshness"), { interval: { start: new Date(NOVEMBER.start), end: new Date(NOVEMBER.end) }, record: false }))[0];
  assert.deepEqual([fresh.table, fresh.status, fresh.observed], [TABLES.stagingEvents, "warn", 637]);

  await wh.loadRows(TABLES.users, [{ user_id: "7", level: "paid", last_seen: t2 }]);
  await wh.loadRows(TABLES.songplays, [{ songplay_id: "p3", start_time: t2, user_id: "7", level: "gold", song_id: "S1", artist_id: "AR9" }]);
  assert.deepEqual(await failed(), [
    [TABLES.users, "user_id is unique", 1],
    [TABLES.songplays, "level in accepted values", 1], // gold
    [TABLES.songplays, "every artist_id exists in sparkify_artists", 0.5], // AR9 of AR1, AR9 (p2 has none)
    [TABLES.songplays, "songplays = logged-in NextSong events (difference)", 1], // 3 plays, 2 staged events
  ]);
});

test("Sparkify's level drift: the first run has nothing to compare with (a warning, the reference); the next is compared with it, share by share", { timeout: 60_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await createTables(wh);
  const plays = (month: number, levels: string[]) => levels.map((level, i) => ({ songplay_id: `${month}-${i}`, start_time: new Date(Date.UTC(2018, month, 2 + i)), user_id: "7", level }));
  await wh.loadRows(TABLES.songplays, [...plays(10, ["free", "free", "free", "paid"]), ...plays(11, ["free", "paid", "paid", "paid"]), ...plays(12, ["free", "paid", "paid", "paid"])]);
  const checks = qualityChecks().filter((c) => c.type === "drift");
  const month = async (m: number) => (await runChecks(warehouseTarget(wh), checks, { interval: { start: new Date(Date.UTC(2018, m, 1)), end: new Date(Date.UTC(2018, m + 1, 1)) } }))[0];
  const first = await month(10);
  assert.deepEqual([first.status, first.observed], ["warn", null]);
  const second = await month(11); // paid 1 of 4, then 3 of 4: 50 points, over the 10 allowed (a warning: drift does not stop the load)
  assert.deepEqual([second.status, second.observed, second.blocking], ["warn", 0.5, false]);
  const third = await month(12); // the same shares as the month before
  assert.deepEqual([third.status, third.observed], ["pass", 0]);
});

/**
 * Sparkify's 20 checks on a hand-made star (two plays), through lib/quality: all pass, then each
 * planted fault is caught by the check that guards against it, with the observed value.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { qualityChecks, runQualityChecks } from "../../../scenarios/sparkify/quality";
import { createTables, TABLES } from "../../../scenarios/sparkify/star-schema";

const NOVEMBER = { start: "2018-11-01T00:00:00.000Z", end: "2018-12-01T00:00:00.000Z" };
const t1 = new Date("2018-11-03T10:00:00Z");
const t2 = new Date("2018-11-04T11:00:00Z");

test("Sparkify's 20 checks: a clean star passes; a duplicated user, a play of an unknown artist and a missing staged event are caught", { timeout: 60_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await createTables(wh);
  assert.equal(qualityChecks().length, 20);
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

  await wh.loadRows(TABLES.users, [{ user_id: "7", level: "paid", last_seen: t2 }]);
  await wh.loadRows(TABLES.songplays, [{ songplay_id: "p3", start_time: t2, user_id: "7", song_id: "S1", artist_id: "AR9" }]);
  assert.deepEqual(await failed(), [
    [TABLES.users, "user_id is unique", 1],
    [TABLES.songplays, "every artist_id exists in sparkify_artists", 0.5], // AR9 of AR1, AR9 (p2 has none)
    [TABLES.songplays, "songplays = logged-in NextSong events (difference)", 1], // 3 plays, 2 staged events
  ]);
});

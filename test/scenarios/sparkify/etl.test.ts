/** The Sparkify ETL step by step on generated data, checked against the generator's own ledger. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { createCluster, deleteCluster } from "../../../lib/jobs/cluster";
import { openLake } from "../../../lib/lake";
import { openWarehouse } from "../../../lib/warehouse";
import { writeStarToLake } from "../../../scenarios/sparkify/export";
import { generateSparkify, writeSparkify } from "../../../scenarios/sparkify/generate";
import { sparkifyExercises } from "../../../scenarios/sparkify/exercises";
import { runQualityChecks } from "../../../scenarios/sparkify/quality";
import { naiveDuplicates, playsByHour, songPartitions, unmatchedPlays, usersByLevel } from "../../../scenarios/sparkify/analysis";
import { DRILL_CHECK, qualityDrill } from "../../../scenarios/sparkify/drill";
import { qualitySummary } from "../../../lib/quality";
import { buildStarSchema, createTables, naiveSongplayRows, TABLES } from "../../../scenarios/sparkify/star-schema";
import { cleanEvents, loadEvents, loadSongs, rejectedLines } from "../../../scenarios/sparkify/steps";
import { tempDir } from "../../helpers";

const NOVEMBER = { start: "2018-11-01T00:00:00.000Z", end: "2018-12-01T00:00:00.000Z" };

test("the star schema equals what the generator knows it wrote, and a re-run changes nothing", { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const data = generateSparkify({ seed: 7, songs: 120, users: 25, days: 10, events: 3000 });
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  await writeSparkify(lake, data, "sparkify/raw");
  const sources = { lake, songs: await openLake({ root: lake.uri("sparkify/raw/song_data") }), logs: await openLake({ root: lake.uri("sparkify/raw/log_data") }) };
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  await createTables(wh);
  const cluster = await createCluster({ name: "test-sparkify", runner: "local", workers: 2 });
  t.after(() => deleteCluster("test-sparkify"));

  const counts = [];
  for (let run = 0; run < 2; run++) {
    const clean = await cleanEvents(cluster, sources, wh, NOVEMBER);
    assert.equal(clean.lines, data.truth.logLines);
    assert.equal(clean.rejected.length, data.truth.malformedLines);
    assert.equal(clean.lines, clean.ok + clean.rejected.length, "in = ok + rejected");
    const shown = await rejectedLines(wh, 2);
    assert.deepEqual(shown.map((r) => [r.file, r.line_no, r.reason]), [...clean.rejected].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line_no - b.line_no)).slice(0, 2).map((r) => [r.file, r.line_no, r.reason]));
    const songs = await loadSongs(cluster, sources, wh);
    assert.equal(songs.songs, data.truth.songs);
    await loadEvents(lake, wh, clean.parquet, NOVEMBER);
    counts.push(await buildStarSchema(wh, NOVEMBER));
  }
  assert.deepEqual(counts[1], counts[0], "a re-run of the same interval changes nothing");
  const star = counts[0];
  assert.equal(star.songplays, data.truth.songplays);
  assert.equal(star.matchedSongplays, data.truth.matchedSongplays);
  assert.equal(star.songs, data.truth.songs);
  assert.equal(star.artists, data.truth.artists);
  assert.equal(star.time, data.truth.startTimes);
  const users = await wh.query<{ user_id: string; level: string }>(`SELECT user_id, level FROM ${TABLES.users} ORDER BY CAST(user_id AS INT64)`);
  assert.deepEqual(Object.fromEntries(users.rows.map((u) => [u.user_id, u.level])), data.truth.userLevels);
  for (const u of data.truth.upgradedUsers) assert.equal(users.rows.find((r) => r.user_id === u)?.level, "paid", `user ${u} upgraded`);
  const rejected = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.rejected}`);
  assert.equal(Number(rejected.rows[0].n), data.truth.malformedLines);

  assert.ok(data.truth.ambiguousTitlePlays > 0, "the sample has plays of a title two artists share");
  assert.equal(await naiveSongplayRows(wh, NOVEMBER), data.truth.titleJoinRows, "the title-only join gives a row per song of the title");
  assert.ok(data.truth.titleJoinRows > data.truth.songplays);

  const quality = await runQualityChecks(wh, NOVEMBER);
  assert.deepEqual(quality.filter((q) => !q.passed), []);

  const exported = await writeStarToLake(wh, lake, "sparkify/star", NOVEMBER);
  const again = await writeStarToLake(wh, lake, "sparkify/star", NOVEMBER);
  assert.deepEqual(again, exported);
  assert.equal(exported.find((e) => e.table === "songplays")?.rows, data.truth.songplays);
  const parts = await lake.partitions("sparkify/star/songplays");
  assert.deepEqual(parts.map((p) => p.values), [{ year: "2018", month: "11" }]);
  const songParts = await lake.partitions("sparkify/star/songs");
  assert.ok(songParts.every((p) => "year" in p.values && "artist_id" in p.values));
  const lakeRows = await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM read_parquet('${lake.localPath("sparkify/star/songplays")}/**/*.parquet')`);
  assert.equal(Number(lakeRows.rows[0].n), data.truth.songplays, "the lake holds each songplay once after two exports");

  // The exercises: each expected value equals a plain TypeScript count over the raw log lines (not the
  // star schema's SQL); typical wrong answers fail with their nudge; the reference passes.
  const ex = sparkifyExercises(wh, NOVEMBER);
  const plays = data.logs.flatMap((f) => f.lines).flatMap((l) => {
    try {
      const e = JSON.parse(l) as { page?: string; userId?: string; level?: string; gender?: string; ts?: number };
      return e.page === "NextSong" && /^\d+$/.test(e.userId ?? "") && typeof e.ts === "number" && e.ts >= Date.parse(NOVEMBER.start) && e.ts < Date.parse(NOVEMBER.end) ? [e] : [];
    } catch {
      return [];
    }
  });
  assert.equal(plays.length, data.truth.songplays, "the raw NextSong lines are the songplays");
  const women = plays.filter((e) => e.gender === "F");
  assert.deepEqual(await ex.playsByLevel.expected(), ["free", "paid"].map((level) => ({ level: level, plays: women.filter((e) => e.level === level).length })).filter((r) => r.plays > 0));
  const byHour = new Map<number, number>();
  for (const e of plays.filter((p) => p.level === "paid")) byHour.set(new Date(e.ts!).getUTCHours(), (byHour.get(new Date(e.ts!).getUTCHours()) ?? 0) + 1);
  const paidHour = [...byHour].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0][0];
  assert.equal(await ex.busiestHour.expected(), paidHour);
  assert.deepEqual(await ex.joinCondition.expected(), { rows: data.truth.songplays, matched: data.truth.matchedSongplays });

  assert.equal((await ex.playsByLevel.verdict(undefined)).status, "not-attempted");
  assert.match((await ex.playsByLevel.verdict(`SELECT level, COUNT(*) AS plays FROM ${TABLES.songplays} GROUP BY level`)).message, /every user: keep the women/);
  const todayLevel = await ex.playsByLevel.verdict(`SELECT u.level, COUNT(*) AS plays FROM ${TABLES.songplays} AS p JOIN ${TABLES.users} AS u ON u.user_id = p.user_id WHERE u.gender = 'F' GROUP BY u.level`);
  if (women.some((e) => data.truth.userLevels[e.userId!] !== e.level)) assert.match(todayLevel.message, /level at the time of the play/);
  assert.equal((await ex.playsByLevel.verdict("SELECT nonsense FROM nowhere")).status, "incorrect");
  assert.equal((await ex.playsByLevel.verdict(await ex.playsByLevel.solution())).status, "correct");
  const allByHour = new Map<number, number>();
  for (const e of plays) allByHour.set(new Date(e.ts!).getUTCHours(), (allByHour.get(new Date(e.ts!).getUTCHours()) ?? 0) + 1);
  const allHour = [...allByHour].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0][0];
  if (allHour !== paidHour) assert.match((await ex.busiestHour.verdict(allHour)).message, /busiest hour of all plays/);
  assert.match((await ex.busiestHour.verdict(24)).message, /0 to 23/);
  assert.equal((await ex.busiestHour.verdict((paidHour + 1) % 24)).status, "incorrect");
  assert.equal((await ex.busiestHour.verdict(paidHour)).status, "correct");
  const titleOnly = await ex.joinCondition.verdict("s.title = e.song");
  assert.equal(titleOnly.status, "incorrect");
  assert.doesNotMatch(titleOnly.message, new RegExp(`\\b${data.truth.songplays} rows`), "an incorrect verdict never shows the expected value");
  assert.equal((await ex.joinCondition.verdict("s.title = e.song AND s.artist_name = e.artist")).status, "incorrect", "title and artist still match two versions");
  assert.equal((await ex.joinCondition.verdict(await ex.joinCondition.solution())).status, "correct");
  assert.match(ex.joinCondition.hint(), /^Hint 1\/3/);

  // What the notebook shows beside its charts, against counts over the raw lines and the generator's ledger.
  const hours = Array.from({ length: 24 }, (_, h) => plays.filter((e) => new Date(e.ts!).getUTCHours() === h).length);
  assert.deepEqual((await playsByHour(wh)).map((r) => r.plays), hours);
  assert.equal(hours.filter((n) => n > 0).length, 24, "the daily curve covers every hour");
  const levels = await usersByLevel(wh);
  const levelsOf = new Map<string, Set<string>>();
  for (const e of plays) levelsOf.set(e.userId!, (levelsOf.get(e.userId!) ?? new Set()).add(e.level!));
  assert.deepEqual([levels.users, levels.free, levels.paid], [levelsOf.size, [...levelsOf.values()].filter((l) => l.has("free")).length, [...levelsOf.values()].filter((l) => l.has("paid")).length]);
  assert.equal(levels.both.length, data.truth.usersAtBothLevels);
  assert.ok(levels.both.length > 0 && levels.both.every((u) => data.truth.upgradedUsers.includes(u.user_id) && u.last_free_play < u.first_paid_play), "only upgraders play at both levels, free before paid");
  const unmatched = await unmatchedPlays(wh, NOVEMBER);
  assert.deepEqual([unmatched.plays, unmatched.unmatched, unmatched.titleInCatalogue, unmatched.artistInCatalogue], [data.truth.songplays, data.truth.songplays - data.truth.matchedSongplays, 0, 0], "the generator's plays outside the catalogue have titles and artists of their own");
  const titleCount = (title: string) => data.songs.filter((x) => x.song.title === title).length;
  const dups = await naiveDuplicates(wh, NOVEMBER, 2);
  const shownPlays = [...new Set(dups.map((d) => `${d.user_id} ${new Date(d.played_at).toISOString()}`))];
  assert.equal(shownPlays.length, 2);
  for (const play of shownPlays) {
    const rows = dups.filter((d) => `${d.user_id} ${new Date(d.played_at).toISOString()}` === play);
    assert.equal(rows.length, titleCount(rows[0].song), "one row per catalogue song of the title");
    assert.deepEqual(rows.map((r) => r.fixed_join).filter((f) => f === "keeps"), ["keeps"], "the fixed join keeps one of them");
  }
  const catalogueParts = await songPartitions(wh);
  assert.deepEqual(catalogueParts, { songs: data.truth.songs, partitions: data.truth.songPartitions, yearZero: data.songs.filter((x) => x.song.year === 0).length, years: new Set(data.songs.map((x) => x.song.year)).size });

  // A fault planted on a copy: the days before it pass, its day stops at quality_checks; the warehouse is untouched.
  const drill = await qualityDrill(wh, NOVEMBER, { days: 3 });
  try {
    assert.deepEqual(drill.runs.map((r) => r.state), ["success", "success", "failed"]);
    assert.deepEqual(Object.fromEntries(drill.runs[2].tasks.map((ti) => [ti.taskId, ti.state])), { quality_checks: "failed", publish_star: "upstream_failed" });
    assert.deepEqual(drill.planted.results.filter((r) => r.status === "fail").map((r) => [r.table, r.check]), [[TABLES.songplays, DRILL_CHECK]]);
    assert.equal(drill.stopped?.code, "DAG_QUALITY_FAILED");
    assert.ok(!(await wh.query<{ user_id: string }>(`SELECT user_id FROM ${TABLES.users}`)).rows.some((u) => u.user_id === drill.planted.userId), "the planted user is in no users row");
    const history = (await drill.target.allResults()).filter((r) => r.check_name === DRILL_CHECK).map((r) => r.status);
    assert.deepEqual(history, ["pass", "pass", "fail"]);
    assert.deepEqual(qualitySummary([], [drill.planted]).caught, 1);
  } finally {
    await drill.close();
  }
  assert.equal(Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.songplays}`)).rows[0].n), data.truth.songplays, "the drill left the warehouse as it was");
});

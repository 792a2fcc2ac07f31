import { test } from "node:test";
import assert from "node:assert/strict";
import { readDeadLetters } from "../../../lib/stream/dead-letters";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { popularityEngineOptions, popularityWindows, showLivePopularity, startLivePopularity, topCollected } from "../../../scenarios/artmosphere/popularity";
import { assertSnapshotIsValue, defer, sqlTarget, tempDir, testBroker, testSql, uniqueName } from "../../lib/stream/helpers";

test(`collects counted in 5-second windows by the stream processor into ${sqlTarget().kind} equal a batch recount of the log; malformed lines are dead letters with reasons`, { timeout: 120_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const table = uniqueName("art_popularity");
  const sql = await testSql(t, [table]);
  const d = generateArtmosphere({ artworks: 300, artists: 80, eventsPerSecond: 40, durationSeconds: 20, seed: 11 });
  const ids = new Set(d.artworks.map((a) => a.id));
  const topic = uniqueName("collects");
  const live = await startLivePopularity({ kafka, sql, artworkIds: ids, topic, table, checkpointDir: tempDir(t), lines: d.collectingLog, speed: 0, triggerMs: 100 });
  defer(t, () => live.close());
  const stats = await live.done;
  assert.equal(stats.sent, d.collectingLog.length);
  assert.equal(stats.in, stats.ok + stats.rejected, "in = ok + rejected");
  assert.equal(stats.rejected, d.truth.badCollectLines);
  // the batch recount, written here from the lines (timestamps cut to 5 s)
  const recount = new Map<string, number>();
  for (const line of d.collectingLog) {
    const [ts, , action, artwork] = line.split(",");
    const ms = Date.parse(ts);
    if (line.split(",").length !== 4 || action !== "collected" || !ids.has(artwork) || Number.isNaN(ms) || new Date(ms).toISOString() !== ts) continue;
    const key = `${new Date(ms - (ms % 5000)).toISOString()}|${artwork}`;
    recount.set(key, (recount.get(key) ?? 0) + 1);
  }
  const rows = await popularityWindows(sql, table);
  assert.equal(rows.length, recount.size);
  for (const r of rows) {
    assert.equal(r.window_end.getTime() - r.window_start.getTime(), 5000);
    assert.equal(r.collects, recount.get(`${r.window_start.toISOString()}|${r.artwork_id}`), `${r.window_start.toISOString()} ${r.artwork_id}`);
  }
  assert.equal(rows.reduce((s, r) => s + r.collects, 0), stats.ok - Object.values(stats.late).reduce((s, n) => s + n, 0));
  const windows = new Set(rows.map((r) => r.window_start.getTime())).size;
  assert.ok(windows === 4 || windows === 5, `20 seconds (and the last collects' jitter) are four or five windows, not ${windows}`);
  const dead = await readDeadLetters(kafka, live.deadLetterTopic);
  assert.equal(dead.length, d.truth.badCollectLines);
  assert.match(dead.map((x) => x.reason).join("\n"), /not in the catalogue/);
  const top = await topCollected(sql, { table, top: 3 });
  assert.ok(top.length >= 3 && top[0].total >= top[top.length - 1].total);
});

test("the replay is real time (speed 1) and the live chart redraws while the stream runs", { timeout: 120_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const table = uniqueName("art_popularity");
  const sql = await testSql(t, [table]);
  const d = generateArtmosphere({ artworks: 200, artists: 50, eventsPerSecond: 20, durationSeconds: 4, seed: 12 });
  const began = Date.now();
  const live = await startLivePopularity({ kafka, sql, artworkIds: new Set(d.artworks.map((a) => a.id)), topic: uniqueName("collects"), table, checkpointDir: tempDir(t), lines: d.collectingLog, speed: 1, triggerMs: 200 });
  defer(t, () => live.close());
  const shown = await showLivePopularity(sql, live.done, { intervalMs: 500, table, top: 5 });
  const stats = await live.done;
  assert.ok(Date.now() - began >= 3500, `the 4 seconds of collects took ${Date.now() - began} ms to replay`);
  assert.ok(shown.frames >= 2, `drawn live at least once before the final frame (${shown.frames} frames)`);
  assert.equal(new Set(shown.rows.map((r) => r.artwork)).size, 5);
  assert.equal(stats.in, d.collectingLog.length);
});

test("close() halfway stops the replay and the processor: done fails with STREAM_CLOSED and the live chart ends at once", { timeout: 120_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const table = uniqueName("art_popularity");
  const sql = await testSql(t, [table]);
  const d = generateArtmosphere({ artworks: 200, artists: 50, eventsPerSecond: 20, durationSeconds: 30, seed: 13 });
  const live = await startLivePopularity({ kafka, sql, artworkIds: new Set(d.artworks.map((a) => a.id)), topic: uniqueName("collects"), table, checkpointDir: tempDir(t), lines: d.collectingLog, speed: 1, triggerMs: 200 });
  defer(t, () => live.close());
  const shown = showLivePopularity(sql, live.done, { intervalMs: 300, table, top: 5 });
  // It fails once close() ends the stream, which may be before assert.rejects below listens: handled
  // here so that its rejection is not an unhandled one (which fails the test on a slow machine).
  shown.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1_500));
  const began = Date.now();
  await live.close();
  await assert.rejects(live.done, (err: Error & { code?: string }) => err.code === "STREAM_CLOSED");
  await assert.rejects(shown, (err: Error & { code?: string }) => err.code === "STREAM_CLOSED");
  assert.ok(Date.now() - began < 10_000, `closed in ${Date.now() - began} ms, not at the end of the 30 s replay`);
  await live.close(); // twice is safe
});

test("the popularity checkpoint is a value: the windows taken after one batch do not change when the next batch runs", () => {
  const d = generateArtmosphere();
  const lines = d.collectingLog;
  const held = assertSnapshotIsValue(popularityEngineOptions(new Set(d.artworks.map((a) => a.id))), lines, Math.floor(lines.length / 2));
  assert.ok(held >= 1, `the first batch leaves windows open (${held})`);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { readBatchView } from "../../../scenarios/lambda-urls/batch";
import { readMaster } from "../../../scenarios/lambda-urls/master";
import { diffViews, viewStats } from "../../../scenarios/lambda-urls/scenario";
import { assertSnapshotIsValue } from "../../lib/stream/helpers";
import { expectedAtFix, startTestRun } from "./helpers";
import { layerRows } from "../../../scenarios/lambda-urls/layers";
import { linksMergedByFix } from "../../../scenarios/lambda-urls/fix";
import { generateTweets, LAMBDA_SAMPLE } from "../../../scenarios/lambda-urls/generate";
import { readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { speedEngineOptions } from "../../../scenarios/lambda-urls/speed";

test("merged view = a full recomputation over the raw tweets, checked at several points while the stream runs, with batch runs in between", { timeout: 180_000 }, async (t) => {
  const run = await startTestRun(t);
  const checks: { sent: number; through: number; rows: number; batchRows: number }[] = [];
  const check = async (label: string) => {
    const c = await run.checkMerge();
    assert.deepEqual(c.differences, [], `${label}: merged differs from the recomputation`);
    assert.equal(c.equal, true);
    checks.push({ sent: run.sent(), through: c.through[0] ?? 0, rows: c.merged, batchRows: (await readBatchView(run.warehouse)).length });
  };
  await run.waitForHours(2);
  await check("before any batch (speed layer only)");
  const b1 = await run.runBatch();
  assert.ok((b1.coverage.partitions[0] ?? 0) > 0 && b1.coverage.partitions[0] % 40 === 0, "the batch covers whole blocks");
  await check("after the first batch");
  await run.waitForHours(4);
  await check("mid-stream, speed layer ahead of the batch");
  const b2 = await run.runBatch();
  assert.ok(b2.coverage.partitions[0] >= b1.coverage.partitions[0], "the coverage never goes back");
  await check("after the second batch");
  await run.waitForHours(6);
  await check("mid-stream again");
  await run.drain();
  await check("after the stream ended");
  const b3 = await run.runBatch();
  await check("after the last batch");
  t.diagnostic(`checks: ${JSON.stringify(checks)}; coverage ${b1.coverage.partitions[0]}, ${b2.coverage.partitions[0]}, ${b3.coverage.partitions[0]} of ${run.data.tweets.length}`);
  assert.ok(checks.some((c) => c.sent < run.data.tweets.length), "some checks ran while tweets were still being sent");
  assert.ok(checks.filter((c) => c.batchRows > 0).length >= 4, "most checks merged a non-empty batch view");
  assert.ok(b3.coverage.partitions[0] > b1.coverage.partitions[0], "later batches cover more");
  // the whole stream is counted in the end
  const full = await run.recompute();
  const merged = await run.merged();
  assert.deepEqual(diffViews(merged.rows, full.rows), []);
  assert.equal(full.tweets, run.data.tweets.length);
  assert.equal(full.ok + full.rejected.length, full.tweets, "tweets = ok + rejected");
  assert.ok(full.rejected.length > 0, "malformed tweets are rejected");
  assert.ok(merged.rows.some((r) => r.batch > 0), "the batch layer contributes");
  assert.ok(checks.some((c) => c.rows > 0 && c.batchRows === 0), "the speed layer served alone before the first batch");
  // the batch layer's master data set holds every raw message once
  const master = await readMaster(run.lake, run.topic);
  assert.equal(master.length, run.data.tweets.length);
  assert.deepEqual(master.map((m) => m.offset), run.data.tweets.map((_, i) => i));
  // dead letters carry the reasons
  const dead = await run.deadLetters();
  assert.equal(dead.length, full.rejected.length);
});

test("the bug splits one page into several URLs; a batch recompute with the fix merges them, and the fixed speed layer makes the whole view equal the fixed recomputation and the kappa replay", { timeout: 180_000 }, async (t) => {
  const run = await startTestRun(t, { keepTracking: true, speed: 0, tweetsPerHour: 100, hours: 5 });
  await run.drain();
  await run.runBatch();
  const buggy = await run.merged();
  assert.equal((await run.checkMerge({ keepTracking: true })).equal, true, "merged = recompute with the same (buggy) code");
  const fixedRef = await run.recompute(undefined, { keepTracking: false });
  const before = viewStats(buggy.rows);
  const after = viewStats(fixedRef.rows);
  assert.ok(before.distinctUrls > after.distinctUrls + 5, `the bug splits pages: ${before.distinctUrls} vs ${after.distinctUrls}`);
  assert.ok(before.links >= after.links, "the bug splits counts, it does not lose them (a tweet linking one page in two forms even counts twice)");
  assert.ok(buggy.rows.some((r) => r.url.includes("utm_")));
  await run.runBatch({ keepTracking: false });
  const history = await run.merged();
  assert.ok(history.rows.filter((r) => r.batch > 0).every((r) => !r.url.includes("utm_")), "the recomputed batch view is clean");
  await run.deployFix();
  const fixed = await run.merged();
  assert.deepEqual(diffViews(fixed.rows, fixedRef.rows), [], "after the fix, merged = the fixed recomputation");
  assert.equal((await run.checkMerge({ keepTracking: false })).equal, true);
  const kappa = await run.kappaReplay();
  assert.deepEqual(diffViews(kappa, fixedRef.rows), [], "the kappa replay gives the same view");
  const top = await run.topUrls({ limit: 3 });
  assert.equal(top.length, 3);
  assert.ok(top[0].count >= top[1].count && top[1].count >= top[2].count);
});

test("the fix while the stream runs: held at 04:00 the fixed batch covers part of the stream, the old speed layer serves the rest, the fixed one takes it over, and the next batch absorbs it", { timeout: 180_000 }, async (t) => {
  const run = await startTestRun(t, { keepTracking: true, speed: 0, tweetsPerHour: 100, hours: 6, blockSize: 50, holdAt: 3 });
  const want = expectedAtFix(run.data, { fix: 4, fixDeployed: 5, blockSize: 50 });
  await run.streamUntil(3);
  assert.equal(run.sent(), run.sentBefore(3), "the producer holds");
  await assert.rejects(run.waitForHours(5), (err: Error & { code?: string }) => err.code === "OPTIONS_INVALID" && /streamUntil\(5\)/.test(err.message));
  const first = await run.runBatch();
  assert.equal(first.quality.find((r) => r.check === "no url keeps a tracking parameter")?.status, "warn", "the quality checks see the bug, without stopping the load");
  assert.deepEqual(first.quality.filter((r) => r.status === "fail"), []);
  await run.streamUntil(4);
  assert.equal(run.sent(), want.sentAtFix);
  const fixedBatch = await run.runBatch({ keepTracking: false });
  assert.equal(fixedBatch.coverage.partitions[0], want.covered);
  await run.streamUntil(5);
  const stale = layerRows(await run.merged());
  assert.equal(stale[0].rows_with_tracking, 0, "the recomputed batch view is clean");
  assert.ok(stale[1].rows_with_tracking > 0, "the old speed layer still splits pages");
  await run.deployFix();
  const atFix = layerRows(await run.merged());
  assert.deepEqual(atFix.map((r) => r.offsets), [`0..${want.covered - 1}`, `${want.covered}..${want.through - 1}`]);
  assert.equal(atFix[1].rows, want.speedRows);
  assert.equal(atFix[1].rows_with_tracking, 0);
  assert.equal((await run.checkMerge({ keepTracking: false })).equal, true);
  assert.deepEqual((await run.checkSpeedView()).filter((r) => r.status !== "pass"), []);
  await run.drain();
  const last = await run.runBatch();
  assert.ok(last.dropped > 0);
  const after = layerRows(await run.merged());
  assert.deepEqual([after[0].offsets, after[1].rows], [`0..${run.data.tweets.length - 1}`, 0], "the batch serves everything after the hand-over");
  assert.deepEqual(last.quality.filter((r) => r.status !== "pass").map((r) => r.check), [], "drift against the previous (fixed) run passes too");
  // the links the fix takes away: one per tweet that linked a page in two forms
  const buggy = viewStats((await run.recompute(undefined, { keepTracking: true })).rows);
  const fixed = viewStats((await run.merged()).rows);
  const merged = linksMergedByFix(run.data.tweets.map((tw, offset) => ({ partition: 0, offset, value: tw.value })), run.redirects);
  assert.equal(merged.reduce((a, m) => a + m.links_merged, 0), buggy.links - fixed.links);
  assert.ok(merged.length > 0);
});

test("stop() ends a run halfway: the producer stops sending, a pending wait fails with STREAM_CLOSED, and it is quick and safe twice", { timeout: 120_000 }, async (t) => {
  const run = await startTestRun(t, { speed: 1, hours: 8, tweetsPerHour: 100 }); // 8 s of tweets
  await run.waitForHours(1);
  const waiting = assert.rejects(run.waitForHours(8), (err: Error & { code?: string }) => err.code === "STREAM_CLOSED");
  const began = Date.now();
  await run.stop();
  const ms = Date.now() - began;
  assert.ok(ms < 5_000, `stop() took ${ms} ms: it does not wait for the end of the input`);
  await waiting;
  const sent = run.sent();
  assert.ok(sent > 0 && sent < run.data.tweets.length, `sent ${sent} of ${run.data.tweets.length}`);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(run.sent(), sent, "nothing is sent after stop()");
  await run.stop();
});

test("the speed layer's checkpoint is a value: its url counts (an object changed in place) taken after one batch do not change when the next batch runs", () => {
  const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
  const lines = generateTweets({ seed: 5, tweetsPerHour: 400, hours: 6, redirects }).tweets.map((t) => t.value);
  // Keys are blocks of 40 offsets: a split inside a block leaves that block's window to both batches.
  const held = assertSnapshotIsValue(speedEngineOptions({ redirects, keepTracking: false, blockSize: 40 }), lines, 40 * 30 + 17);
  assert.ok(held >= 10, `the first batch leaves windows open (${held})`);
});

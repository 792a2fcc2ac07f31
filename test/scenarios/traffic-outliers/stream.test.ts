import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readDeadLetters } from "../../../lib/stream/dead-letters";
import { openWarehouse } from "../../../lib/warehouse";
import { readAlerts } from "../../../scenarios/traffic-outliers/consumer";
import { detect } from "../../../scenarios/traffic-outliers/detect";
import { injectAnomalies } from "../../../scenarios/traffic-outliers/inject";
import { replayPoints } from "../../../scenarios/traffic-outliers/producer";
import { badRecords, latePoint, startTrafficStream } from "../../../scenarios/traffic-outliers/scenario";
import { parsePoint, pointMessage, startTrafficDetector, trafficEngineOptions } from "../../../scenarios/traffic-outliers/stream";
import { syntheticSeries } from "../../../scenarios/traffic-outliers/synthetic";
import { batchAlerts } from "../../../scenarios/traffic-outliers/batch";
import { HOURLY_SCHEMA, TABLES } from "../../../scenarios/traffic-outliers/series";
import { assertSnapshotIsValue, defer, tempDir, testBroker, uniqueName } from "../../lib/stream/helpers";

const points = syntheticSeries({ airports: ["AAA", "BBB", "CCC"], weeks: 12, seed: 5 });
const labelled = injectAnomalies(points, { seed: 3 }).points;

test("the point parser rejects each kind of bad record with its reason", () => {
  assert.deepEqual(parsePoint(`{"airport":"ORD","hour":"2001-01-01T05:00:00Z","departures":3}`), { ok: true, value: { airport: "ORD", hour: Date.parse("2001-01-01T05:00:00Z"), departures: 3 } });
  const reason = (text: string, known?: Set<string>) => {
    const r = parsePoint(text, known);
    return r.ok ? "ok" : r.reason;
  };
  assert.match(reason("ORD,3"), /not JSON/);
  assert.match(reason("[1]"), /not a JSON object/);
  assert.match(reason(`{"airport":"chicago","hour":"2001-01-01T05:00:00Z","departures":3}`), /not an IATA code/);
  assert.match(reason(`{"airport":"XXX","hour":"2001-01-01T05:00:00Z","departures":3}`, new Set(["ORD"])), /not one of the monitored airports/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-01-01T05:30:00Z","departures":3}`), /not the start of an hour/);
  assert.match(reason(`{"airport":"ORD","departures":3}`), /hour undefined is not a date-time/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-02-30T05:00:00.000Z","departures":3}`), /is not a date-time/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-02-05T24:00:00.000Z","departures":3}`), /is not a date-time/);
  const offset = parsePoint(`{"airport":"ORD","hour":"2001-02-05T08:00:00+01:00","departures":3}`);
  assert.ok(offset.ok && offset.value.hour === Date.parse("2001-02-05T07:00:00Z"), "other ISO forms are read by Date.parse");
  assert.match(reason(`{"airport":"ORD","hour":"2001-01-01T05:00:00Z","departures":-1}`), /not a whole number, 0 or more/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-01-01T05:00:00Z","departures":2.5}`), /not a whole number/);
  // the messages pointMessage writes are read without JSON.parse; other spellings still through it
  for (const p of labelled.slice(0, 400)) assert.deepEqual(parsePoint(pointMessage(p)), { ok: true, value: { airport: p.airport, hour: p.hour, departures: p.departures } });
  assert.deepEqual(parsePoint(`{ "airport": "ORD", "hour": "2001-01-01T05:00:00.000Z", "departures": 3 }`), parsePoint(`{"airport":"ORD","hour":"2001-01-01T05:00:00.000Z","departures":3}`));
  assert.match(reason(`{"airport":"ORD","hour":"2001-01-01T05:00:00.000Z","departures":007}`), /not JSON/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-02-30T05:00:00.000Z","departures":3}`), /"2001-02-30T05:00:00.000Z" is not a date-time/);
  assert.match(reason(`{"airport":"ORD","hour":"2001-01-01T05:00:00.000Z","departures":3}`, new Set(["JFK"])), /ORD is not one of the monitored airports/);
});

test("stream = memory = SQL: the alerts on the alerts topic equal detect() over the same points and the batch query in DuckDB; bad and late records are dead letters; counts reconcile", { timeout: 180_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("points");
  const alertsTopic = uniqueName("alerts");
  const bad = badRecords(labelled);
  const detector = await startTrafficDetector({ kafka, topic, alertsTopic, checkpointDir: tempDir(t), airports: ["AAA", "BBB", "CCC"], triggerMs: 50, maxBatchRecords: 700 });
  defer(t, () => detector.close());
  const replay = await replayPoints({ kafka, topic, points: labelled, extra: bad });
  assert.equal(replay.sent, labelled.length + bad.length);
  await detector.processor.drain();
  await replayPoints({ kafka, topic, points: [latePoint(labelled)] });
  await detector.processor.finish();
  const stats = detector.processor.stats();
  assert.equal(stats.in, labelled.length + bad.length + 1);
  assert.equal(stats.in, stats.ok + stats.rejected);
  assert.equal(stats.rejected, 5);
  assert.equal(stats.late.hourly, 1);
  assert.equal(detector.sink.points, labelled.length, "every valid on-time point reached the detector once");
  assert.ok(stats.batches > 5, "over several batches");

  const expected = detect(labelled).messages;
  const got = await readAlerts(kafka, alertsTopic);
  assert.ok(expected.filter((m) => m.type === "alert").length >= 8, "the comparison is not trivial");
  assert.deepEqual(got, expected);

  const dead = await readDeadLetters(kafka, detector.deadLetterTopic);
  assert.equal(dead.length, 6);
  const reasons = dead.map((d) => d.reason).join("\n");
  for (const r of [/not JSON/, /not one of the monitored airports/, /-3 is not a whole number/, /not the start of an hour/, /not a date-time/, /late for hourly/]) assert.match(reasons, r);

  const wh = await openWarehouse({ memory: true });
  defer(t, () => wh.close());
  await wh.createTable(TABLES.hourly, HOURLY_SCHEMA);
  await wh.loadRows(TABLES.hourly, labelled.map((p) => ({ airport: p.airport, hour: new Date(p.hour), departures: p.departures })));
  const sql = (await batchAlerts(wh)).map((r) => `${r.airport} ${r.started_at.toISOString()} ${r.fired_at.toISOString()}`);
  assert.deepEqual(sql.sort(), got.filter((m) => m.type === "alert").map((m) => `${m.airport} ${m.started_at} ${m.at}`).sort());
});

test("a processor stopped halfway and started again on the same checkpoint sends every alert once (one per key) and the same ones", { timeout: 180_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("points");
  const alertsTopic = uniqueName("alerts");
  const checkpointDir = path.join(tempDir(t), "cp");
  const half = Math.floor(labelled.length / 2);
  const first = await startTrafficDetector({ kafka, topic, alertsTopic, checkpointDir, triggerMs: 50, maxBatchRecords: 500 });
  await replayPoints({ kafka, topic, points: labelled.slice(0, half) });
  await first.processor.drain();
  await first.close();
  const second = await startTrafficDetector({ kafka, topic, alertsTopic, checkpointDir, triggerMs: 50, maxBatchRecords: 500 });
  defer(t, () => second.close());
  await replayPoints({ kafka, topic, points: labelled.slice(half) });
  await second.processor.finish();
  assert.equal(first.sink.points + second.sink.points, labelled.length);
  const got = await readAlerts(kafka, alertsTopic);
  assert.deepEqual(got, detect(labelled).messages);
});

test("a started stream stops on stop(): finish() fails with STREAM_CLOSED at once, and a new run on the same points completes", { timeout: 180_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const first = await startTrafficStream({ points: labelled, kafka, checkpointDir: tempDir(t), speed: 50, triggerMs: 50 }); // about 40 s of replay
  await new Promise((r) => setTimeout(r, 300));
  const began = Date.now();
  await first.stop();
  assert.ok(Date.now() - began < 10_000, "stop() does not wait for the end of the input");
  await assert.rejects(first.finish(), (err: Error & { code?: string }) => err.code === "STREAM_CLOSED");
  await first.stop(); // twice is safe
  const second = await startTrafficStream({ points: labelled, kafka, checkpointDir: tempDir(t), triggerMs: 50 });
  defer(t, () => second.stop());
  const run = await second.finish();
  assert.equal(run.stats.in, run.stats.ok + run.stats.rejected);
  assert.equal(run.scored, labelled.length);
  assert.notEqual(run.topic, first.topic);
});

test("the detector's checkpoint is a value: the hourly windows taken after one batch do not change when the next batch runs", () => {
  const lines = [...labelled].sort((a, b) => a.hour - b.hour).map(pointMessage);
  const held = assertSnapshotIsValue(trafficEngineOptions({ airports: ["AAA", "BBB", "CCC"] }), lines, Math.floor(lines.length / 2) + 1);
  assert.ok(held >= 1, `the first batch leaves windows open (${held})`);
});

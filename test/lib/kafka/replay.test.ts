import assert from "node:assert/strict";
import { test } from "node:test";
import { readTopic } from "../../../lib/kafka";
import { replayMessages, type ReplayClock, type ReplayMessage } from "../../../lib/kafka/replay";
import { testBroker, uniqueName } from "../stream/helpers";

/** A clock that only moves when the replay sleeps, recording each sleep. */
function fakeClock(): ReplayClock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } };
}

const at = (key: string, time?: number): ReplayMessage => ({ key, value: `${key}-value`, ...(time !== undefined ? { time } : {}) });

test("replayMessages paces by event time in units of unitMs per second, sends untimed messages at once, and keeps the order", { timeout: 30_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("replay");
  const clock = fakeClock();
  const progress: number[] = [];
  // event times in hours; speed 2 hours per second: the message 3 h after the first is due 1.5 s later
  const H = 3_600_000;
  const r = await replayMessages({ kafka, topic, messages: [at("a", 0), at("bad"), at("b", H), at("c", H), at("d", 3 * H)], speed: 2, unitMs: H, clock, batchSize: 10, onProgress: (n) => progress.push(n) });
  assert.deepEqual(clock.sleeps, [500, 1000]);
  assert.deepEqual(progress, [2, 4, 5], "each wait first sends what is pending");
  assert.deepEqual(r, { sent: 5, durationMs: 1500 });
  const keys: string[] = [];
  await readTopic(kafka, topic, (m) => keys.push(String(m.key)));
  assert.deepEqual(keys, ["a", "bad", "b", "c", "d"]);
});

test("replayMessages: maxPacedMs caps the pacing, slackMs sends what is nearly due, speed 0 never waits, an abort stops it", { timeout: 30_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const clock = fakeClock();
  await replayMessages({ kafka, topic: uniqueName("replay"), messages: [at("a", 0), at("b", 10), at("c", 5_000), at("d", 90_000)], speed: 1, maxPacedMs: 60_000, slackMs: 20, clock });
  assert.deepEqual(clock.sleeps, [5_000, 55_000], "b is 10 ms ahead (within the slack); d waits only up to a minute from the start");

  const fast = fakeClock();
  const r = await replayMessages({ kafka, topic: uniqueName("replay"), messages: [at("a", 0), at("b", 1e9)], clock: fast });
  assert.deepEqual([fast.sleeps, r.sent], [[], 2]);

  const abort = new AbortController();
  const slow = fakeClock();
  slow.sleep = async (ms) => { slow.sleeps.push(ms); abort.abort(); };
  const stopped = await replayMessages({ kafka, topic: uniqueName("replay"), messages: [at("a", 0), at("b", 1000), at("c", 2000)], speed: 1, clock: slow, signal: abort.signal });
  assert.deepEqual([slow.sleeps, stopped.sent], [[1000], 1], "what was pending before the wait went; nothing after the abort");

  await assert.rejects(replayMessages({ kafka, topic: "x", messages: [], speed: -1, speedUnit: "days per second" }), /speed=-1 must be 0 \(as fast as possible\) or a positive number of days per second/);
});

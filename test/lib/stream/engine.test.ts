import { test } from "node:test";
import assert from "node:assert/strict";
import { StreamEngine, type EngineOptions, type InputRecord, type OutputMode, type WindowRow } from "../../../lib/stream/engine";
import { aggregate, count, distinctCount, mean, sum } from "../../../lib/stream/aggregates";
import { sliding, tumbling } from "../../../lib/stream/windows";

interface Ev {
  t: number;
  k: string;
  v: number;
}

/** Events as text "t,k,v"; windows of 10 time units, watermark delay 5. */
function options(mode: OutputMode, extra: Partial<EngineOptions<Ev>> = {}): EngineOptions<Ev> {
  return {
    parse: (text) => {
      const [t, k, v] = text.split(",");
      if (!/^\d+$/.test(t ?? "")) return { ok: false, reason: `bad time ${JSON.stringify(t)}` };
      return { ok: true, value: { t: Number(t), k, v: Number(v) } };
    },
    eventTime: (e) => e.t,
    watermarkDelayMs: 5,
    queries: [{ name: "q", window: tumbling(10), key: (e) => e.k, aggregates: { n: count(), total: sum("v"), users: distinctCount("v") }, mode }],
    ...extra,
  };
}

let offset = 0;
function records(...lines: string[]): InputRecord[] {
  return lines.map((l) => ({ partition: 0, offset: String(offset++), key: null, value: Buffer.from(l) }));
}

function latest(rows: WindowRow[]): Map<string, WindowRow> {
  const m = new Map<string, WindowRow>();
  for (const r of rows) m.set(`${r.windowStart}|${r.key}`, r);
  return m;
}

/** A random stream: times mostly increasing with jitter smaller than the watermark delay. */
function randomStream(n: number, seed: number): string[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: string[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 3);
    const jitter = Math.floor(rnd() * 4);
    out.push(`${Math.max(0, t - jitter)},${"abc"[Math.floor(rnd() * 3)]},${Math.floor(rnd() * 5)}`);
  }
  return out;
}

function splitRandomly<T>(items: T[], seed: number): T[][] {
  let s = seed;
  const rnd = () => ((s = (s * 69069 + 1) % 4294967296) / 4294967296);
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(rnd() * 15);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The expected windows, computed in one pass without any streaming. */
function batchWindows(lines: string[]): Map<string, { n: number; total: number; users: number }> {
  const m = new Map<string, { n: number; total: number; users: Set<number> }>();
  for (const l of lines) {
    const [t, k, v] = l.split(",");
    const id = `${Math.floor(Number(t) / 10) * 10}|${k}`;
    const e = m.get(id) ?? { n: 0, total: 0, users: new Set<number>() };
    e.n++;
    e.total += Number(v);
    e.users.add(Number(v));
    m.set(id, e);
  }
  return new Map([...m].map(([id, e]) => [id, { n: e.n, total: e.total, users: e.users.size }]));
}

function asExpected(rows: Map<string, WindowRow>): Map<string, { n: number; total: number; users: number }> {
  return new Map([...rows].map(([id, r]) => [id, { n: r.n as number, total: r.total as number, users: r.users as number }]));
}

test("update mode emits the windows changed in each batch, and the latest rows equal a batch computation", () => {
  const lines = randomStream(400, 7);
  const engine = new StreamEngine(options("update"));
  const all: WindowRow[] = [];
  for (const part of splitRandomly(lines, 3)) {
    const result = engine.process(records(...part));
    const touched = new Set(part.map((l) => `${Math.floor(Number(l.split(",")[0]) / 10) * 10}|${l.split(",")[1]}`));
    assert.deepEqual(new Set(result.outputs.q.map((r) => `${r.windowStart}|${r.key}`)), touched);
    all.push(...result.outputs.q);
  }
  engine.flush();
  assert.deepEqual(asExpected(latest(all)), batchWindows(lines));
  assert.equal(engine.getStats().late.q, 0);
});

test("append mode emits each window exactly once, only after the watermark passes its end", () => {
  const lines = randomStream(400, 11);
  const engine = new StreamEngine(options("append"));
  const all: WindowRow[] = [];
  for (const part of splitRandomly(lines, 5)) {
    const result = engine.process(records(...part));
    for (const r of result.outputs.q) assert.ok(r.windowEnd <= result.watermarkAfter, `window ending ${r.windowEnd} emitted at watermark ${result.watermarkAfter}`);
    all.push(...result.outputs.q);
  }
  const beforeFlush = all.length;
  all.push(...engine.flush().outputs.q);
  assert.ok(beforeFlush > 0 && all.length > beforeFlush, "some windows are final only at the end of input");
  assert.equal(new Set(all.map((r) => `${r.windowStart}|${r.key}`)).size, all.length, "no window twice");
  assert.deepEqual(asExpected(latest(all)), batchWindows(lines));
});

test("complete mode emits every window after every batch", () => {
  const engine = new StreamEngine(options("complete"));
  assert.equal(engine.process(records("1,a,1", "12,b,2")).outputs.q.length, 2);
  const r = engine.process(records("25,a,3"));
  assert.deepEqual(r.outputs.q.map((x) => `${x.windowStart}|${x.key}`), ["0|a", "10|b", "20|a"]);
  // Nothing is late in complete mode: an old event still updates its window.
  assert.equal(engine.process(records("100,a,1")).outputs.q.length, 4);
  const old = engine.process(records("2,a,1")).outputs.q.find((x) => x.windowStart === 0);
  assert.equal(old?.n, 2);
});

test("out-of-order events within the watermark are aggregated; beyond it they are counted and reported", () => {
  const engine = new StreamEngine(options("update"));
  engine.process(records("3,a,1", "17,a,1")); // watermark after: 17 - 5 = 12; window [0,10) closed
  assert.equal(engine.currentWatermark, 12);
  const r = engine.process(records("11,a,1", "9,a,7", "x,a,1"));
  // 11 is out of order but its window [10,20) is still open: aggregated.
  assert.equal(r.outputs.q.find((x) => x.windowStart === 10)?.n, 2);
  // 9 belongs to [0,10), which ended at 10 <= watermark 12: late, reported with the reason.
  const late = r.dead.filter((d) => d.kind === "late");
  assert.equal(late.length, 1);
  assert.equal(late[0].record.value?.toString(), "9,a,7");
  assert.match(late[0].reason, /late for q: .* at or before the watermark/);
  assert.equal(r.dead.filter((d) => d.kind === "rejected")[0].reason, 'bad time "x"');
  const s = engine.getStats();
  assert.equal(s.late.q, 1);
  assert.equal(s.in, 5);
  assert.equal(s.in, s.ok + s.rejected);
});

test("records are judged against the watermark of the previous batch, so order within a batch does not matter", () => {
  const a = new StreamEngine(options("update"));
  const b = new StreamEngine(options("update"));
  a.process(records("1,a,1"));
  b.process(records("1,a,1"));
  // Within one batch, 30 would move the watermark to 25, but 2 is judged against the old watermark (-4).
  const ra = a.process(records("30,a,1", "2,a,1"));
  const rb = b.process(records("2,a,1", "30,a,1"));
  assert.equal(ra.counts.late, 0);
  assert.deepEqual(ra.outputs, rb.outputs);
  // The next batch is judged against 25: a record for [10,20) is late.
  assert.equal(a.process(records("15,a,1")).counts.late, 1);
});

test("with lateness \"record\", which records are late depends only on their order within each partition, not on the batches", () => {
  // Two partitions, times mostly increasing with jitter, and now and then an event far behind.
  const lines = randomStream(200, 7).map((l, i) => (i % 37 === 36 ? `${Math.max(0, Number(l.split(",")[0]) - 40)},z,9` : l));
  const partitionOf = (i: number) => (i % 3 === 0 ? 1 : 0);
  // Expected in one pass: late when the record's window [floor(t/10)*10, +10) ended at or before
  // (the largest time before it in its partition) - 5.
  const newest = new Map<number, number>();
  const expected: string[] = [];
  lines.forEach((l, i) => {
    const t = Number(l.split(",")[0]);
    const p = partitionOf(i);
    const before = newest.get(p);
    if (before !== undefined && Math.floor(t / 10) * 10 + 10 <= before - 5) expected.push(`${p}:${i}`);
    newest.set(p, Math.max(before ?? t, t));
  });
  assert.ok(expected.length >= 4, `${expected.length} late records: the test needs some`);
  const all = lines.map((l, i): InputRecord => ({ partition: partitionOf(i), offset: String(i), key: null, value: Buffer.from(l) }));
  for (const batches of [[all], splitRandomly(all, 3), splitRandomly(all, 11), all.map((r) => [r])]) {
    const engine = new StreamEngine(options("append", { lateness: "record" }));
    engine.expectPartitions([0, 1]);
    const late = batches.flatMap((b) => engine.process(b).dead.filter((d) => d.kind === "late"));
    assert.deepEqual(late.map((d) => `${d.record.partition}:${d.record.offset}`).sort(), expected.sort(), `${batches.length} batches`);
    assert.match(late[0].reason, /late for q: .* at or before its partition's watermark/);
  }
  // The default ("batch") judges a whole batch against the watermark before it: one batch, nothing late.
  assert.equal(new StreamEngine(options("append")).process(all).counts.late, 0);
});

test("a sliding-window event whose earlier windows closed is added to the open ones only", () => {
  const engine = new StreamEngine(options("append", { queries: [{ name: "s", window: sliding(10, 2), key: (e) => e.k, aggregates: { n: count() }, mode: "append" }] }));
  engine.process(records("20,a,1")); // watermark 15
  const r = engine.process(records("12,a,1")); // windows [4,14) .. [12,22): those ending <= 15 are closed
  assert.equal(r.counts.late, 0);
  const rest = engine.flush().outputs.s;
  const with12 = rest.filter((w) => w.windowStart <= 12 && 12 < w.windowEnd);
  assert.deepEqual(with12.map((w) => w.windowStart), [6, 8, 10, 12]);
});

test("restoring a snapshot mid-stream continues exactly as an uninterrupted engine", () => {
  const lines = randomStream(300, 99);
  const parts = splitRandomly(lines, 8);
  const whole = new StreamEngine(options("append"));
  const expected = parts.map((p) => whole.process(records(...p)).outputs);
  expected.push(whole.flush().outputs);

  const first = new StreamEngine(options("append"));
  const got = parts.slice(0, 10).map((p) => first.process(records(...p)).outputs);
  const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
  const second = new StreamEngine(options("append"));
  second.restore(snapshot);
  got.push(...parts.slice(10).map((p) => second.process(records(...p)).outputs));
  got.push(second.flush().outputs);
  assert.deepEqual(got, expected);
  assert.deepEqual(second.snapshot(), whole.snapshot(), "the same state, not only the same statistics");
});

/** A custom aggregate whose state is an object changed in place (as the documentation allows): counts per value. */
function histogram() {
  return aggregate<Ev, Record<string, number>, string>({
    init: () => ({}),
    add: (s, e) => {
      s[e.v] = (s[e.v] ?? 0) + 1;
      return s;
    },
    result: (s) => JSON.stringify(s),
    merge: (into, from) => {
      for (const [v, n] of Object.entries(from)) into[v] = (into[v] ?? 0) + n;
      return into;
    },
  });
}

for (const window of [tumbling(10), sliding(20, 5)]) {
  test(`a snapshot is a value: the batches after it change nothing in it (${window.kind} windows, mean and an aggregate changing its state in place)`, () => {
    const lines = randomStream(400, 7);
    const opts = options("append", { queries: [{ name: "q", window, key: (e) => e.k, aggregates: { n: count(), avg: mean("v"), hist: histogram(), users: distinctCount("v") }, mode: "append" }] });
    const engine = new StreamEngine(opts);
    engine.process(records(...lines.slice(0, 200)));
    const snapshot = engine.snapshot();
    const before = JSON.stringify(snapshot);
    engine.process(records(...lines.slice(200)));
    assert.equal(JSON.stringify(snapshot), before, "the second batch changed the first batch's snapshot");
    // A second engine computed apart over the first batch alone holds the same state.
    const alone = new StreamEngine(opts);
    alone.process(records(...lines.slice(0, 200)));
    assert.equal(JSON.stringify(alone.snapshot()), before);
  });
}

test("a restored snapshot is not shared with the engine that restored it", () => {
  const lines = randomStream(300, 8);
  const opts = options("append", { queries: [{ name: "q", window: tumbling(10), key: (e) => e.k, aggregates: { avg: mean("v"), hist: histogram() }, mode: "append" }] });
  const first = new StreamEngine(opts);
  first.process(records(...lines.slice(0, 150)));
  const snapshot = first.snapshot();
  const before = JSON.stringify(snapshot);
  const second = new StreamEngine(opts);
  second.restore(snapshot);
  second.process(records(...lines.slice(150)));
  assert.equal(JSON.stringify(snapshot), before);
});

test("a parser that throws rejects the record with the error message", () => {
  const engine = new StreamEngine(options("update", { parse: () => { throw new Error("boom"); } }));
  const r = engine.process(records("1,a,1"));
  assert.deepEqual(r.dead.map((d) => d.reason), ["parser failed: boom"]);
  assert.deepEqual(engine.process([{ partition: 0, offset: "9", key: null, value: null }]).dead.map((d) => d.reason), ["empty value"]);
});

test("two queries with the same name are refused", () => {
  const q = options("update").queries[0];
  assert.throws(() => new StreamEngine(options("update", { queries: [q, q] })), /two queries are named "q"/);
});

test("the watermark follows the slowest partition, so a partition fetched late is not judged late", () => {
  const engine = new StreamEngine(options("append"));
  engine.expectPartitions([0, 1]);
  const p = (partition: number, ...lines: string[]) => lines.map((l, i) => ({ partition, offset: String(i), key: null, value: Buffer.from(l) }));
  engine.process(p(0, "1,a,1", "50,a,1", "90,a,1")); // partition 1 not read yet: watermark stays -inf
  assert.equal(engine.currentWatermark, -Infinity);
  const r = engine.process(p(1, "2,b,1", "60,b,1"));
  assert.equal(r.counts.late, 0);
  assert.equal(engine.currentWatermark, 55);
  assert.deepEqual(r.outputs.q.map((w) => `${w.windowStart}|${w.key}`), ["0|a", "0|b"]);
});

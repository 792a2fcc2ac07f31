import { test } from "node:test";
import assert from "node:assert/strict";
import { StreamEngine, type BatchResult, type EngineOptions, type InputRecord, type OutputMode } from "../../../lib/stream/engine";
import { aggregate, count, distinctCount, max, mean, min, sum } from "../../../lib/stream/aggregates";
import { sliding, type WindowSpec } from "../../../lib/stream/windows";

interface Ev {
  t: number;
  k: string;
  v: number;
}

function options(mode: OutputMode, window: WindowSpec, slidingState: "buckets" | "windows", delay = 5): EngineOptions<Ev> {
  return {
    parse: (text) => {
      const [t, k, v] = text.split(",");
      return { ok: true, value: { t: Number(t), k, v: Number(v) } };
    },
    eventTime: (e) => e.t,
    watermarkDelayMs: delay,
    queries: [
      {
        name: "s",
        window,
        key: (e) => e.k,
        aggregates: { n: count(), total: sum("v"), avg: mean("v"), lo: min("v"), hi: max("v"), users: distinctCount("v") },
        mode,
        slidingState,
      },
    ],
  };
}

/** A seeded stream; a fifth of the events come up to `jitter` behind, so some are late. */
function stream(n: number, seed: number, jitter = 20): string[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: string[] = [];
  let t = 100;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 3);
    const behind = rnd() < 0.2 ? Math.floor(rnd() * (jitter + 1)) : 0;
    out.push(`${t - behind},${"abcd"[Math.floor(rnd() * 4)]},${Math.floor(rnd() * 7)}`);
  }
  return out;
}

function batches(lines: string[], seed: number): InputRecord[][] {
  let s = seed;
  const rnd = () => ((s = (s * 69069 + 1) % 4294967296) / 4294967296);
  const out: InputRecord[][] = [];
  let offset = 0;
  for (let i = 0; i < lines.length; ) {
    const n = 1 + Math.floor(rnd() * 20);
    out.push(lines.slice(i, i + n).map((l) => ({ partition: offset % 2, offset: String(offset++), key: null, value: Buffer.from(l) })));
    i += n;
  }
  return out;
}

/** What a batch returns, with dead records reduced to comparable text. */
function comparable(r: BatchResult): unknown {
  return { ...r, dead: r.dead.map((d) => `${d.kind} ${d.query ?? ""} ${d.record.value?.toString() ?? ""} ${d.reason}`) };
}

function run(engine: StreamEngine<Ev>, parts: InputRecord[][]): unknown[] {
  const out = parts.map((p) => comparable(engine.process(p)));
  out.push(comparable(engine.flush()));
  return out;
}

const windows: Array<[string, WindowSpec]> = [
  ["sliding(10, 2)", sliding(10, 2)],
  ["sliding(12, 3, offset 1)", sliding(12, 3, { offsetMs: 1 })],
  ["sliding(30, 1)", sliding(30, 1)],
];

for (const mode of ["update", "append"] as const) {
  for (const [label, window] of windows) {
    test(`buckets give the same rows, late records and statistics as one state per window: ${mode}, ${label}`, () => {
      const parts = batches(stream(600, label.length * 31 + mode.length, window.sizeMs + 15), 17);
      const byWindow = new StreamEngine(options(mode, window, "windows"));
      const byBucket = new StreamEngine(options(mode, window, "buckets"));
      const expected = run(byWindow, parts);
      const got = run(byBucket, parts);
      assert.deepEqual(got, expected);
      const stats = byBucket.getStats();
      assert.ok(stats.late.s > 0, "the stream has late records");
      assert.ok(stats.emitted.s > 100, "the stream emits windows");
      assert.deepEqual(stats, byWindow.getStats());
    });
  }
}

test("buckets restored from a JSON checkpoint mid-stream continue exactly as one state per window", () => {
  for (const mode of ["update", "append"] as const) {
    const window = sliding(10, 2);
    const parts = batches(stream(500, 5), 23);
    const expected = run(new StreamEngine(options(mode, window, "windows")), parts);
    const first = new StreamEngine(options(mode, window, "buckets"));
    const got = parts.slice(0, 20).map((p) => comparable(first.process(p)));
    const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
    assert.ok(snapshot.buckets.s.length > 0 && snapshot.queries.s === undefined, "the checkpoint holds buckets");
    const second = new StreamEngine(options(mode, window, "buckets"));
    second.restore(snapshot);
    got.push(...run(second, parts.slice(20)));
    assert.deepEqual(got, expected, mode);
  }
});

test("buckets hold one state per slide and key, fewer than one per window", () => {
  const parts = batches(stream(300, 3), 4);
  const byWindow = new StreamEngine(options("append", sliding(30, 1), "windows"));
  const byBucket = new StreamEngine(options("append", sliding(30, 1), "buckets"));
  for (const p of parts.slice(0, 10)) {
    byWindow.process(p);
    byBucket.process(p);
  }
  assert.ok(byBucket.stateSize().s * 3 < byWindow.stateSize().s, `${byBucket.stateSize().s} buckets vs ${byWindow.stateSize().s} windows`);
});

test("a user-defined aggregate with merge uses buckets; without merge it keeps one state per window", () => {
  const share5 = (merge: boolean) =>
    aggregate<Ev, [number, number], number>({
      init: () => [0, 0],
      add: (s, e) => [s[0] + (e.v === 5 ? 1 : 0), s[1] + 1],
      result: (s) => s[0] / s[1],
      ...(merge ? { merge: (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]] } : {}),
    });
  const opts = (merge: boolean, slidingState?: "buckets" | "windows"): EngineOptions<Ev> => ({
    ...options("append", sliding(10, 2), "buckets"),
    queries: [{ name: "s", window: sliding(10, 2), key: (e) => e.k, aggregates: { share: share5(merge) }, mode: "append", slidingState }],
  });
  const parts = batches(stream(300, 8), 9);
  const expected = run(new StreamEngine(opts(false)), parts);
  assert.deepEqual(run(new StreamEngine(opts(true)), parts), expected);
  assert.throws(() => new StreamEngine(opts(false, "buckets")), (err: Error & { code?: string }) => err.code === "STREAM_OPTIONS_INVALID" && /share have no merge/.test(err.message));
});

test("a checkpoint written with one state per window carries on that way; bucket state is refused by a query that cannot use it", () => {
  const parts = batches(stream(300, 1), 2);
  const expected = run(new StreamEngine(options("append", sliding(10, 2), "windows")), parts);
  const byWindow = new StreamEngine(options("append", sliding(10, 2), "windows"));
  const got = parts.slice(0, 10).map((p) => comparable(byWindow.process(p)));
  const resumed = new StreamEngine(options("append", sliding(10, 2), "buckets"));
  resumed.restore(JSON.parse(JSON.stringify(byWindow.snapshot())));
  got.push(...run(resumed, parts.slice(10)));
  assert.deepEqual(got, expected);

  const byBucket = new StreamEngine(options("append", sliding(10, 2), "buckets"));
  byBucket.process(parts[0]);
  const perWindow = new StreamEngine(options("append", sliding(10, 2), "windows"));
  assert.throws(() => perWindow.restore(JSON.parse(JSON.stringify(byBucket.snapshot()))), /keeps query "s" in buckets/);
});

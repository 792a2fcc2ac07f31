import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregate, count, distinctCount, max, mean, min, sum, type Aggregate } from "../../../lib/stream/aggregates";

type V = { x: number; u: string };

function fold<S, R>(agg: Aggregate<V, S, R>, values: V[]): R {
  let s = agg.init();
  for (const v of values) s = agg.add(s, v);
  return agg.result(s);
}

/** Folds half, saves through JSON, loads, folds the rest: as a checkpoint would. */
function foldThroughCheckpoint<S, R>(agg: Aggregate<V, S, R>, values: V[]): R {
  let s = agg.init();
  const half = Math.floor(values.length / 2);
  for (const v of values.slice(0, half)) s = agg.add(s, v);
  const saved = JSON.parse(JSON.stringify(agg.save ? agg.save(s) : s));
  s = agg.load ? agg.load(saved) : (saved as S);
  for (const v of values.slice(half)) s = agg.add(s, v);
  return agg.result(s);
}

const values: V[] = [3, 1, 4, 1, 5, 9, 2, 6].map((x, i) => ({ x, u: `u${i % 3}` }));

test("built-in aggregates compute count, sum, mean, min, max and exact distinct count", () => {
  assert.equal(fold(count<V>(), values), 8);
  assert.equal(fold(sum<V>("x"), values), 31);
  assert.equal(fold(mean<V>((v) => v.x), values), 31 / 8);
  assert.equal(fold(min<V>("x"), values), 1);
  assert.equal(fold(max<V>("x"), values), 9);
  assert.equal(fold(distinctCount<V>("u"), values), 3);
});

test("empty windows give 0 for count and sum, null for mean, min and max", () => {
  assert.equal(fold(count<V>(), []), 0);
  assert.equal(fold(sum<V>("x"), []), 0);
  assert.equal(fold(mean<V>("x"), []), null);
  assert.equal(fold(min<V>("x"), []), null);
  assert.equal(fold(max<V>("x"), []), null);
});

test("aggregate states survive a JSON checkpoint round trip", () => {
  for (const agg of [count<V>(), sum<V>("x"), mean<V>("x"), min<V>("x"), max<V>("x"), distinctCount<V>("u")] as Aggregate<V, unknown, unknown>[]) {
    assert.deepEqual(foldThroughCheckpoint(agg, values), fold(agg, values), agg.kind);
  }
});

test("a user-defined aggregate (share of values above 3) folds and checkpoints like the built-ins", () => {
  const share = aggregate<V, { hi: number; n: number }, number>({
    init: () => ({ hi: 0, n: 0 }),
    add: (s, v) => ({ hi: s.hi + (v.x > 3 ? 1 : 0), n: s.n + 1 }),
    result: (s) => s.hi / s.n,
  });
  assert.equal(share.kind, "custom");
  assert.equal(fold(share, values), 4 / 8);
  assert.equal(foldThroughCheckpoint(share, values), 4 / 8);
});

test("built-in aggregates merge partial states into the state of all values, leaving the merged-in state unchanged", () => {
  for (const agg of [count<V>(), sum<V>("x"), mean<V>("x"), min<V>("x"), max<V>("x"), distinctCount<V>("u")] as Aggregate<V, unknown, unknown>[]) {
    for (const cut of [0, 3, values.length]) {
      let left = agg.init();
      for (const v of values.slice(0, cut)) left = agg.add(left, v);
      let right = agg.init();
      for (const v of values.slice(cut)) right = agg.add(right, v);
      const before = agg.result(right);
      const saved = JSON.stringify(agg.save ? agg.save(right) : right);
      assert.equal(agg.result(agg.merge!(left, right)), fold(agg, values), `${agg.kind} cut at ${cut}`);
      assert.equal(agg.result(right), before, `${agg.kind}: merge changed its second argument`);
      assert.equal(JSON.stringify(agg.save ? agg.save(right) : right), saved);
    }
  }
});

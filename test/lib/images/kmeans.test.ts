import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterPixels, seededRandom } from "../../../lib/images/kmeans";

function noisyPixels(centres: number[][], perCentre: number, noise: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const px = new Uint8Array(centres.length * perCentre * 3);
  let i = 0;
  for (const c of centres) {
    for (let n = 0; n < perCentre; n++) for (let ch = 0; ch < 3; ch++) px[i++] = Math.max(0, Math.min(255, Math.round(c[ch] + (random() * 2 - 1) * noise)));
  }
  return px;
}

test("seededRandom gives the same sequence for the same seed and another for another seed", () => {
  const a = seededRandom(9);
  const b = seededRandom(9);
  const c = seededRandom(10);
  const sa = [a(), a(), a()];
  assert.deepEqual(sa, [b(), b(), b()]);
  assert.notDeepEqual(sa, [c(), c(), c()]);
  assert.ok(sa.every((x) => x >= 0 && x < 1));
});

test("clusterPixels finds well separated clusters and counts their pixels", () => {
  const centres = [[20, 20, 20], [230, 40, 40], [40, 230, 40], [40, 40, 230]];
  const result = clusterPixels(noisyPixels(centres, 500, 20, 1), { k: 4, seed: 1 });
  assert.equal(result.clusters.length, 4);
  for (const truth of centres) {
    const found = result.clusters.find((c) => Math.hypot(c.centre[0] - truth[0], c.centre[1] - truth[1], c.centre[2] - truth[2]) < 5);
    assert.ok(found, `no cluster near ${truth}`);
    assert.equal(found.count, 500);
  }
});

test("clusterPixels is deterministic for a seed", () => {
  const px = noisyPixels([[10, 200, 90], [200, 10, 90], [90, 90, 90]], 300, 90, 4);
  assert.deepEqual(clusterPixels(px, { k: 5, seed: 7 }), clusterPixels(px, { k: 5, seed: 7 }));
});

test("clusterPixels on no pixels gives no clusters", () => {
  assert.deepEqual(clusterPixels(new Uint8Array(0), { k: 3 }), { clusters: [], iterations: 0 });
});

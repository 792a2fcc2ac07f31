/** The split in SQL is deterministic and disjoint; scaling is fitted on the train rows only. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openSql } from "../../../lib/sql";
import { readPenguinRecords } from "../../../scenarios/penguins/data";
import { featureMatrix, featureNames, featureVector, fitPreprocessor, NUMERIC_FEATURES, readFeatures } from "../../../scenarios/penguins/features";
import { loadPenguins } from "../../../scenarios/penguins/load";

test("the split by a hash of the key is about 80/20, disjoint, covers every row, and the same on a second database", { timeout: 120_000 }, async (t) => {
  const splits = [];
  for (let i = 0; i < 2; i++) {
    const db = await openSql({ memory: true });
    t.after(() => db.close());
    await loadPenguins(db, readPenguinRecords());
    splits.push(await readFeatures(db));
  }
  const [a, b] = splits;
  const trainIds = a.train.map((r) => r.penguin_id);
  const testIds = a.test.map((r) => r.penguin_id);
  assert.equal(trainIds.length + testIds.length, 342);
  assert.equal(new Set([...trainIds, ...testIds]).size, 342, "disjoint and complete");
  assert.ok(testIds.length > 342 * 0.12 && testIds.length < 342 * 0.28, `about one in five in test: ${testIds.length}`);
  assert.deepEqual(b.train.map((r) => r.penguin_id), trainIds);
  assert.deepEqual(b.test.map((r) => r.penguin_id), testIds);
  assert.ok(a.train.every((r) => ["female", "male", "unknown"].includes(r.sex)), "a missing sex is the category unknown");
  assert.ok(a.train.some((r) => r.sex === "unknown") || a.test.some((r) => r.sex === "unknown"));
});

test("fitPreprocessor learns the means and deviations of the train rows only; encoding is scaled numbers then one-hot island and sex", { timeout: 120_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  await loadPenguins(db, readPenguinRecords());
  const { train, test: testRows } = await readFeatures(db);
  const p = fitPreprocessor(train);
  NUMERIC_FEATURES.forEach((c, i) => {
    const xs = train.map((r) => Number(r[c]));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(p.mean[i] - mean) < 1e-3 * Math.abs(mean), `${c}: the train mean`);
    assert.ok(Math.abs(p.std[i] - std) < 1e-3 * std, `${c}: the train deviation`);
  });
  const all = fitPreprocessor([...train, ...testRows]);
  assert.notDeepEqual(all.mean, p.mean, "fitting on all rows would give other statistics");
  const scaledTrain = featureMatrix(train, p);
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(scaledTrain.reduce((s, v) => s + v[j], 0) / train.length) < 1e-4, "train columns have mean 0");
  assert.ok(featureMatrix(testRows, p).some((v) => v.slice(0, 4).some((x) => x !== 0)));
  assert.deepEqual(featureNames(p), [...NUMERIC_FEATURES, "island_Biscoe", "island_Dream", "island_Torgersen", "sex_female", "sex_male", "sex_unknown"]);
  assert.deepEqual(p.species, ["Adelie", "Chinstrap", "Gentoo"]);
  const v = featureVector({ bill_length_mm: p.mean[0], bill_depth_mm: p.mean[1], flipper_length_mm: p.mean[2], body_mass_g: p.mean[3], island: "Dream", sex: "male" }, p);
  assert.deepEqual(v.map((x) => Math.round(x * 1e6) / 1e6), [0, 0, 0, 0, 0, 1, 0, 0, 1, 0]);
  assert.deepEqual(featureVector({ ...train[0], island: "Atlantis", sex: "" }, p).slice(4), [0, 0, 0, 0, 0, 1], "an unseen island is all zeros; a missing sex is unknown");
});

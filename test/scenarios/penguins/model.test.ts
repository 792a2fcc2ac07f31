/** The network trains above the floor with a fixed seed, deterministically; baselines; a save/load round trip predicts the same. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { openSql } from "../../../lib/sql";
import { knnPredictions, majorityClass, majorityPredictions } from "../../../scenarios/penguins/baselines";
import { readPenguinRecords } from "../../../scenarios/penguins/data";
import { loadPenguins } from "../../../scenarios/penguins/load";
import { accuracy, confusionMatrix, loadModel, predictProbabilities, saveModel, shuffledIndices } from "../../../scenarios/penguins/model";
import { compareWithBaselines, penguinData, predictPenguin, trainPenguins } from "../../../scenarios/penguins/scenario";
import { seededRandom } from "../../../lib/random";
import { tempDir } from "../../helpers";

/** Palmer penguins' species are nearly linearly separable on the bill and flipper: a small network reaches 0.9 easily. */
const FLOOR = 0.9;

test("the network trains above the floor with a fixed seed, twice the same, beats the majority baseline, and the unscaled naive way does worse; save and load predict the same", { timeout: 300_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  await loadPenguins(db, readPenguinRecords());
  const data = await penguinData(db);
  const options = { epochs: 20, learningRate: 0.01, seed: 42, hiddenUnits: 16 };
  const a = await trainPenguins(data, options);
  const b = await trainPenguins(data, options);
  assert.ok(a.testAccuracy >= FLOOR, `test accuracy ${a.testAccuracy}`);
  assert.deepEqual(a.history, b.history, "seeded weights and shuffling: the same losses");
  assert.deepEqual(a.predicted, b.predicted);
  assert.equal(a.history.length, 20);
  assert.ok(a.history[19].loss < a.history[0].loss);
  const naive = await trainPenguins(data, { ...options, scale: false });
  assert.ok(naive.testAccuracy < a.testAccuracy - 0.2, `unscaled ${naive.testAccuracy} vs scaled ${a.testAccuracy}`);

  const table = compareWithBaselines(data, a);
  assert.equal(table.length, 3);
  assert.ok(table[0].test_accuracy < 0.6 && table[0].test_accuracy < table[2].test_accuracy, "the network beats the majority class");
  assert.ok(table[1].test_accuracy >= FLOOR, "k-NN on scaled features is a strong baseline");
  const m = confusionMatrix(a.predicted, data.testY, 3);
  assert.equal(m.flat().reduce((s, x) => s + x, 0), data.testY.length);
  assert.equal(m[0][0] + m[1][1] + m[2][2], Math.round(a.testAccuracy * data.testY.length));

  const dir = path.join(tempDir(t), "model");
  const files = await saveModel(a.model, data.preprocessor, dir);
  assert.equal(files.length, 3);
  const loaded = await loadModel(dir);
  assert.deepEqual(loaded.preprocessor, data.preprocessor);
  assert.deepEqual(predictProbabilities(loaded.model, data.testX), predictProbabilities(a.model, data.testX));
  const gentoo = { bill_length_mm: 47.5, bill_depth_mm: 14.5, flipper_length_mm: 217, body_mass_g: 5000, island: "Biscoe", sex: "male" };
  assert.equal(predictPenguin(loaded.model, loaded.preprocessor, gentoo)[0].species, "Gentoo");
});

test("baselines and helpers: majority class, k-NN, accuracy, a seeded shuffle", () => {
  assert.equal(majorityClass([2, 1, 1, 2, 0, 2]), 2);
  assert.equal(majorityClass([1, 0]), 0, "a tie goes to the lowest class");
  assert.deepEqual(majorityPredictions([1, 1, 0], 3), [1, 1, 1]);
  assert.deepEqual(knnPredictions([[0], [1], [10], [11], [12]], [0, 0, 1, 1, 1], [[0.4], [10.5]], 3), [0, 1]);
  assert.equal(accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75);
  const s = shuffledIndices(10, seededRandom(1));
  assert.deepEqual(s, shuffledIndices(10, seededRandom(1)));
  assert.deepEqual([...s].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

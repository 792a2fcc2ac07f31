/** Every checker: a typical wrong answer fails (without giving the answer away), the reference passes, a placeholder is not attempted. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openSql } from "../../../lib/sql";
import { readPenguinRecords } from "../../../scenarios/penguins/data";
import { penguinsExercises } from "../../../scenarios/penguins/exercises";
import { createFeaturesView } from "../../../scenarios/penguins/features";
import { loadPenguins } from "../../../scenarios/penguins/load";

test("penguins exercises: typical wrong answers fail, the references pass", { timeout: 120_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const records = readPenguinRecords();
  await loadPenguins(db, records);
  await createFeaturesView(db);
  const ex = penguinsExercises(db, records);

  assert.equal((await ex.trainBySpecies.verdict(undefined)).status, "not-attempted");
  const allRows = await ex.trainBySpecies.verdict("SELECT species, COUNT(*) AS n FROM penguin_features GROUP BY species");
  assert.equal(allRows.status, "incorrect");
  assert.match(allRows.message, /filter on the split/);
  assert.equal((await ex.trainBySpecies.verdict("SELECT species FROM penguins")).status, "incorrect");
  assert.equal((await ex.trainBySpecies.verdict(await ex.trainBySpecies.solution())).status, "correct");

  const trainShareSql = "SELECT AVG(CASE WHEN species = 'Adelie' THEN 1.0 ELSE 0.0 END) AS accuracy FROM penguin_features WHERE split = 'train'";
  const wrong = await ex.majorityBaseline.verdict(trainShareSql);
  assert.equal(wrong.status, "incorrect", "the share in the train rows is not the test accuracy");
  assert.match(wrong.message, /TEST rows/);
  assert.equal((await ex.majorityBaseline.verdict("SELECT 53.3 AS accuracy")).status, "incorrect");
  assert.match((await ex.majorityBaseline.verdict("SELECT species FROM penguins")).message, /did not run: the query must return one row/);
  const reference = await ex.majorityBaseline.solution();
  const right = Number((await db.query<{ accuracy: number }>(reference)).rows[0].accuracy);
  assert.ok(right > 0.3 && right < 0.7);
  assert.equal((await ex.majorityBaseline.verdict(reference)).status, "correct");
  assert.equal((await ex.majorityBaseline.verdict(`SELECT ${Math.round(right * 1000) / 1000} AS accuracy`)).status, "correct", "three decimals are enough");
  assert.doesNotMatch(wrong.message, new RegExp(String(right).slice(0, 5).replace(".", "\\.")), "never shows the expected value");

  const nullsOnly = records.filter((r) => Object.values(r).some((v) => v === null)).length;
  const m = await ex.missingRecords.verdict(nullsOnly);
  assert.equal(m.status, "incorrect");
  assert.match(m.message, /another way/);
  assert.equal((await ex.missingRecords.verdict(2)).status, "incorrect");
  assert.equal(await ex.missingRecords.solution(), 11);
  assert.equal((await ex.missingRecords.verdict(11)).status, "correct");
});

/**
 * Every checker: the expected value pinned by a second computation (plain TypeScript over the rows of
 * the features view, not SQL aggregates; the missing records counted by hand), typical wrong answers
 * failing with their nudge, the reference passing, a placeholder not attempted.
 */
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

  // plain TypeScript over the rows: per island, the most common train species (ties: by name); scored on the test rows
  const rows = (await db.query<{ species: string; island: string; split: string }>("SELECT species, island, split FROM penguin_features")).rows;
  const train = rows.filter((r) => r.split === "train");
  const test_ = rows.filter((r) => r.split === "test");
  const perSpecies = (list: typeof rows) => Object.entries(list.reduce<Record<string, number>>((m, r) => ({ ...m, [r.species]: (m[r.species] ?? 0) + 1 }), {}));
  assert.deepEqual(await ex.trainBySpecies.expected(), perSpecies(train).map(([species, n]) => ({ species: species, n: n })).sort((a, b) => a.species.localeCompare(b.species)));
  const top = (list: typeof rows) => perSpecies(list).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  const guess = new Map([...new Set(train.map((r) => r.island))].map((i) => [i, top(train.filter((r) => r.island === i))]));
  const byIsland = test_.filter((r) => guess.get(r.island) === r.species).length / test_.length;
  assert.ok(Math.abs((await ex.islandBaseline.expected() as number) - byIsland) < 1e-9, `${await ex.islandBaseline.expected()} = ${byIsland}`);
  const majority = test_.filter((r) => r.species === top(train)).length / test_.length;
  assert.ok(byIsland > majority, "knowing the island beats one guess for all");

  assert.match((await ex.islandBaseline.verdict(`SELECT ${majority} AS accuracy`)).message, /majority baseline/);
  const onTrain = await ex.islandBaseline.verdict((await ex.islandBaseline.solution()).replace("WHERE f.split = 'test'", "WHERE f.split = 'train'"));
  assert.match(onTrain.message, /TRAIN rows/);
  assert.match((await ex.islandBaseline.verdict(`SELECT ${byIsland * 100} AS accuracy`)).message, /share between 0 and 1/);
  assert.match((await ex.islandBaseline.verdict("SELECT species FROM penguins")).message, /did not run: the query must return one row/);
  assert.equal((await ex.islandBaseline.verdict(await ex.islandBaseline.solution())).status, "correct");
  assert.equal((await ex.islandBaseline.verdict(`SELECT ${Math.round(byIsland * 1000) / 1000} AS accuracy`)).status, "correct", "three decimals are enough");
  assert.doesNotMatch(onTrain.message, new RegExp(String(byIsland).slice(0, 5).replace(".", "\\.")), "never shows the expected value");

  const nullsOnly = records.filter((r) => Object.values(r).some((v) => v === null)).length;
  const m = await ex.missingRecords.verdict(nullsOnly);
  assert.equal(m.status, "incorrect");
  assert.match(m.message, /another way/);
  assert.match((await ex.missingRecords.verdict(2)).message, /Measurements are not the only values/);
  assert.match((await ex.missingRecords.verdict(19)).message, /Count records/, "missing values, not records");
  assert.equal(await ex.missingRecords.solution(), 11);
  assert.equal((await ex.missingRecords.verdict(11)).status, "correct");
});

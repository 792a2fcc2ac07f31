/** The penguins loader: validation with reasons, counts that reconcile, and an idempotent load by key. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openSql } from "../../../lib/sql";
import { hasMissingValue, readPenguinRecords, validatePenguin, type PenguinRecord } from "../../../scenarios/penguins/data";
import { loadPenguins } from "../../../scenarios/penguins/load";

const good: PenguinRecord = { Species: "Gentoo", Island: "Biscoe", "Beak Length (mm)": 46.1, "Beak Depth (mm)": 13.2, "Flipper Length (mm)": 211, "Body Mass (g)": 4500, Sex: "FEMALE" };

test("validatePenguin keeps a good record, keeps a missing sex as null, and rejects an unknown species, island or a missing measurement with a reason", () => {
  const ok = validatePenguin(good, 7);
  assert.ok(ok.ok);
  assert.deepEqual(ok.penguin, { penguin_id: 7, species: "Gentoo", island: "Biscoe", bill_length_mm: 46.1, bill_depth_mm: 13.2, flipper_length_mm: 211, body_mass_g: 4500, sex: "female" });
  for (const sex of [null, "."]) {
    const v = validatePenguin({ ...good, Sex: sex }, 1);
    assert.ok(v.ok && v.penguin.sex === null);
  }
  const reason = (r: PenguinRecord) => { const v = validatePenguin(r, 1); assert.ok(!v.ok); return v.reason; };
  assert.match(reason({ ...good, Species: "Emperor" }), /unknown species "Emperor"/);
  assert.match(reason({ ...good, Island: "Atlantis" }), /unknown island/);
  assert.match(reason({ ...good, "Beak Length (mm)": null, "Body Mass (g)": null }), /missing bill_length_mm, body_mass_g/);
  assert.match(reason({ ...good, "Flipper Length (mm)": -3 }), /not a positive number/);
  assert.match(reason({ ...good, Sex: "X" }), /sex "X"/);
});

test("the real file: 344 records, 11 with a missing value, 2 without measurements", () => {
  const records = readPenguinRecords();
  assert.equal(records.length, 344);
  assert.equal(records.filter(hasMissingValue).length, 11);
  assert.equal(records.filter((r, i) => !validatePenguin(r, i + 1).ok).length, 2);
});

test("loadPenguins: read = loaded + rejected, rejected rows keep their reason, a second load changes nothing, a record fixed later moves across", { timeout: 120_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const records = readPenguinRecords();
  const first = await loadPenguins(db, records);
  assert.deepEqual(first, { read: 344, loaded: 342, rejected: 2 });
  const rejected = (await db.query<{ penguin_id: number; reason: string }>("SELECT penguin_id, reason FROM penguins_rejected ORDER BY penguin_id")).rows;
  assert.deepEqual(rejected.map((r) => r.reason), ["missing bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g", "missing bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g"]);
  assert.deepEqual(await loadPenguins(db, records), first, "idempotent by key");
  assert.equal(Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM penguins WHERE sex IS NULL")).rows[0].n), 9);

  const fixed = records.map((r, i) => (i + 1 === rejected[0].penguin_id ? good : r));
  assert.deepEqual(await loadPenguins(db, fixed), { read: 344, loaded: 343, rejected: 1 });
  const broken = records.map((r, i) => (i === 0 ? { ...r, Species: "Emperor" } : r));
  assert.deepEqual(await loadPenguins(db, broken), { read: 344, loaded: 341, rejected: 3 });
  await assert.rejects(db.query("INSERT INTO penguins VALUES (999, 'Emperor', 'Biscoe', 1, 1, 1, 1, NULL)"), /check constraint/i, "the schema guards the species too");
});

/** The penguins' checks on PGlite: a clean load passes; a Gentoo batch in kilograms, a missing species, a stale load and a penguin on an unknown island are caught. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { categoryShift, postgresTarget, runChecks } from "../../../lib/quality";
import { openSql } from "../../../lib/sql";
import { readPenguinRecords, validatePenguin } from "../../../scenarios/penguins/data";
import { loadPenguins } from "../../../scenarios/penguins/load";
import { penguinChecks, plantUnknownIsland, runPenguinChecks } from "../../../scenarios/penguins/quality";

const day = (d: number) => ({ start: new Date(Date.UTC(2024, 0, d)), end: new Date(Date.UTC(2024, 0, d + 1)) });
const loadedOn = (d: number) => ({ now: new Date(Date.UTC(2024, 0, d, 10)) });
const notPassing = (rs: { check: string; status: string }[]) => Object.fromEntries(rs.filter((r) => r.status !== "pass").map((r) => [r.check, r.status]));

test("penguin checks: six kinds; a clean load passes (first run: warnings); body masses in kg, a missing species and a stale load fail with their figures", { timeout: 180_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const records = readPenguinRecords();
  await loadPenguins(db, records, loadedOn(1));
  const target = postgresTarget(db);
  const checks = penguinChecks({ records: records.length });
  const first = await runChecks(target, checks, { interval: day(1) });
  assert.deepEqual([...new Set(first.map((r) => r.kind))], ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.deepEqual(notPassing(first), { "row count near previous loads": "warn", "species distribution": "warn", "body_mass_g distribution": "warn" }, JSON.stringify(first));

  const kept = records.map((r, i) => validatePenguin(r, i + 1)).flatMap((v) => (v.ok ? [v.penguin] : []));
  const gentoo = kept.filter((p) => p.species === "Gentoo").length;
  await loadPenguins(db, records, loadedOn(2));
  await db.query("UPDATE penguins SET body_mass_g = body_mass_g / 1000 WHERE species = 'Gentoo'");
  const kg = await runChecks(target, checks, { interval: day(2) });
  const massDrift = kg.find((r) => r.check === "body_mass_g distribution");
  assert.deepEqual(kg.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]), [["body_mass_g in 2000..7000", gentoo], ["body_mass_g distribution", massDrift?.observed]]);
  assert.ok((massDrift?.observed ?? 0) > 1);

  await loadPenguins(db, records, loadedOn(3));
  await db.query("DELETE FROM penguins WHERE species = 'Chinstrap'");
  const gone = await runChecks(target, checks, { interval: day(3) });
  const count = (list: typeof kept) => list.reduce<Record<string, number>>((c, p) => ({ ...c, [p.species]: (c[p.species] ?? 0) + 1 }), {});
  const expected = categoryShift(count(kept), count(kept.filter((p) => p.species !== "Chinstrap"))).shift;
  const species = gone.find((r) => r.check === "species distribution");
  assert.equal(species?.status, "fail");
  assert.ok(Math.abs((species?.observed ?? 0) - expected) < 1e-9, `${species?.observed} vs ${expected}`);
  // read = loaded + rejected no longer holds: the Chinstraps are neither
  assert.equal(gone.find((r) => r.check === "every record loaded or rejected")?.observed, kept.filter((p) => p.species === "Chinstrap").length);

  // day 4 without a load since day 3, 10:00: the newest loaded_at is 38 hours before the interval's end (day 5, 00:00)
  await loadPenguins(db, records, loadedOn(3));
  const stale = await runChecks(target, checks, { interval: day(4) });
  const fresh = stale.find((r) => r.kind === "freshness");
  assert.equal(fresh?.status, "fail");
  assert.equal(fresh?.observed, 38);
});

test("a penguin on an island not in the study, planted in a scratch copy, fails the island checks; the real database is untouched", { timeout: 180_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const records = readPenguinRecords();
  await loadPenguins(db, records);
  const planted = await plantUnknownIsland(records);
  const failed = planted.results.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]);
  // 343 rows: the 342 kept and the planted one; 1 of them on an unknown island; 343 + 2 rejected = 345, one more than the 344 read
  assert.deepEqual(failed, [["every record loaded or rejected", 1], ["island in accepted values", 1], ["every island exists in penguin_islands", 1 / 343]]);
  assert.equal(planted.check, "every island exists in penguin_islands");
  const clean = await runPenguinChecks(db, { records: records.length });
  assert.deepEqual(clean.filter((r) => r.status === "fail"), []);
});

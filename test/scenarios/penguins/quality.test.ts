/** The penguins' checks on PGlite: a clean load passes; a Gentoo batch in kilograms and a missing species are caught. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { categoryShift, postgresTarget, runChecks } from "../../../lib/quality";
import { openSql } from "../../../lib/sql";
import { readPenguinRecords, validatePenguin } from "../../../scenarios/penguins/data";
import { loadPenguins } from "../../../scenarios/penguins/load";
import { penguinChecks } from "../../../scenarios/penguins/quality";

const day = (d: number) => ({ start: new Date(Date.UTC(2024, 0, d)), end: new Date(Date.UTC(2024, 0, d + 1)) });

test("penguin checks: a clean load passes (first run: warnings); body masses in kg and a species gone missing fail with their figures", { timeout: 180_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const records = readPenguinRecords();
  await loadPenguins(db, records);
  const target = postgresTarget(db);
  const first = await runChecks(target, penguinChecks(), { interval: day(1) });
  assert.deepEqual(first.map((r) => r.status), ["warn", "pass", "pass", "warn", "warn"], JSON.stringify(first));

  const kept = records.map((r, i) => validatePenguin(r, i + 1)).flatMap((v) => (v.ok ? [v.penguin] : []));
  const gentoo = kept.filter((p) => p.species === "Gentoo").length;
  await db.query("UPDATE penguins SET body_mass_g = body_mass_g / 1000 WHERE species = 'Gentoo'");
  const kg = await runChecks(target, penguinChecks(), { interval: day(2) });
  assert.deepEqual(kg.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]), [["body_mass_g in 2000..7000", gentoo], ["body_mass_g distribution", kg[4].observed]]);
  assert.ok((kg[4].observed ?? 0) > 1);

  await loadPenguins(db, records);
  await db.query("DELETE FROM penguins WHERE species = 'Chinstrap'");
  const gone = await runChecks(target, penguinChecks(), { interval: day(3) });
  const count = (list: typeof kept) => list.reduce<Record<string, number>>((c, p) => ({ ...c, [p.species]: (c[p.species] ?? 0) + 1 }), {});
  const expected = categoryShift(count(kept), count(kept.filter((p) => p.species !== "Chinstrap"))).shift;
  const species = gone.find((r) => r.check === "species distribution");
  assert.equal(species?.status, "fail");
  assert.ok(Math.abs((species?.observed ?? 0) - expected) < 1e-9, `${species?.observed} vs ${expected}`);
});

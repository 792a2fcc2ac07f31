/** football_matches' checks on the real file: a clean load passes; a duplicated match and a drifted score column are caught. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { psi, runChecks, warehouseTarget } from "../../../lib/quality";
import { openWarehouse } from "../../../lib/warehouse";
import { loadMatches, readFootball, TABLES, validateMatches } from "../../../scenarios/football/matches";
import { footballChecks } from "../../../scenarios/football/quality";

const day = (d: number) => ({ start: new Date(Date.UTC(2024, 0, d)), end: new Date(Date.UTC(2024, 0, d + 1)) });

test("football checks: the clean load passes (drift: first run, a warning); a duplicated match and scores shifted by 3 goals fail", { timeout: 120_000 }, async (t) => {
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  const records = readFootball();
  await loadMatches(wh, records);
  const target = warehouseTarget(wh);
  const status = (rs: { check: string; status: string }[]) => Object.fromEntries(rs.filter((r) => r.status !== "pass").map((r) => [r.check, r.status]));
  assert.deepEqual(status(await runChecks(target, footballChecks(), { interval: day(1) })), { "home_score distribution": "warn" });

  // planted: three matches loaded again (an append where a replace was meant)
  const { matches } = validateMatches(records);
  await wh.loadRows(TABLES.matches, matches.slice(0, 3) as unknown as Record<string, unknown>[]);
  const dup = await runChecks(target, footballChecks(), { interval: day(2) });
  assert.deepEqual(dup.filter((r) => r.status === "fail").map((r) => [r.check, r.observed]), [["one row per division, day and home team", 3]]);

  // planted: every home score 3 goals higher on the next load
  await loadMatches(wh, records);
  await wh.query(`UPDATE ${TABLES.matches} SET home_score = home_score + 3`);
  const drifted = await runChecks(target, footballChecks(), { interval: day(3) });
  // a second computation: home scores 0..10 in ten bins of width 1 (edges 1..9; the last bin is 9 and up)
  const bins = (scores: number[]) => scores.reduce((c, s) => { c[Math.min(Math.floor(s), 9)]++; return c; }, new Array<number>(10).fill(0));
  // the reference is the previous run's counts (day 2: the load with three matches twice), on day 1's edges
  const dupRef = bins([...matches, ...matches.slice(0, 3)].map((m) => m.home_score));
  const after = bins(matches.map((m) => m.home_score + 3));
  const d = drifted.find((r) => r.check === "home_score distribution");
  assert.equal(d?.status, "fail");
  assert.ok(Math.abs((d?.observed ?? 0) - psi(dupRef, after)) < 1e-9, `${d?.observed} vs ${psi(dupRef, after)}`);
  assert.ok((d?.observed ?? 0) > 1, "a 3-goal shift is far above 0.2");
});

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../../lib/paths";
import { exercise, PLACEHOLDER } from "../../../lib/teach";
import { callerLocation, nudgeCategory, statusRecord, STATUS_SCRAP_PREFIX, verifyStatusRecord } from "../../../lib/teach/record";
import { withEnv } from "../../helpers";

const fields = { id: "sum", title: "Sum the list", status: "wrong" as const, category: "Too small.", definedIn: "dist/scenarios/x/exercises.js" };

test("a status record verifies with its key only, and not once any field is changed", () => {
  const signed = (change: Record<string, unknown> = {}): unknown => ({ ...statusRecord("key-1", fields), ...change });
  assert.ok(verifyStatusRecord(signed(), "key-1"));
  assert.ok(!verifyStatusRecord(signed(), "key-2"));
  assert.ok(!verifyStatusRecord(signed({ status: "correct" }), "key-1"));
  assert.ok(!verifyStatusRecord(signed({ definedIn: "notebook" }), "key-1"));
  assert.ok(!verifyStatusRecord(signed({ signature: "00".repeat(32) }), "key-1"));
  assert.ok(!verifyStatusRecord(signed({ signature: "zz" }), "key-1"));
  assert.ok(!verifyStatusRecord({ id: "sum" }, "key-1"));
  assert.ok(!verifyStatusRecord(null, "key-1"));
});

test("where an exercise was defined: a file of the workbook, else the notebook", () => {
  const teach = path.join(projectRoot, "dist", "lib", "teach");
  const frames = (caller: string) => `Error\n    at callerLocation (${teach}/record.js:50:10)\n    at exercise (${teach}/exercise.js:70:3)\n    at ${caller}\n    at more (/x.js:1:1)`;
  assert.equal(callerLocation(frames(`footballExercises (${projectRoot}/dist/scenarios/football/exercises.js:40:12)`)), "dist/scenarios/football/exercises.js");
  assert.equal(callerLocation(frames(`${projectRoot}/scenarios/football/exercises.ts:40:12`)), "scenarios/football/exercises.ts");
  assert.equal(callerLocation(frames("evalmachine.<anonymous>:3:5")), "notebook");
  assert.equal(callerLocation(frames("Object.<anonymous> (/tmp/learner/mine.js:1:1)")), "notebook");
  assert.equal(callerLocation(frames(`x (${projectRoot}/out/graded/work/mine.js:1:1)`)), "notebook", "a learner's file in a work folder of the project is not the workbook's");
});

test("a wrong answer's category is its nudge with the numbers blanked, so answers of one kind count together", () => {
  assert.equal(nudgeCategory(" 12 rows for the plays: more rows than plays."), "# rows for the plays: more rows than plays.");
  assert.equal(nudgeCategory("15 rows for the plays: more rows than plays."), "# rows for the plays: more rows than plays.");
  assert.equal(nudgeCategory("A share is between 0 and 1, not a count."), "A share is between # and #, not a count.");
});

test("with a grading key, check() glues a signed status: used-solution once the solution was shown, the category when wrong", async (t) => {
  withEnv(t, { WORKBOOK_GRADE_KEY: "test-key" });
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
  let ex;
  try {
    ex = exercise<number>({ id: `graded-${process.pid}`, title: "Six", hints: ["h"], solution: () => 6, expected: () => 6, nudge: (v) => (v > 6 ? `${v} is too big.` : "Too small.") });
    await ex.check(PLACEHOLDER);
    await ex.check(9);
    await ex.check(6);
    await ex.check(await ex.solution());
  } finally {
    process.stdout.write = write;
  }
  const scraps = lines.filter((l) => l.startsWith(`scrap ${STATUS_SCRAP_PREFIX}`)).map((l) => JSON.parse(l.slice(l.indexOf(" = ") + 3)) as Record<string, unknown>);
  assert.deepEqual(scraps.map((s) => [s.status, s.category]), [["not-attempted", null], ["wrong", "# is too big."], ["correct", null], ["used-solution", null]]);
  assert.ok(scraps.every((s) => verifyStatusRecord(s, "test-key")));
  assert.equal(scraps[0].definedIn, "dist/test/lib/teach/record.test.js", "defined by this (compiled) file of the workbook");
});

test("without a grading key, check() glues nothing", async (t) => {
  withEnv(t, { WORKBOOK_GRADE_KEY: undefined });
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await exercise<number>({ id: "quiet", title: "t", hints: ["h"], solution: () => 1, expected: () => 1 }).check(1);
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(lines.filter((l) => l.startsWith("scrap ")), []);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { exercise, exerciseSet, PLACEHOLDER } from "../../../lib/teach";

const sum = () => exercise<number[], number>({
  id: "sum",
  title: "Sum the list",
  hints: ["Add them up.", "Use reduce.", "xs.reduce((a, b) => a + b, 0)"],
  solution: () => [1, 2, 3],
  evaluate: (xs) => xs.reduce((a, b) => a + b, 0),
  expected: () => 6,
  nudge: (v) => (v > 6 ? "Too big." : "Too small."),
});

test("check tells not attempted, incorrect and correct apart, and never shows the expected value", { timeout: 10_000 }, async () => {
  const ex = sum();
  assert.equal((await ex.verdict(PLACEHOLDER)).status, "not-attempted");
  const wrong = await ex.verdict([1, 2]);
  assert.equal(wrong.status, "incorrect");
  assert.match(wrong.message, /gives 3\. Too small\./);
  assert.doesNotMatch(wrong.message, /6/);
  assert.equal((await ex.verdict(await ex.solution())).status, "correct");
});

test("an answer that throws is incorrect with the reason; hints come in layers", { timeout: 10_000 }, async () => {
  const ex = exercise<string, number>({ id: "sql", title: "t", hints: ["a", "b"], solution: () => "ok", evaluate: (s) => { if (s !== "ok") throw new Error("syntax error near x"); return 1; }, expected: () => 1 });
  const r = await ex.verdict("bad");
  assert.equal(r.status, "incorrect");
  assert.match(r.message, /did not run: syntax error near x/);
  assert.equal(ex.hint(), "Hint 1/2: a");
  assert.equal(ex.hint(), "Hint 2/2: b");
  assert.equal(ex.hint(), "Hint 2/2: b");
  assert.equal(ex.hint(1), "Hint 1/2: a");
});

test("exerciseSet names each exercise after the expression that reaches it, so the calls it suggests are code", { timeout: 10_000 }, async () => {
  const ex = exerciseSet({ total: sum() });
  const r = await ex.total.verdict(PLACEHOLDER);
  assert.equal(r.status, "not-attempted");
  assert.match(r.message, /3 hints: ex\.total\.hint\(\), run again for the next; the answer: ex\.total\.solution\(\)\)/);
  assert.match((await exerciseSet({ total: sum() }, "lesson").total.verdict(PLACEHOLDER)).message, /lesson\.total\.hint\(\)/);
  assert.doesNotMatch((await sum().verdict(PLACEHOLDER)).message, /sum\.hint/, "an exercise outside a set names no variable");
  assert.equal((await ex.total.verdict([1, 2, 3])).status, "correct", "the named copy checks as the original");
  assert.equal(await ex.total.expected(), 6);
});

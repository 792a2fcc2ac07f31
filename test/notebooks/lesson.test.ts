/** The lesson checks themselves (./lesson.ts), on small notebooks written here. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { tempDir } from "../helpers";
import { answerShown, exerciseKeys, lessonLint, typedAnswerShown, unshownNumbers, withProbe } from "./lesson";

test("answerShown finds a value as a learner would type it, and nothing that merely contains it", () => {
  assert.equal(answerShown(333, "Month partitions would hold 333 years"), true);
  assert.equal(answerShown(333, "3333 rows, 0.333 share"), false);
  assert.equal(answerShown(0.304, "away_wins 0.304"), true);
  assert.equal(answerShown(0.30412, "away_wins 0.304"), true, "rounded to three decimals, as a table shows it");
  assert.equal(answerShown(4, "4 hours"), false, "small counts show up anywhere by chance");
  assert.equal(answerShown("Stoke City", "9  Stoke City  38"), true);
  assert.equal(answerShown("Stoke", "Stoke City"), true);
  assert.equal(answerShown(["Maine", "Hawaii", "Ohio"], "Maine 12.1\nHawaii 11\nOhio 9"), true);
  assert.equal(answerShown(["Maine", "Hawaii", "Ohio"], "Hawaii 11\nMaine 12.1\nOhio 9"), false, "a list in another order is not the answer");
  assert.equal(answerShown([{ team: "Arsenal", points: 71 }, { team: "Chelsea", points: 50 }], "Arsenal  38  71\nChelsea  38  50"), true, "rows: each on a line of the same output");
  assert.equal(answerShown([{ team: "Arsenal", points: 171 }], "Arsenal  38  71"), false);
  assert.equal(answerShown({ rows: 2200, matched: 1555 }, "2200 rows, 1555 matched"), false, "a summary of what an answer did is not read off");
  assert.equal(typedAnswerShown("SELECT uri, reason\n  FROM image_colors_rejected", "e.g. select uri, reason from image_colors_rejected"), true);
  assert.equal(typedAnswerShown("SELECT uri, reason FROM image_colors_rejected", "image_colors_rejected"), false);
});

test("lessonLint finds a wall of text, a long table cell, a machine path and stderr; a clean notebook passes", (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, "x.ipynb");
  const cell = (outputs: unknown[]) => ({ id: "c", cell_type: "code", source: "x", metadata: {}, execution_count: 1, outputs });
  const write = (cells: unknown[]) => fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }));
  write([cell([{ output_type: "stream", name: "stdout", text: "ok\n".repeat(40) }, { output_type: "display_data", data: { "text/html": `<table><tr><td>${"y".repeat(120)}</td></tr></table>`, "text/plain": "t" }, metadata: {} }])]);
  assert.deepEqual(lessonLint(file), []);
  write([cell([
    { output_type: "stream", name: "stdout", text: "line\n".repeat(41) },
    { output_type: "display_data", data: { "text/html": `<table><tr><td title="z">${"y".repeat(121)}</td></tr></table>`, "text/plain": "t" }, metadata: {} },
    { output_type: "stream", name: "stdout", text: `files in ${path.join(projectRoot, ".workbook", "lake")}\n` },
    { output_type: "stream", name: "stderr", text: "warning\n" },
    { output_type: "stream", name: "stdout", text: `${"{\"a\":1}".repeat(40)}\n` },
  ])]);
  const problems = lessonLint(file);
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.match(problems.join("\n"), /41 lines[\s\S]*121 characters[\s\S]*machine's path[\s\S]*stderr[\s\S]*a text line of 280 characters/);
});

test("withProbe appends a cell recording each exercise and one cell per suggested call", (t) => {
  const dir = tempDir(t);
  const nb = path.join(projectRoot, "notebooks", "01-football-sql.ipynb");
  const probe = JSON.parse(fs.readFileSync(withProbe(nb, dir), "utf8")) as { cells: { id: string; source: string }[] };
  const keys = exerciseKeys(JSON.parse(fs.readFileSync(nb, "utf8")));
  assert.deepEqual(keys, ["points", "goallessDraws", "championLuck"]);
  const added = probe.cells.filter((c) => c.id.startsWith("lesson-probe"));
  assert.equal(added.length, 1 + 2 * keys.length);
  assert.deepEqual(added.slice(1).map((c) => c.source), keys.flatMap((k) => [`ex.${k}.hint();`, `await ex.${k}.solution();`]));
});

test("unshownNumbers: a number the text states must show in an output or a code cell, or be declared as given", () => {
  const md = (source: string) => ({ cell_type: "markdown", source });
  const cell = (source: string, shown: string) => ({ cell_type: "code", source, outputs: [{ output_type: "stream", name: "stdout", text: shown }] });
  const nb = (cells: object[]) => ({ cells }) as Parameters<typeof unshownNumbers>[0];
  assert.deepEqual(unshownNumbers(nb([md("The flights have 229 origins and 1,234 rows; 29% lack a song; precision 0.31."), cell("show(x)", "origins 229\nrows 1234\nshare 0.2912\nprecision 0.3125")])), []);
  const wrong = unshownNumbers(nb([md("Look at 3376 airports, not 229; see 2001-06-09."), cell("show(x)", "origins 229\n2001-06-10")]));
  assert.equal(wrong.length, 2);
  assert.match(wrong[0], /the date 2001-06-09/);
  assert.match(wrong[1], /"3376" shows in no output/);
  assert.deepEqual(unshownNumbers(nb([md("Set `k = 12` with k = 12 clusters, in 2015-16, 3 batches, in 2019."), cell("const k = 12;", "")])), [], "a parameter in code, a code span, a season, a small count, a year");
  assert.deepEqual(unshownNumbers(nb([md("The limit was 4,000 then and is 10,000 now. <!-- given: 4,000 (the original's README, 2019); 10,000 (BigQuery quotas page, checked 2026-12-07) -->")])), []);
  assert.equal(unshownNumbers(nb([md("The limit is 10,000.")])).length, 1);
});

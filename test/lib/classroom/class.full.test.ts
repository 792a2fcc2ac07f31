/**
 * The classroom loop end to end: `workbook handout` of the two quiz fixture notebooks, a class of 33
 * generated submissions (right, wrong, not attempted, the solution used, a failing cell, a hanging
 * cell, tampered ones, bad files, a renamed file, two submissions of one learner), `grade()` with two
 * notebooks at a time, and the gradebook compared with what was planted for each learner.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { grade } from "../../../lib/classroom";
import { joinSource, readNotebook } from "../../../lib/notebook/nbformat";
import { runCli, tempDir } from "../../helpers";
import { type Planted, QUIZ, plantClass } from "./class-fixture";

/** A small CSV reader written for this test (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { record.push(field); field = ""; } else if (c === "\n") { record.push(field.replace(/\r$/, "")); records.push(record); record = []; field = ""; } else field += c;
  }
  const [head, ...rows] = records;
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** Processes whose working directory is under `dir` (a kernel left running). */
function processesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) out.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

test("a class of 33 submissions is graded as planted: every status, bad files, tampering, duplicates", { timeout: 900_000 }, async (t) => {
  const dir = tempDir(t, "workbook-class-");
  const handoutDir = path.join(dir, "handout");
  const h = await runCli(["handout", path.join(QUIZ, "quiz-a.ipynb"), path.join(QUIZ, "quiz-b.ipynb"), "--out", handoutDir, "--jobs", "2", "--timeout", "120"], { timeoutMs: 300_000 });
  assert.equal(h.code, 0, h.stderr);
  const manifest = JSON.parse(fs.readFileSync(path.join(handoutDir, "handout.json"), "utf8")) as { handout: string; notebooks: { notebook: string; exercises: { id: string }[] }[] };
  assert.deepEqual(manifest.notebooks.map((n) => [n.notebook, n.exercises.map((e) => e.id)]), [["quiz-a.ipynb", ["sum-evens", "longest-word"]], ["quiz-b.ipynb", ["count-vowels"]]]);
  const copyA = readNotebook(path.join(handoutDir, "quiz-a.ipynb"));
  const params = copyA.cells.find((c) => (c.metadata.tags as string[] | undefined)?.includes("parameters"))!;
  assert.match(joinSource(params.source), /let solutions = false;/);
  assert.equal(params.metadata.editable, false, "the parameters cell is locked");
  assert.ok(copyA.cells.every((c) => c.cell_type !== "code" || (c.outputs.length === 0 && c.execution_count === null)), "learner copies have no outputs");

  const subs = path.join(dir, "submissions");
  const planted = plantClass(handoutDir, subs);
  const files = fs.readdirSync(subs, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  assert.ok(files.length >= 30, `a class of at least 30 submissions (got ${files.length})`);

  const out = path.join(dir, "graded");
  const result = await grade({ submissionsDir: subs, outDir: out, handout: handoutDir, jobs: 2, timeoutSeconds: 60 });
  assert.deepEqual(processesUnder(dir), [], "every kernel is closed");

  const rows = parseCsv(fs.readFileSync(path.join(out, "gradebook.csv"), "utf8"));
  const got = new Map(rows.map((r) => [JSON.stringify([r.learner, r.notebook, r.exercise]), { status: r.status, ...(r.category ? { category: r.category } : {}) }]));
  const lines = (m: Map<string, Planted>) => [...m.entries()].map(([k, p]) => `${(JSON.parse(k) as string[]).join(" | ")} -> ${p.status}${p.category ? ` (${p.category})` : ""}`).sort();
  // on a difference, say why each unexpected row came out as it did (its note)
  const unexpected = rows.filter((r) => JSON.stringify(planted.get(JSON.stringify([r.learner, r.notebook, r.exercise]))?.status) !== JSON.stringify(r.status));
  assert.deepEqual(lines(got), lines(planted), unexpected.map((r) => `${r.learner} ${r.exercise}: ${r.status} (${r.run_status}): ${r.note}`).join("\n"));

  const row = (learner: string, exercise = "sum-evens") => rows.find((r) => r.learner === learner && (r.exercise === exercise || r.exercise === ""))!;
  assert.equal(row("mia").run_status, "failed");
  assert.equal(row("ned").run_status, "timeout");
  assert.equal(row("ada").run_status, "completed");
  assert.match(row("gina").note, /2 submissions of quiz-a\.ipynb: the latest, gina \(2\)\.ipynb, counts \(ignored: gina\.ipynb\)/);
  assert.equal(row("yuri").submission, "yuri/my homework (final).ipynb");
  assert.match(row("hal").note, /not a notebook/);
  assert.match(row("ivy").note, /not a \.ipynb file/);
  assert.match(row("jay").note, /not from the hand-out/);
  assert.match(row("kim").note, /not from this hand-out/);
  assert.match(row("olga", "longest-word").note, /did not sign/);
  assert.match(row("pia", "longest-word").note, /defined in a cell/);
  for (const r of rows.filter((x) => x.run_status !== "invalid")) {
    assert.ok(fs.existsSync(path.join(out, r.executed)), `${r.learner}'s executed notebook is next to the gradebook (${r.executed})`);
    assert.ok(Number(r.seconds) > 0);
  }
  assert.ok(!fs.existsSync(path.join(out, "work")), "the work folders are removed");
  assert.equal(result.rows.length, rows.length);

  // The report: one row per learner, links to the executed notebooks, the share correct per exercise as planted.
  const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
  const learners = new Set([...planted.keys()].map((k) => (JSON.parse(k) as string[])[0]));
  const body = html.split('<table class="sortable" id="learners">')[1].split("</table>")[0];
  assert.equal((body.match(/<tr><td>/g) ?? []).length, learners.size);
  for (const href of [...body.matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]))) assert.ok(fs.existsSync(path.join(out, href)), href);
  const exercisesTable = html.split('id="exercises"')[1];
  for (const id of ["sum-evens", "longest-word", "count-vowels"]) {
    const mine = [...planted.entries()].filter(([k]) => (JSON.parse(k) as string[])[2] === id).map(([, p]) => p.status);
    const pct = Math.round((mine.filter((s) => s === "correct").length / mine.length) * 100);
    assert.match(exercisesTable, new RegExp(`<td>${id}</td><td>[^<]*</td><td>${mine.length}</td><td data-sort="[^"]*">${pct}%</td>`));
  }
  assert.match(exercisesTable, /<td>sum-evens<\/td>.*That is the sum of every number, not only the even ones\. \(4\)/, "the most common wrong answer: ben, gus, kai and olga added every number");
});

/** The classroom's parts that need no kernel: finding submissions, learner copies, the CSV, the summary, the CLI's errors. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { type GradebookRow, findSubmissions, gradebookCsv, learnerCopy, learnerName, readStamp, summarise } from "../../../lib/classroom";
import { type Notebook, joinSource } from "../../../lib/notebook/nbformat";
import { runCli, tempDir } from "../../helpers";

test("a learner is the file's name without its extension and copy number, or the folder's name", () => {
  assert.equal(learnerName("alice.ipynb"), "alice");
  assert.equal(learnerName("alice (2).ipynb"), "alice");
  assert.equal(learnerName("bob.txt"), "bob");
  assert.equal(learnerName("j.doe", false), "j.doe");
  assert.equal(learnerName("Carla Diaz (3)", false), "Carla Diaz");
});

test("submissions: notebook files, folders at any depth, other files as not notebooks, platform litter ignored", (t) => {
  const dir = tempDir(t);
  const put = (rel: string, text = "{}") => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  put("alice.ipynb");
  put("alice (2).ipynb");
  put("bob/attempt-1/01-football-sql.ipynb");
  put("bob/readme.txt");
  put("bob/.ipynb_checkpoints/01-football-sql-checkpoint.ipynb");
  put("carol.pdf");
  put(".DS_Store");
  put("__MACOSX/alice.ipynb");
  fs.mkdirSync(path.join(dir, "dan"));
  const found = findSubmissions(dir).map((s) => [s.learner, s.rel, s.problem ?? ""]);
  assert.deepEqual(found, [
    ["alice", "alice (2).ipynb", ""],
    ["alice", "alice.ipynb", ""],
    ["bob", "bob/attempt-1/01-football-sql.ipynb", ""],
    ["carol", "carol.pdf", "not a notebook (not a .ipynb file)"],
    ["dan", "dan", "a folder without any .ipynb file"],
  ]);
  assert.throws(() => findSubmissions(path.join(dir, "nowhere")), /No submissions folder/);
});

test("a learner copy has no outputs, solutions false in a locked parameters cell, and the stamp", () => {
  const source: Notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: { papermill: { duration: 1 } },
    cells: [
      { id: "a", cell_type: "code", metadata: { tags: ["parameters"] }, source: "let season = \"2015-16\";\nlet solutions = true; // fill in", outputs: [], execution_count: 1 },
      { id: "b", cell_type: "code", metadata: { tags: ["injected-parameters"] }, source: "let solutions = true;", outputs: [], execution_count: 2 },
      { id: "c", cell_type: "code", metadata: { papermill: { status: "completed" } }, source: "1", outputs: [{ output_type: "stream", name: "stdout", text: "1" }], execution_count: 3 },
    ],
  };
  const stamp = { handout: "h1", notebook: "x.ipynb", workbook: "0.1.0", exercises: ["e1"] };
  const copy = learnerCopy(source, stamp);
  assert.deepEqual(copy.cells.map((c) => c.id), ["a", "c"]);
  assert.equal(joinSource(copy.cells[0].source), "let season = \"2015-16\";\nlet solutions = false; // fill in");
  assert.equal(copy.cells[0].metadata.editable, false);
  assert.equal(copy.cells[0].metadata.deletable, false);
  assert.ok(copy.cells.every((c) => c.cell_type === "code" && c.outputs.length === 0 && c.execution_count === null && !("papermill" in c.metadata)));
  assert.equal(copy.metadata.papermill, undefined);
  assert.deepEqual(readStamp(copy), stamp);
  assert.equal(readStamp(source), undefined);
});

const row = (learner: string, exercise: string, status: GradebookRow["status"], category = ""): GradebookRow => ({
  learner, notebook: "n.ipynb", exercise, title: "", status, category, run_status: "completed", seconds: 1.5, submission: `${learner}.ipynb`, executed: "", note: "",
});

test("the gradebook is CSV with the columns of the issue, quoted where a field needs it", () => {
  const csv = gradebookCsv([{ ...row("o'neil, ann", "e1", "wrong", 'said "no"'), note: "line 1\nline 2" }]);
  assert.equal(csv, 'learner,notebook,exercise,title,status,category,run_status,seconds,submission,executed,note\r\n' +
    '"o\'neil, ann",n.ipynb,e1,,wrong,"said ""no""",completed,1.5,"o\'neil, ann.ipynb",,"line 1\nline 2"\r\n');
});

test("the summary per exercise: share correct and the most common wrong category", () => {
  const s = summarise([
    row("a", "e1", "correct"), row("b", "e1", "wrong", "too big"), row("c", "e1", "wrong", "too small"), row("d", "e1", "wrong", "too small"),
    row("e", "e1", "used-solution"), row("a", "e2", "not-attempted"), row("f", "", "invalid"),
  ]);
  assert.equal(s.length, 2);
  assert.equal(s[0].learners, 5);
  assert.equal(s[0].shareCorrect, 1 / 5);
  assert.deepEqual(s[0].commonWrong, { category: "too small", count: 2 });
  assert.equal(s[0].counts["used-solution"], 1);
  assert.equal(s[1].shareCorrect, 0);
  assert.equal(s[1].commonWrong, null);
});

test("workbook grade: usage errors exit 2; a folder of bad files gives invalid rows, no kernel; the output folder inside it is no learner", async (t) => {
  const dir = tempDir(t);
  assert.equal((await runCli(["grade", dir])).code, 2, "--out is required");
  assert.equal((await runCli(["handout", "--out", dir, path.join(dir, "missing.ipynb")])).code, 2);
  const subs = path.join(dir, "subs");
  fs.mkdirSync(subs);
  fs.writeFileSync(path.join(subs, "amy.ipynb"), "not json");
  fs.writeFileSync(path.join(subs, "bo.docx"), "a document");
  const out = path.join(subs, "graded");
  assert.equal((await runCli(["grade", subs, "--out", out, "--timeout", "30"])).code, 0);
  const r = await runCli(["grade", subs, "--out", out, "--timeout", "30"]);
  assert.equal(r.code, 0, r.stderr);
  const csv = fs.readFileSync(path.join(out, "gradebook.csv"), "utf8").split("\r\n").filter(Boolean);
  assert.equal(csv.length, 3);
  assert.match(csv[1], /^amy,,,,invalid,,invalid,0,amy\.ipynb,,"not a notebook: it is not valid JSON/);
  assert.match(csv[2], /^bo,,,,invalid,,invalid,0,bo\.docx,,not a notebook \(not a \.ipynb file\)/);
  assert.match(fs.readFileSync(path.join(out, "report.html"), "utf8"), /2 learners, 2 graded submissions \(2 invalid\)/);
  assert.match(r.stdout, /2 submissions graded/);
});

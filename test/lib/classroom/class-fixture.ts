/**
 * A generated class for the classroom tests and bench:grade: 33 submissions of the quiz hand-out
 * (test/fixtures/notebooks/classroom), each with the grades planted in it, written as a teacher
 * would find them after unzipping a learning platform's export.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Cell, type JsonObject, type Notebook, joinSource, readNotebook, writeNotebook } from "../../../lib/notebook/nbformat";
import { SCRAP_MIME } from "../../../lib/scraps";
import { fixtures } from "../../helpers";

/** The quiz notebooks to hand out. */
export const QUIZ = path.join(fixtures, "notebooks", "classroom");

export type Planted = { status: string; category?: string };

// Answers to plant, with the grade each must get. Categories are the quiz's nudges (test/lib/classroom/quiz.ts).
export const EVENS: [string, Planted][] = [
  ["30", { status: "correct" }],
  ["55", { status: "wrong", category: "That is the sum of every number, not only the even ones." }],
  ["25", { status: "wrong", category: "That is the sum of the odd numbers." }],
  ["PLACEHOLDER", { status: "not-attempted" }],
  ["await ex.evens.solution()", { status: "used-solution" }],
];
const LONGEST: [string, Planted][] = [
  ['"partitions"', { status: "correct" }],
  ['"immutable"', { status: "wrong", category: "Another word is longer." }],
  ['"Partitions!"', { status: "wrong", category: "Give a word of the sentence, as it is written." }],
  ["PLACEHOLDER", { status: "not-attempted" }],
  ["await ex.longest.solution()", { status: "used-solution" }],
];
const VOWELS: [string, Planted][] = [
  ["7", { status: "correct" }],
  ["16", { status: "wrong", category: "That counts every letter." }],
  ["6", { status: "wrong", category: "Count a, e, i, o and u only." }],
  ["PLACEHOLDER", { status: "not-attempted" }],
];

const code = (source: string): Cell => ({ id: `x${Math.random().toString(36).slice(2, 10)}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null });
const indexOf = (nb: Notebook, text: string) => nb.cells.findIndex((c) => joinSource(c.source).includes(text));

/** Puts `answer` in place of the placeholder of `let answerN ... = PLACEHOLDER;`. */
function answer(nb: Notebook, n: number, value: string): Notebook {
  const at = indexOf(nb, `let answer${n}`);
  const cells = nb.cells.map((c, i) => (i === at ? { ...c, source: joinSource(c.source).replace(/= PLACEHOLDER;/, `= ${value};`) } : c));
  return { ...nb, cells };
}

function insertAfter(nb: Notebook, text: string, cell: Cell): Notebook {
  const at = indexOf(nb, text);
  return { ...nb, cells: [...nb.cells.slice(0, at + 1), cell, ...nb.cells.slice(at + 1)] };
}

/**
 * Writes the class into `subs` from the learner copies in `handoutDir`; returns the planted grades by
 * JSON [learner, notebook, exercise] ("" for a submission that is not a notebook of the hand-out).
 */
export function plantClass(handoutDir: string, subs: string): Map<string, Planted> {
  const copyA = readNotebook(path.join(handoutDir, "quiz-a.ipynb"));
  const copyB = readNotebook(path.join(handoutDir, "quiz-b.ipynb"));
  const params = copyA.cells.find((c) => (c.metadata.tags as string[] | undefined)?.includes("parameters"))!;
  fs.mkdirSync(subs);
  const planted = new Map<string, Planted>();
  const plant = (learner: string, notebook: string, exercise: string, p: Planted) => planted.set(JSON.stringify([learner, notebook, exercise]), p);
  const submit = (rel: string, nb: Notebook | string) => {
    const file = path.join(subs, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof nb === "string") fs.writeFileSync(file, nb);
    else writeNotebook(file, nb);
  };

  // Twelve learners with mixes of answers; four of them hand in both notebooks in a folder.
  const names = ["ada", "ben", "cleo", "dev", "eli", "fay", "gus", "hana", "ivan", "jo", "kai", "lena"];
  const e = [0, 1, 2, 3, 4, 0, 1, 0, 3, 0, 1, 4];
  const l = [0, 0, 1, 2, 3, 4, 4, 1, 0, 2, 0, 1];
  names.forEach((name, i) => {
    const nb = answer(answer(copyA, 1, EVENS[e[i]][0]), 2, LONGEST[l[i]][0]);
    plant(name, "quiz-a.ipynb", "sum-evens", EVENS[e[i]][1]);
    plant(name, "quiz-a.ipynb", "longest-word", LONGEST[l[i]][1]);
    if (i % 3 === 0) {
      submit(`${name}/quiz-a.ipynb`, nb);
      const v = VOWELS[i / 3];
      submit(`${name}/quiz-b.ipynb`, answer(copyB, 1, v[0]));
      plant(name, "quiz-b.ipynb", "count-vowels", v[1]);
    } else {
      submit(`${name}.ipynb`, nb);
    }
  });
  const right = answer(answer(copyA, 1, "30"), 2, '"partitions"');
  // A cell that fails after exercise 1, and one that never ends.
  submit("mia.ipynb", insertAfter(right, "ex.evens.check", code('throw new Error("my own bug");')));
  plant("mia", "quiz-a.ipynb", "sum-evens", { status: "correct" });
  plant("mia", "quiz-a.ipynb", "longest-word", { status: "error" });
  submit("ned.ipynb", insertAfter(right, "ex.evens.check", code("while (true) {}")));
  plant("ned", "quiz-a.ipynb", "sum-evens", { status: "correct" });
  plant("ned", "quiz-a.ipynb", "longest-word", { status: "timeout" });
  // Tampering: a status glued by hand; an exercise redefined with an expected value of one's own.
  submit("olga.ipynb", insertAfter(answer(answer(copyA, 1, "55"), 2, '"immutable"'), "ex.longest.check", code(
    'glue("exercise_status:longest-word", { id: "longest-word", title: "x", status: "correct", category: null, definedIn: "dist/test/lib/classroom/quiz.js", signature: "00".repeat(32) });')));
  plant("olga", "quiz-a.ipynb", "sum-evens", EVENS[1][1]);
  plant("olga", "quiz-a.ipynb", "longest-word", { status: "invalid" });
  submit("pia.ipynb", insertAfter(answer(copyA, 2, '"immutable"'), "const ex =", code(
    'import { exercise } from "de-workbook";\nex.longest = exercise({ id: "longest-word", title: "mine", hints: [], solution: () => "immutable", expected: () => "immutable" });')));
  plant("pia", "quiz-a.ipynb", "sum-evens", { status: "not-attempted" });
  plant("pia", "quiz-a.ipynb", "longest-word", { status: "invalid" });
  // Stale outputs: the cell that set answer1 was deleted, the saved output still says "Correct" (with a scrap).
  const stale = answer(copyA, 2, '"partitions"');
  const checkAt = indexOf(stale, "ex.evens.check");
  const staleScrap = { name: "exercise_status:sum-evens", data: { id: "sum-evens", title: "t", status: "correct", category: null, definedIn: "dist/test/lib/classroom/quiz.js", signature: "ab".repeat(32) }, encoder: "json", version: 1 };
  stale.cells[checkAt] = { ...(stale.cells[checkAt] as Cell & { outputs: unknown[] }), cell_type: "code", execution_count: 3, outputs: [
    { output_type: "display_data", data: { "text/plain": "[sum-evens] Correct: well done." }, metadata: {} },
    { output_type: "display_data", data: { [SCRAP_MIME]: staleScrap as unknown as JsonObject }, metadata: {} },
  ] } as Cell;
  submit("quinn.ipynb", stale);
  plant("quinn", "quiz-a.ipynb", "sum-evens", { status: "not-attempted" });
  plant("quinn", "quiz-a.ipynb", "longest-word", { status: "correct" });
  // Reordered: the answer is set in a cell below its check.
  submit("rosa.ipynb", insertAfter(answer(copyA, 2, '"partitions"'), "ex.evens.check", code("answer1 = 30;")));
  plant("rosa", "quiz-a.ipynb", "sum-evens", { status: "not-attempted" });
  plant("rosa", "quiz-a.ipynb", "longest-word", { status: "correct" });
  // solutions switched on: in the locked parameters cell (grading injects false after it), and in a cell of one's own.
  const unlocked: Notebook = { ...copyA, cells: copyA.cells.map((c) => (c === params ? { ...c, source: "let solutions = true;" } : c)) };
  submit("sam.ipynb", unlocked);
  plant("sam", "quiz-a.ipynb", "sum-evens", { status: "not-attempted" });
  plant("sam", "quiz-a.ipynb", "longest-word", { status: "not-attempted" });
  submit("tara.ipynb", insertAfter(copyA, "const ex =", code("solutions = true;")));
  plant("tara", "quiz-a.ipynb", "sum-evens", { status: "used-solution" });
  plant("tara", "quiz-a.ipynb", "longest-word", { status: "used-solution" });
  // A verdict written by hand instead of the check.
  const faked = answer(right, 1, "55");
  const fakeAt = indexOf(faked, "ex.evens.check");
  faked.cells[fakeAt] = { ...faked.cells[fakeAt], source: joinSource(faked.cells[fakeAt].source).replace(/const check1 = .*/, 'const check1 = { status: "correct", message: "well done" };') };
  submit("uma.ipynb", faked);
  plant("uma", "quiz-a.ipynb", "sum-evens", { status: "not-attempted" });
  plant("uma", "quiz-a.ipynb", "longest-word", { status: "correct" });
  // A renamed file in a folder; two submissions of one learner (the later counts).
  submit("yuri/my homework (final).ipynb", right);
  plant("yuri", "quiz-a.ipynb", "sum-evens", { status: "correct" });
  plant("yuri", "quiz-a.ipynb", "longest-word", { status: "correct" });
  submit("gina.ipynb", right);
  fs.utimesSync(path.join(subs, "gina.ipynb"), new Date("2026-01-01T10:00:00Z"), new Date("2026-01-01T10:00:00Z"));
  submit("gina (2).ipynb", answer(answer(copyA, 1, "25"), 2, '"partitions"'));
  fs.utimesSync(path.join(subs, "gina (2).ipynb"), new Date("2026-01-01T11:00:00Z"), new Date("2026-01-01T11:00:00Z"));
  plant("gina", "quiz-a.ipynb", "sum-evens", EVENS[2][1]);
  plant("gina", "quiz-a.ipynb", "longest-word", { status: "correct" });
  // An answer of the wrong type: the cell fails to compile.
  submit("zed/quiz-b.ipynb", answer(copyB, 1, '"seven"'));
  plant("zed", "quiz-b.ipynb", "count-vowels", { status: "error" });
  // Files that are not notebooks of this hand-out.
  submit("hal.ipynb", "this is not a notebook\n");
  plant("hal", "", "", { status: "invalid" });
  submit("ivy.txt", "my answers: 30, partitions\n");
  plant("ivy", "", "", { status: "invalid" });
  submit("jay.ipynb", readNotebook(path.join(QUIZ, "quiz-a.ipynb")));
  plant("jay", "", "", { status: "invalid" });
  const other = structuredClone(right);
  ((other.metadata.workbook as JsonObject).handout as JsonObject).handout = "0123456789abcdef";
  submit("kim.ipynb", other);
  plant("kim", "quiz-a.ipynb", "", { status: "invalid" });

  return planted;
}

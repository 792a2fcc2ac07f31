/**
 * npm run bench:grade [rounds]
 * `grade()` over the generated class of test/lib/classroom/class-fixture.ts (32 submissions of the quiz
 * hand-out; the hanging one is left out, so the figure is the pace of real runs, not of a time limit),
 * with 2 notebooks at a time against 1. Each gradebook is checked against what was planted.
 * Ends with `RESULT grade submissions_per_min=<jobs 2> submissions/min baseline=<jobs 1> ratio=<2/1>`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { grade, handout } from "../lib/classroom";
import { QUIZ, plantClass } from "../test/lib/classroom/class-fixture";

const ROUNDS = Number(process.argv[2] ?? 1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-grade-"));
  try {
    const handoutDir = path.join(tmp, "handout");
    await handout({ notebooks: [path.join(QUIZ, "quiz-a.ipynb"), path.join(QUIZ, "quiz-b.ipynb")], outDir: handoutDir, jobs: 2, timeoutSeconds: 120 });
    const subs = path.join(tmp, "submissions");
    const planted = plantClass(handoutDir, subs);
    fs.rmSync(path.join(subs, "ned.ipynb"));
    for (const key of [...planted.keys()]) if (JSON.parse(key)[0] === "ned") planted.delete(key);
    const submissions = fs.readdirSync(subs, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()).length;
    const rate: Record<number, number[]> = { 1: [], 2: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const jobs of [1, 2]) {
        const out = path.join(tmp, `graded-${jobs}`);
        fs.rmSync(out, { recursive: true, force: true });
        const result = await grade({ submissionsDir: subs, outDir: out, handout: handoutDir, jobs, timeoutSeconds: 300 });
        const wrong = result.rows.filter((r) => planted.get(JSON.stringify([r.learner, r.notebook, r.exercise]))?.status !== r.status);
        if (wrong.length || result.rows.length !== planted.size) throw new Error(`--jobs ${jobs}: the gradebook differs from what was planted: ${wrong.map((r) => `${r.learner} ${r.exercise} ${r.status} (${r.note})`).join("; ")}`);
        rate[jobs].push(submissions / (result.seconds / 60));
        process.stderr.write(`round ${round + 1}/${ROUNDS}, --jobs ${jobs}: ${submissions} submissions in ${result.seconds.toFixed(1)} s (${rate[jobs][round].toFixed(1)} submissions/min)\n`);
      }
    }
    const one = median(rate[1]);
    const two = median(rate[2]);
    console.log(`RESULT grade submissions_per_min=${two.toFixed(1)} submissions/min baseline=${one.toFixed(1)} ratio=${(two / one).toFixed(2)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

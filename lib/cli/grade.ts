/** `workbook grade SUBMISSIONS_DIR --out DIR`: run every learner's notebook, write gradebook.csv and report.html. */
import * as path from "node:path";
import { DEFAULT_TIMEOUT_SECONDS, grade } from "../classroom";
import { config } from "../config";
import { type OptionSpec, helpText, numberOption, parseArgs, usageError } from "./args";
import { formatTable } from "./table";

const OPTIONS: OptionSpec[] = [
  { names: ["--out"], key: "out", arity: 1, help: "folder for gradebook.csv, report.html and the executed notebooks (required)" },
  { names: ["--handout"], key: "handout", arity: 1, help: "the hand-out folder (its handout.json): the exercises to expect (default: each copy's stamp)" },
  { names: ["-j", "--jobs"], key: "jobs", arity: 1, help: "notebooks run at once (default: WORKBOOK_JOBS, else one per core)" },
  { names: ["--timeout"], key: "timeout", arity: 1, help: `seconds each notebook may run once its kernel has started (default ${DEFAULT_TIMEOUT_SECONDS})` },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

const USAGE = `Usage: workbook grade SUBMISSIONS_DIR --out DIR [--handout DIR] [--jobs N] [--timeout SECONDS]

Runs every learner's notebook (a submission is a notebook file, or a folder holding notebooks; the
learner is its name), each in a work folder of its own with a time limit, and writes DIR/gradebook.csv
(one row per learner, notebook and exercise), DIR/report.html and DIR/notebooks/<learner>/<notebook>.`;

export async function gradeCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, "grade");
  if (options.help) {
    process.stdout.write(helpText(USAGE, OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw usageError(`\`workbook grade\` takes one SUBMISSIONS_DIR (got ${positionals.length}); e.g. workbook grade submissions --out graded.`);
  if (typeof options.out !== "string") throw usageError("`workbook grade` needs --out DIR, the folder for the gradebook and the report; e.g. --out graded.");
  const jobs = Math.floor(numberOption(options.jobs, "--jobs") ?? config().jobs);
  const timeoutSeconds = numberOption(options.timeout, "--timeout") ?? DEFAULT_TIMEOUT_SECONDS;
  const outDir = path.resolve(options.out);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.stderr.write(`Grading ${path.resolve(positionals[0])}, ${jobs} at a time, ${timeoutSeconds} s per notebook; results in ${outDir}\n`);
  try {
    const result = await grade({
      submissionsDir: path.resolve(positionals[0]), outDir, jobs, timeoutSeconds, signal: stop.signal,
      ...(typeof options.handout === "string" ? { handout: path.resolve(options.handout) } : {}),
      onDone: (g) => {
        const counts = g.rows.filter((r) => r.exercise).map((r) => r.status);
        const correct = counts.filter((s) => s === "correct").length;
        process.stderr.write(`  ${g.learner} ${g.notebook || g.submission}: ${g.runStatus}${g.runStatus === "invalid" ? ` (${g.error})` : `, ${correct}/${counts.length} correct, ${g.seconds.toFixed(1)} s`}\n`);
      },
    });
    const byLearner = new Map<string, { correct: number; total: number; notes: number }>();
    for (const r of result.rows) {
      const s = byLearner.get(r.learner) ?? { correct: 0, total: 0, notes: 0 };
      if (r.exercise) s.total++;
      if (r.status === "correct") s.correct++;
      if (r.status === "invalid" || r.run_status !== "completed") s.notes++;
      byLearner.set(r.learner, s);
    }
    process.stdout.write(formatTable(["learner", "correct", "exercises", "problems"], [...byLearner.entries()].map(([l, s]) => [l, String(s.correct), String(s.total), s.notes ? String(s.notes) : ""])));
    process.stdout.write(`\n${result.submissions.length} submissions graded in ${result.seconds.toFixed(1)} s: ${result.gradebook}\nReport: ${result.report}\n`);
    return stop.signal.aborted ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

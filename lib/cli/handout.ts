/** `workbook handout [NOTEBOOK...] --out DIR`: learner copies of notebooks and the manifest grading reads. */
import * as fs from "node:fs";
import * as path from "node:path";
import { handout } from "../classroom";
import { config } from "../config";
import { readNotebook } from "../notebook/nbformat";
import { inspectNotebookParameters } from "../notebook/parameters";
import { type OptionSpec, helpText, numberOption, parseArgs, usageError } from "./args";

const OPTIONS: OptionSpec[] = [
  { names: ["--out"], key: "out", arity: 1, help: "folder for the learner copies and handout.json (required)" },
  { names: ["-j", "--jobs"], key: "jobs", arity: 1, help: "reference runs at once (default: WORKBOOK_JOBS, else one per core)" },
  { names: ["--timeout"], key: "timeout", arity: 1, help: "seconds a notebook's reference run may take (default 600)" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

const USAGE = `Usage: workbook handout [NOTEBOOK...] --out DIR

Writes learner copies of the notebooks (default: every notebook of notebooks/ with exercises) into DIR:
no outputs, \`solutions\` false in a locked parameters cell, a hand-out stamp in the metadata; and
DIR/handout.json, the list of exercises grading expects. Each notebook is run once with solutions = true
first, to list its exercises and prove them solvable.`;

export async function handoutCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, "handout");
  if (options.help) {
    process.stdout.write(helpText(USAGE, OPTIONS));
    return 0;
  }
  if (typeof options.out !== "string") throw usageError("`workbook handout` needs --out DIR, the folder for the learner copies; e.g. --out handout.");
  const cfg = config();
  const notebooks = positionals.length
    ? positionals.map((p) => path.resolve(p))
    : fs.readdirSync(path.join(cfg.projectRoot, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort()
      .map((f) => path.join(cfg.projectRoot, "notebooks", f))
      .filter((f) => inspectNotebookParameters(readNotebook(f)).some((p) => p.name === "solutions"));
  const outDir = path.resolve(options.out);
  process.stderr.write(`Handing out ${notebooks.length} notebooks into ${outDir}; each runs once with solutions = true first.\n`);
  const manifest = await handout({
    notebooks, outDir, jobs: Math.floor(numberOption(options.jobs, "--jobs") ?? cfg.jobs), timeoutSeconds: numberOption(options.timeout, "--timeout"),
    onDone: (name, exercises, seconds) => process.stderr.write(`  ${name}: ${exercises.length} exercises (${exercises.map((e) => e.id).join(", ")}), reference run ${seconds.toFixed(1)} s\n`),
  });
  process.stdout.write(`Hand-out ${manifest.handout} (workbook ${manifest.workbook}): ${manifest.notebooks.length} notebooks in ${outDir}, manifest ${path.join(outDir, "handout.json")}\n`);
  return 0;
}

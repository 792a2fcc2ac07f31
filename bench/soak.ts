/**
 * npm run bench:soak [-- EXECUTIONS]   (default 1000; not part of npm test)
 *
 * Notebook executions through `run-all --jobs 2` (the function behind it, in this process), of four
 * notebooks built to stress the kernel's message path, round after round until EXECUTIONS notebooks
 * have run:
 * - many fast cells: 150 cells, each printing one line and showing one display;
 * - big outputs: one cell printing 3,000 lines, one display of 200 KB of HTML;
 * - background display updates: a timer started in the first cell updates one display 60 times and
 *   prints while later cells run, and the last cell waits for it;
 * - many scraps: 120 glue calls in one cell.
 * Every executed notebook is checked line by line against what its cells must have produced: a
 * missing or changed output counts as a lost output; a notebook that did not complete (a cell timed
 * out, its idle never came) counts as a hang. Each round's notebooks carry a round number, so an
 * output left from an earlier round cannot pass.
 *
 * Ends with `RESULT runner_soak runs=N hangs=H lost_outputs=L`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type RunAllRow, runAll } from "../lib/cli/run-all";
import { type CodeCell, type Notebook, joinSource, newCellId, readNotebook, writeNotebook } from "../lib/notebook/nbformat";
import { projectRoot } from "../lib/paths";
import { progress } from "../lib/progress";
import { readScraps } from "../lib/scraps";

const TARGET = Number(process.argv[2] ?? 1000);

interface Stress {
  name: string;
  cells: (round: number) => string[];
  /** The problems of an executed copy (empty when every output is there). */
  check: (nb: Notebook, round: number) => string[];
}

const code = (nb: Notebook) => nb.cells.filter((c): c is CodeCell => c.cell_type === "code");
const stdout = (cell: CodeCell) => cell.outputs.map((o) => (o.output_type === "stream" && o.name === "stdout" ? joinSource(o.text) : "")).join("");
const plain = (cell: CodeCell) => cell.outputs.flatMap((o) => (o.output_type === "display_data" ? [joinSource(o.data["text/plain"] as string | string[])] : []));
const html = (cell: CodeCell) => cell.outputs.flatMap((o) => (o.output_type === "display_data" && o.data["text/html"] !== undefined ? [joinSource(o.data["text/html"] as string | string[])] : []));

const STRESS: Stress[] = [
  {
    name: "fast-cells",
    cells: (round) => ['import * as tslab from "tslab";', ...Array.from({ length: 150 }, (_, i) => `console.log("r${round} c${i}"); tslab.display.text("d${i}");`)],
    check: (nb, round) => code(nb).slice(1).flatMap((cell, i) => {
      const problems: string[] = [];
      if (stdout(cell) !== `r${round} c${i}\n`) problems.push(`cell ${i}: stdout ${JSON.stringify(stdout(cell))}`);
      if (plain(cell).join("|") !== `d${i}`) problems.push(`cell ${i}: displays ${JSON.stringify(plain(cell))}`);
      return problems;
    }),
  },
  {
    name: "big-outputs",
    cells: (round) => [
      `for (let i = 0; i < 3000; i++) console.log(\`r${round} line \${i}\`);`,
      `import * as tslab from "tslab";\ntslab.display.html("<p>r${round}</p>" + "<i>x</i>".repeat(25000));`,
    ],
    check: (nb, round) => {
      const [lines, big] = code(nb);
      const got = stdout(lines).trimEnd().split("\n");
      const lost = Array.from({ length: 3000 }, (_, i) => `r${round} line ${i}`).filter((l, i) => got[i] !== l).length;
      const problems = lost ? [`${lost} of 3000 lines lost or changed`] : [];
      const h = html(big);
      if (h.length !== 1 || h[0] !== `<p>r${round}</p>` + "<i>x</i>".repeat(25000)) problems.push("the big display is missing or changed");
      return problems;
    },
  },
  {
    name: "background",
    cells: (round) => [
      `import * as tslab from "tslab";
const live = tslab.newDisplay();
live.text("r${round} tick 0");
let ticks = 0;
const finished = new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    ticks++;
    live.text(\`r${round} tick \${ticks}\`);
    if (ticks % 20 === 0) console.log(\`r${round} background \${ticks}\`);
    if (ticks === 60) { clearInterval(timer); resolve(); }
  }, 5);
});`,
      ...Array.from({ length: 20 }, (_, i) => `console.log("r${round} cell ${i}");`),
      "await finished;",
    ],
    check: (nb, round) => {
      const cells = code(nb);
      const problems: string[] = [];
      if (plain(cells[0]).join("|") !== `r${round} tick 60`) problems.push(`the live display shows ${JSON.stringify(plain(cells[0]))}`);
      for (let i = 0; i < 20; i++) if (!stdout(cells[i + 1]).includes(`r${round} cell ${i}\n`)) problems.push(`cell ${i}'s line is missing`);
      const all = cells.map(stdout).join("");
      for (const t of [20, 40, 60]) if (!all.includes(`r${round} background ${t}\n`)) problems.push(`background line ${t} is missing`);
      return problems;
    },
  },
  {
    name: "scraps",
    cells: (round) => [`import { glue } from "de-workbook";\nfor (let i = 0; i < 120; i++) glue(\`s\${i}\`, { round: ${round}, i });`],
    check: (nb, round) => {
      const scraps = readScraps(nb);
      const problems: string[] = [];
      for (let i = 0; i < 120; i++) {
        const s = scraps[`s${i}`] as { round?: number; i?: number } | undefined;
        if (s?.round !== round || s.i !== i) problems.push(`scrap s${i} is ${JSON.stringify(s)}`);
      }
      return problems;
    },
  },
];

function notebookOf(cells: string[]): Notebook {
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map((source): CodeCell => ({ id: newCellId(), cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
}

async function main(): Promise<void> {
  // Inside the project, so that `import ... from "de-workbook"` resolves in the kernels.
  const root = path.join(projectRoot, ".workbook", "tmp", `bench-soak-${process.pid}`);
  const notebooks = path.join(root, "notebooks");
  const out = path.join(root, "out");
  fs.mkdirSync(notebooks, { recursive: true });
  const copies = 2; // each stress notebook twice per round: 8 notebooks, so both jobs stay busy
  let runs = 0;
  let hangs = 0;
  let lost = 0;
  let failed = 0;
  const problems: string[] = [];
  const started = Date.now();
  const bar = progress({ total: TARGET, label: "soak", force: true, intervalMs: 30_000 });
  try {
    for (let round = 1; runs < TARGET; round++) {
      fs.rmSync(notebooks, { recursive: true, force: true });
      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(notebooks, { recursive: true });
      const batch = STRESS.flatMap((s) => Array.from({ length: copies }, (_, c) => ({ s, file: `${s.name}-${c}.ipynb` })))
        .slice(0, TARGET - runs);
      for (const { s, file } of batch) writeNotebook(path.join(notebooks, file), notebookOf(s.cells(round)));
      const rows: RunAllRow[] = await runAll({ notebooksDir: notebooks, outDir: out, jobs: 2, executionTimeout: 120, iopubTimeout: 10 });
      for (const { s, file } of batch) {
        const row = rows.find((r) => r.notebook === file);
        runs++;
        if (!row || row.status !== "completed") {
          const text = row?.error ?? "no result";
          if (/iopub-timeout|execution-timeout|did not finish|stopped responding/.test(text)) hangs++;
          else failed++;
          problems.push(`round ${round} ${file}: ${row?.status ?? "missing"}: ${text.split("\n")[0]}`);
          continue;
        }
        const found = s.check(readNotebook(path.join(out, file)), round);
        if (found.length) {
          lost++;
          problems.push(`round ${round} ${file}: ${found.slice(0, 3).join("; ")}${found.length > 3 ? ` (+${found.length - 3})` : ""}`);
        }
      }
      bar.tick(batch.length, `round ${round}: ${hangs} hangs, ${lost} with lost outputs`);
    }
  } finally {
    bar.done();
    fs.rmSync(root, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  for (const p of problems.slice(0, 20)) console.log(`problem: ${p}`);
  console.log(`${runs} notebook executions in ${seconds.toFixed(0)} s (${(runs / seconds * 60).toFixed(1)} per minute, --jobs 2); ${failed} failed otherwise`);
  console.log(`RESULT runner_soak runs=${runs} hangs=${hangs} lost_outputs=${lost}`);
  if (hangs || lost || failed) process.exitCode = 1;
}

void main();

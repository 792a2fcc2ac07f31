/** `workbook run-all` (npm start): every notebooks/*.ipynb in parallel, executed copies in out/, a summary. */
import * as fs from "node:fs";
import * as path from "node:path";
import { config } from "../config";
import { WorkbookError } from "../errors";
import { readNotebook } from "../notebook/nbformat";
import { type Parameters, inspectNotebookParameters, mergeParameters } from "../notebook/parameters";
import { type RunResult, runNotebook } from "../runner";
import { readScraps } from "../scraps";
import { type OptionSpec, helpText, numberOption, parseArgs, usageError } from "./args";
import { parameterSources } from "./run";
import { formatTable } from "./table";

/**
 * run-all's (npm start's) default limit per cell, in seconds: every wait of the runner is bounded,
 * so a batch of notebooks can never hang. The slowest cell of the workbook's notebooks takes a few
 * minutes on a loaded two-core machine.
 */
export const RUN_ALL_CELL_TIMEOUT = 900;

const OPTIONS: OptionSpec[] = [
  { names: ["-j", "--jobs"], key: "jobs", arity: 1, help: "notebooks run at once (default: WORKBOOK_JOBS, else one per core)" },
  { names: ["-p", "--parameters"], key: "params", arity: 2, repeat: true, help: "a parameter for every notebook that declares it" },
  { names: ["-r", "--parameters-raw"], key: "raws", arity: 2, repeat: true, help: "a raw-string parameter for every notebook that declares it" },
  { names: ["-f", "--parameters-file"], key: "files", arity: 1, repeat: true, help: "parameters from a YAML or JSON file" },
  { names: ["-y", "--parameters-yaml"], key: "yamls", arity: 1, repeat: true, help: "parameters as a YAML string" },
  { names: ["--notebooks"], key: "notebooks", arity: 1, help: "folder of notebooks (default: notebooks/)" },
  { names: ["--out"], key: "out", arity: 1, help: "folder for executed copies (default: out/)" },
  { names: ["--execution-timeout"], key: "executionTimeout", arity: 1, help: `seconds a cell may run before it is interrupted and failed (default ${RUN_ALL_CELL_TIMEOUT}; 0: no limit)` },
  { names: ["--iopub-timeout"], key: "iopubTimeout", arity: 1, help: "seconds to wait for each further output of a cell after its reply (default 5)" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

export interface RunAllRow {
  notebook: string;
  status: RunResult["status"] | "error";
  cells: number;
  seconds: number;
  scraps: Record<string, unknown>;
  error?: string;
}

export interface RunAllOptions {
  notebooksDir: string;
  outDir: string;
  jobs: number;
  parameters?: Parameters;
  /** Seconds a cell may run (default RUN_ALL_CELL_TIMEOUT; 0: no limit). */
  executionTimeout?: number;
  /** Seconds to wait for each further output of a cell after its reply (the runner's default: 5). */
  iopubTimeout?: number;
  /**
   * A work folder (WORKBOOK_HOME) per notebook, so that notebooks running side by side never wait for
   * each other's warehouse file or PGlite folder (a kernel keeps them open until it ends). Default:
   * the configured work folder for all.
   */
  homeFor?: (notebook: string) => string;
  /** Called as each notebook finishes. */
  onDone?: (row: RunAllRow) => void;
}

/** Runs every *.ipynb of a folder, `jobs` at a time. Parameters go to the notebooks that declare them. */
export async function runAll(options: RunAllOptions): Promise<RunAllRow[]> {
  if (!fs.existsSync(options.notebooksDir)) throw new WorkbookError("NOTEBOOKS_NOT_FOUND", `No notebooks folder at ${JSON.stringify(options.notebooksDir)}; give one with --notebooks DIR.`);
  const files = fs.readdirSync(options.notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();
  const params = options.parameters ?? {};
  const declaredAnywhere = new Set<string>();
  const queue = files.map((f) => path.join(options.notebooksDir, f));
  const rows: RunAllRow[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const index = next++;
      const input = queue[index];
      const name = path.basename(input);
      const started = Date.now();
      let row: RunAllRow;
      try {
        const declared = new Set(inspectNotebookParameters(readNotebook(input)).map((p) => p.name));
        declared.forEach((d) => declaredAnywhere.add(d));
        const own = Object.fromEntries(Object.entries(params).filter(([k]) => declared.has(k)));
        if (options.homeFor) fs.mkdirSync(options.homeFor(name), { recursive: true });
        const logLines: string[] = [];
        const sink = { write: (s: string) => (logLines.push(s), true) } as unknown as NodeJS.WritableStream;
        const result = await runNotebook({ input, output: path.join(options.outDir, name), parameters: own, progressBar: false, executionTimeout: options.executionTimeout ?? RUN_ALL_CELL_TIMEOUT, iopubTimeout: options.iopubTimeout, stderr: sink, ...(options.homeFor ? { env: { WORKBOOK_HOME: options.homeFor(name) } } : {}) });
        row = { notebook: name, status: result.status, cells: result.executed, seconds: (Date.now() - started) / 1000, scraps: readScraps(result.notebook), ...(result.error ? { error: result.error } : {}) };
      } catch (err) {
        row = { notebook: name, status: "error", cells: 0, seconds: (Date.now() - started) / 1000, scraps: {}, error: (err as Error).message };
      }
      rows[index] = row;
      options.onDone?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, queue.length)) }, worker));
  return rows;
}

function summary(rows: RunAllRow[]): string {
  const fmt = (v: unknown) => {
    const s = JSON.stringify(v);
    return s.length > 40 ? `${s.slice(0, 37)}...` : s;
  };
  return formatTable(
    ["notebook", "status", "cells", "duration", "scraps"],
    rows.map((r) => [r.notebook, r.status, String(r.cells), `${r.seconds.toFixed(1)} s`, Object.entries(r.scraps).map(([k, v]) => `${k}=${fmt(v)}`).join(" ")]),
  );
}

export async function runAllCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, "run-all");
  if (options.help) {
    process.stdout.write(helpText("Usage: workbook run-all [--jobs N] [-p NAME VALUE ...]\n\nRuns every notebook in notebooks/ in parallel; executed copies go to out/. Exit 1 if any failed.", OPTIONS));
    return 0;
  }
  if (positionals.length) throw usageError(`\`workbook run-all\` takes no paths (got ${positionals.join(" ")}); use --notebooks DIR.`);
  const cfg = config();
  const parameters = mergeParameters(parameterSources(options));
  const notebooksDir = path.resolve(String(options.notebooks ?? path.join(cfg.projectRoot, "notebooks")));
  const outDir = path.resolve(String(options.out ?? path.join(cfg.projectRoot, "out")));
  const jobs = numberOption(options.jobs, "--jobs") ?? cfg.jobs;
  const count = fs.existsSync(notebooksDir) ? fs.readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).length : 0;
  // Side by side, each notebook gets a work folder of its own: a kernel keeps the warehouse file and
  // the PGlite folder open until it ends, and two notebooks holding one each while waiting for the
  // other's would wait for each other until a lock timeout.
  const homes = jobs > 1 ? path.join(cfg.home, "run-all") : undefined;
  process.stderr.write(`Running ${count} notebooks from ${notebooksDir}, ${Math.floor(jobs)} at a time; executed copies in ${outDir}${homes ? `; each with its work folder in ${homes}/<notebook>` : ""}\n`);
  let done = 0;
  const rows = await runAll({
    notebooksDir, outDir, jobs: Math.floor(jobs), parameters,
    ...(homes ? { homeFor: (name: string) => path.join(homes, name.replace(/\.ipynb$/, "")) } : {}),
    executionTimeout: numberOption(options.executionTimeout, "--execution-timeout"),
    iopubTimeout: numberOption(options.iopubTimeout, "--iopub-timeout"),
    onDone: (row) => {
      done++;
      process.stderr.write(`[${done}/${count}] ${row.notebook}: ${row.status} in ${row.seconds.toFixed(1)} s${row.error ? `\n    ${row.error.split("\n").slice(0, 6).join("\n    ")}` : ""}\n`);
    },
  });
  process.stdout.write("\n" + summary(rows));
  const failed = rows.filter((r) => r.status !== "completed");
  if (failed.length) process.stdout.write(`\n${failed.length} of ${rows.length} notebooks failed: ${failed.map((r) => r.notebook).join(", ")}\n`);
  return failed.length ? 1 : 0;
}

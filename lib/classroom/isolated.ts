/**
 * One notebook run for the classroom: a work folder of its own (the kernel's working directory and
 * WORKBOOK_HOME, so learners never share a warehouse file), a grading key in the kernel (exercise
 * checks then glue signed statuses, lib/teach/record.ts), and a time limit for the whole notebook.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Notebook } from "../notebook/nbformat";
import type { Parameters } from "../notebook/parameters";
import { projectRoot } from "../paths";
import { runNotebook } from "../runner";

export interface IsolatedRunOptions {
  input: string;
  output: string;
  /** The work folder; created, and removed after the run. */
  workDir: string;
  parameters?: Parameters;
  /** Seconds the notebook may run, counted once its kernel answers (the start has its own limit, 60 s). */
  timeoutSeconds: number;
  /** The grading key for this run (default: a new random one). */
  gradeKey?: string;
  /** Stops the run. */
  signal?: AbortSignal;
}

export interface IsolatedRun {
  /** completed; failed (a cell failed); died (the kernel exited); timeout (the time limit); error (it could not start). */
  status: "completed" | "failed" | "died" | "timeout" | "error";
  seconds: number;
  gradeKey: string;
  /** The executed notebook (absent when the run could not start). */
  notebook?: Notebook;
  error?: string;
}

/** A new random grading key. */
export function newGradeKey(): string {
  return crypto.randomBytes(24).toString("hex");
}

/**
 * Makes `import ... from "de-workbook"` resolve in a work folder outside the project: tslab's
 * compiler looks for node_modules from the kernel's working directory up.
 */
function linkModules(workDir: string): void {
  const link = path.join(workDir, "node_modules");
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(projectRoot, "node_modules"), link, "dir");
}

/** Runs one notebook in its own work folder with a time limit; never throws for the notebook's faults. */
export async function runIsolated(options: IsolatedRunOptions): Promise<IsolatedRun> {
  const started = Date.now();
  const gradeKey = options.gradeKey ?? newGradeKey();
  const controller = new AbortController();
  let timedOut = false;
  // The limit counts the notebook's own run, from the moment its kernel answers: the kernel's start has
  // its limit of its own (startTimeout), and on a loaded machine it can take a good part of a minute.
  let timer: NodeJS.Timeout | undefined;
  const startClock = () => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutSeconds * 1000);
  };
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onOuterAbort);
  const logLines: string[] = [];
  const sink = { write: (s: string) => (logLines.push(s), true) } as unknown as NodeJS.WritableStream;
  try {
    fs.mkdirSync(options.workDir, { recursive: true });
    linkModules(options.workDir);
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    const result = await runNotebook({
      input: options.input, output: options.output, parameters: options.parameters ?? {}, kernelName: "tslab",
      cwd: options.workDir, env: { WORKBOOK_HOME: options.workDir, WORKBOOK_GRADE_KEY: gradeKey },
      signal: controller.signal, progressBar: false, stderr: sink, stdout: sink,
      executionTimeout: options.timeoutSeconds, startTimeout: 60, onKernelStarted: startClock,
      // a grading machine runs many kernels at once: a late "idle" must not fail a learner (a lost one
      // still ends at the time limit)
      iopubTimeout: 30,
    });
    const seconds = (Date.now() - started) / 1000;
    if (timedOut) return { status: "timeout", seconds, gradeKey, notebook: result.notebook, error: `did not finish within ${options.timeoutSeconds} s` };
    if (result.status === "prepared") throw new Error("unexpected prepared run");
    return { status: result.status, seconds, gradeKey, notebook: result.notebook, ...(result.error ? { error: result.error } : {}) };
  } catch (err) {
    const seconds = (Date.now() - started) / 1000;
    if (timedOut) return { status: "timeout", seconds, gradeKey, error: `did not finish within ${options.timeoutSeconds} s (${(err as Error).message.split("\n")[0]})` };
    return { status: "error", seconds, gradeKey, error: (err as Error).message };
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
    fs.rmSync(options.workDir, { recursive: true, force: true });
  }
}

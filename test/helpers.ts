/** Shared test helpers: temp folders cleaned up after the test, the CLI as a child process, nbformat validation. */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import type { TestContext } from "node:test";
import { projectRoot } from "../lib/paths";
import { NOTEBOOK_KERNELSPEC, NOTEBOOK_LANGUAGE_INFO } from "../lib/cli/kernel-install";

export const fixtures = path.join(projectRoot, "test", "fixtures");

/** A fresh temp folder, removed when the test ends. */
export function tempDir(t: TestContext, prefix = "workbook-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A fresh temp folder INSIDE the project (under .workbook/tmp), removed when the test ends: notebooks
 * that import "de-workbook" must run with a working directory inside the project, where
 * node_modules/de-workbook is found.
 */
export function projectTempDir(t: TestContext, prefix = "test-"): string {
  const base = path.join(projectRoot, ".workbook", "tmp");
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `workbook ARGS` as a child process (killed if it outlives `timeoutMs`). */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, "bin", "workbook.js"), ...args], {
      cwd: options.cwd ?? projectRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** How a batch child (see runBatchChild) ended, and what it printed. */
export interface BatchChildRun {
  /** Its process id. */
  pid?: number;
  /** The batch lines it printed, parsed (the processor's batch reports). */
  reports: Array<Record<string, unknown>>;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** JSON lines printed: one per committed batch. */
  batches: number;
  /** Of those, the batches replayed after a crash ({"replayed": true}). */
  replayed: number;
  /** True once it printed "done ...". */
  done: boolean;
}

/**
 * Runs a crash-and-restart test's child, `node <script> '<args as JSON>'`, that prints one JSON line
 * per committed batch and "done ..." when it has finished. With `killAfterBatches` it is killed with
 * SIGKILL once it has printed that many batches. Rejects when it exits with a code other than 0.
 */
export function runBatchChild(script: string, args: object, killAfterBatches?: number, t?: Pick<TestContext, "after">): Promise<BatchChildRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
    // A test that ends early (a failed assertion, a timeout) leaves no child behind.
    t?.after(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    });
    let out = "";
    let err = "";
    const state: BatchChildRun = { pid: proc.pid, reports: [], code: null, signal: null, batches: 0, replayed: 0, done: false };
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const lines = out.split("\n").slice(0, -1).filter((l) => l.startsWith("{")); // complete lines only
      state.reports = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      state.batches = lines.length;
      state.replayed = state.reports.filter((r) => r.replayed === true).length;
      state.done = /(^|\n)done /.test(out);
      if (killAfterBatches !== undefined && state.batches >= killAfterBatches) proc.kill("SIGKILL");
    });
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      if (code !== null && code !== 0) reject(new Error(`${path.basename(script)} exited ${code}: ${err}`));
      else resolve({ ...state, code, signal });
    });
  });
}

/** Debian's Python (where python3-nbformat is installed), if it has nbformat. */
function debianPython(): string | undefined {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import nbformat"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return undefined;
}
const python = debianPython();

/** Why nbformat validation cannot run here, or undefined when it can. */
export const nbformatMissing: string | undefined = python ? undefined : "python3-nbformat is not installed (apt-get install python3-nbformat)";

/** Validates a notebook file against nbformat's 4.5 JSON schema with Jupyter's own validator. Returns the error text, or "" when valid. */
export function nbformatErrors(file: string): string {
  if (!python) throw new Error(nbformatMissing);
  const script = "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)\nassert (nb.nbformat, nb.nbformat_minor) == (4, 5), (nb.nbformat, nb.nbformat_minor)\nnbformat.validate(nb, version=4, version_minor=5)\n";
  const r = spawnSync(python, ["-c", script, file], { encoding: "utf8" });
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}`;
}

/**
 * Validates a notebook file with nbformat in a subtest of `t`. When python3-nbformat is missing the
 * subtest is reported as skipped, with the reason (and in CI a skip fails the run), instead of the
 * check passing quietly.
 */
export async function checkNbformat(t: TestContext, file: string): Promise<void> {
  await t.test(`${path.basename(file)} validates against nbformat 4.5`, { skip: nbformatMissing ?? false }, () => {
    assert.equal(nbformatErrors(file), "", `${file} does not validate against nbformat 4.5`);
  });
}

/**
 * Sets environment variables for the rest of one test (undefined unsets one) and puts back the
 * values they had when the test ends, so no test leaks its environment into the next.
 */
export function withEnv(t: Pick<TestContext, "after">, vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** A notebook as committed, with the sources of its parameters cell and of all cells as text. */
export interface CommittedNotebook {
  nb: { metadata: { kernelspec: { name: string; display_name: string; language: string }; language_info?: unknown }; cells: { id: string; cell_type: string; source: string | string[] }[] };
  parameters: string;
  source: string;
}

/**
 * Checks what every committed notebook must be: nbformat 4.5 on the tslab kernel with the kernelspec
 * metadata `workbook kernel install` writes (NOTEBOOK_KERNELSPEC) and the language_info tslab reports
 * (NOTEBOOK_LANGUAGE_INFO), so that opening it in Jupyter changes nothing, a string id per
 * cell, code cells without outputs or execution counts, and a cell tagged "parameters".
 */
export function checkCommittedNotebook(file: string): CommittedNotebook {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata.kernelspec, { ...NOTEBOOK_KERNELSPEC }, `${file}: kernelspec metadata must be what \`workbook kernel install\` writes`);
  assert.deepEqual(nb.metadata.language_info, JSON.parse(JSON.stringify(NOTEBOOK_LANGUAGE_INFO)), `${file}: language_info must be what tslab's kernel_info reply says`);
  const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
  for (const cell of nb.cells) {
    assert.equal(typeof cell.id, "string");
    if (cell.cell_type === "code") assert.deepEqual([cell.outputs, cell.execution_count], [[], null]);
  }
  const parameters = nb.cells.find((c: { metadata: { tags?: string[] } }) => c.metadata.tags?.includes("parameters"));
  assert.ok(parameters, "a cell is tagged parameters");
  return { nb, parameters: text(parameters.source), source: nb.cells.map((c: { source: string | string[] }) => text(c.source)).join("\n") };
}

/** Classroom rule (issue 16): a notebook's last code cell closes nothing (no `.close()`, no closeEmbeddedBroker), so any cell can be re-run. */
export function assertLastCellClosesNothing(nb: { cells: { cell_type: string; source: string | string[] }[] }): void {
  const code = nb.cells.filter((c) => c.cell_type === "code");
  assert.doesNotMatch([code[code.length - 1].source].flat().join(""), /\.close\(\)|closeEmbeddedBroker/, "the last cell closes nothing, so any cell can be re-run");
}

/** Streams that keep what is written to them. */
export function captured(): { stdout: PassThrough; stderr: PassThrough; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = "";
  let e = "";
  stdout.on("data", (c: Buffer) => (o += c.toString()));
  stderr.on("data", (c: Buffer) => (e += c.toString()));
  return { stdout, stderr, out: () => o, err: () => e };
}

/**
 * Leaves a notebook test's executed copy (a run with solutions, as the browser test needs it) where
 * the browser test of the same `node scripts/run-tests.js` run finds it (EXECUTED_NOTEBOOKS_DIR), so
 * that test opens it instead of running the notebook again. Outside run-tests.js: nothing to do.
 */
export function keepExecuted(output: string, notebook: string): void {
  const dir = process.env.EXECUTED_NOTEBOOKS_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  const target = path.join(dir, path.basename(notebook));
  fs.copyFileSync(output, `${target}.tmp`);
  fs.renameSync(`${target}.tmp`, target); // whole or not at all: the browser test polls for it
}

/**
 * Whether a test file's text calls keepExecuted: `keepExecuted(` in TypeScript, and in the compiled
 * JavaScript the test runner loads, `(0, helpers_1.keepExecuted)(`.
 */
export function callsKeepExecuted(source: string): boolean {
  return /\bkeepExecuted\)?\(/.test(source);
}

/**
 * The executed copy a notebook test of this run left with keepExecuted, waiting for it while that
 * test still runs (at most `waitMs`); undefined when its test is not part of this run, or did not
 * leave one in time (it failed: its own test says why).
 */
export async function executedCopy(notebook: string, waitMs: number): Promise<string | undefined> {
  const dir = process.env.EXECUTED_NOTEBOOKS_DIR;
  const stem = path.basename(notebook).replace(/\.ipynb$/, "");
  const files = (process.env.TEST_FILES ?? "").split(path.delimiter);
  const testFile = files.find((f) => path.basename(f) === `${stem}.test.js`);
  // only a test that leaves a copy is waited for (05's test runs on a temporary ratings file, so the browser runs 05 itself)
  if (!dir || !testFile || !callsKeepExecuted(fs.readFileSync(testFile, "utf8"))) return undefined;
  const file = path.join(dir, `${stem}.ipynb`);
  const deadline = Date.now() + waitMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return file;
}

/** The stderr stream outputs of an executed notebook (a normal run should have none: Jupyter shows them in red). */
export function stderrOutputs(file: string): string[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: { output_type: string; name?: string; text?: string | string[] }[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => [o.text ?? ""].flat().join(""));
}

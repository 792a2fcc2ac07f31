/**
 * `runNotebook`: papermill's execution model for tslab notebooks. Parameters are injected, every
 * cell is executed in order on a fresh kernel, and the output notebook (with papermill's metadata)
 * is saved at the start, at each cell's start and end, and at the end, so a crashed run leaves a
 * readable partial notebook. On a failure the run stops, marks the cell, and adds papermill's
 * error banner and anchor cells.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WorkbookError } from "../errors";
import { ensureSelfLink, projectRoot } from "../paths";
import {
  type Cell, type JsonObject, type Notebook, type Output,
  cellTags, joinSource, newCellId, readNotebook, writeNotebook,
} from "../notebook/nbformat";
import { type Parameters, injectParameters, inspectNotebookParameters } from "../notebook/parameters";
import { type ExecuteOutcome, type KernelFaults, type KernelMessage, KERNELS, Kernel } from "./kernel";
import { OutputCollector } from "./outputs";

export const ERROR_CELL_TAG = "papermill-error-cell-tag";

export interface RunOptions {
  /** The notebook to run. Never written to. */
  input: string;
  /** Where the executed notebook goes (default: `out/<name>` in the project). */
  output?: string;
  /** Parameters to inject (already typed). */
  parameters?: Parameters;
  /** Working directory of the kernel (default: the input notebook's folder, as in Jupyter). */
  cwd?: string;
  /** Kernelspec name (default: the notebook's kernelspec, else tslab). */
  kernelName?: string;
  /** Write the parameterised notebook without executing it. */
  prepareOnly?: boolean;
  /** Copy cell output to the terminal as it arrives. */
  logOutput?: boolean;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progressBar?: boolean;
  /** Seconds to wait for the kernel to start (default 60). */
  startTimeout?: number;
  /** Seconds a cell may run before it is interrupted and failed (default: no limit). */
  executionTimeout?: number;
  /**
   * Seconds to wait, after a cell's reply, for each further output message until its "idle" (default
   * 5). Past it the cell fails, saying its outputs may be incomplete.
   */
  iopubTimeout?: number;
  /** Seconds the kernel may answer no heartbeat and use no CPU before it counts as dead (default 30; exit 138). */
  heartbeatTimeout?: number;
  /** Called once the kernel has started and answered (e.g. to start a time limit of the notebook's own cells). */
  onKernelStarted?: () => void;
  /** For tests: faults planted in the kernel's message path. */
  faults?: KernelFaults;
  /** Hide the source of every cell in the output (papermill's report mode). */
  reportMode?: boolean;
  /** Also inject PAPERMILL_INPUT_PATH and PAPERMILL_OUTPUT_PATH as parameters. */
  injectPaths?: boolean;
  /** Extra environment variables for the kernel (e.g. WORKBOOK_HOME for a test's own work folder). */
  env?: Record<string, string>;
  /** Stops the run: the kernel is shut down and the partial notebook saved. */
  signal?: AbortSignal;
  /** Where warnings and progress go (default: process.stderr). */
  stderr?: NodeJS.WritableStream;
  /** Where --log-output goes (default: process.stdout). */
  stdout?: NodeJS.WritableStream;
}

export interface RunResult {
  /** completed; failed (a cell failed, timed out, or the run was stopped); died (the kernel exited). */
  status: "completed" | "failed" | "died" | "prepared";
  /** The CLI's exit code: 0, 1 (a cell failed) or 138 (the kernel died). */
  exitCode: 0 | 1 | 138;
  output: string;
  notebook: Notebook;
  /** Index (in the output notebook) of the cell that failed. */
  failedCell?: number;
  /** The error text of the failed cell. */
  error?: string;
  /** Number of code cells executed. */
  executed: number;
  durationMs: number;
}

function isoNow(): string {
  return new Date().toISOString();
}

/** Resolves the default output path: `<project>/out/<input name>`. */
export function defaultOutputPath(input: string): string {
  return path.join(projectRoot, "out", path.basename(input));
}

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

function bannerCell(failedExecutionCount: number | null): Cell {
  const label = failedExecutionCount === null ? "the marked cell" : `In [${failedExecutionCount}]`;
  return {
    id: newCellId(), cell_type: "markdown", metadata: { tags: [ERROR_CELL_TAG] },
    source: `<span style="color:red; font-size:2em;">The run stopped with an error at <a href="#papermill-error-cell">${label}</a>.</span>`,
  };
}

function anchorCell(): Cell {
  return {
    id: newCellId(), cell_type: "markdown", metadata: { tags: [ERROR_CELL_TAG] },
    source: `<span id="papermill-error-cell" style="color:red; font-size:2em;">The next cell raised an error; execution stopped here:</span>`,
  };
}

/** The first line of a cell's source, for progress and messages. */
export function firstLine(cell: Cell): string {
  return joinSource(cell.source).split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

function progressLine(stream: NodeJS.WritableStream, enabled: boolean) {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  let last = "";
  return {
    update(i: number, n: number, text: string) {
      if (!enabled) return;
      const width = 24;
      const filled = n === 0 ? width : Math.round((i / n) * width);
      const cols = ((stream as NodeJS.WriteStream).columns ?? 100) - 1;
      const line = `Executing [${"#".repeat(filled)}${"-".repeat(width - filled)}] cell ${i}/${n} ${text}`.slice(0, cols);
      if (tty) stream.write(`\r\x1b[K${line}`);
      else if (line !== last) stream.write(`${line}\n`);
      last = line;
    },
    end() {
      if (enabled && tty && last) stream.write("\n");
    },
  };
}

/** What a run works on: the output notebook being filled in, and how to save it. */
interface Run {
  nb: Notebook;
  meta: JsonObject;
  input: string;
  output: string;
  kernelName: string;
  kernelspec: JsonObject | undefined;
  cwd: string;
  started: number;
  save(): void;
}

/** The input, checked: nothing here needs the TypeScript compiler, so the kernel can start right after. */
interface CheckedInput {
  started: number;
  input: string;
  output: string;
  source: Notebook;
  kernelName: string;
  kernelspec: JsonObject | undefined;
  cwd: string;
}

/** Step 1: read and check the input and the options. */
function checkInput(options: RunOptions): CheckedInput {
  const started = Date.now();
  const input = path.resolve(options.input);
  const output = path.resolve(options.output ?? defaultOutputPath(input));
  const source = readNotebook(input);
  if (sameFile(input, output)) {
    throw new WorkbookError("OUTPUT_IS_INPUT", `The output path ${JSON.stringify(output)} is the input notebook; the input is never overwritten. Give another OUTPUT path.`);
  }
  const spec = source.metadata.kernelspec as JsonObject | undefined;
  const kernelName = options.kernelName ?? (typeof spec?.name === "string" ? spec.name : "tslab");
  if (!(kernelName in KERNELS)) {
    throw new WorkbookError("KERNEL_UNKNOWN", `Unknown kernel ${JSON.stringify(kernelName)}: this runner starts ${Object.keys(KERNELS).join(", ")}. Pass -k tslab, or set the notebook's kernelspec to tslab.`);
  }
  const cwd = path.resolve(options.cwd ?? path.dirname(input));
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
    throw new WorkbookError("CWD_INVALID", `--cwd ${JSON.stringify(cwd)} is not a folder; give an existing folder.`);
  }
  for (const [flag, value] of [["--iopub-timeout", options.iopubTimeout], ["--heartbeat-timeout", options.heartbeatTimeout]] as const) {
    if (value !== undefined && !(value > 0)) throw new WorkbookError("USAGE", `${flag} ${value} is not a positive number of seconds; give one, e.g. ${flag} 10.`);
  }
  return { started, input, output, source, kernelName, kernelspec: spec, cwd };
}

/** Step 3: inject the parameters, reset outputs, save the pending notebook (while the kernel starts). */
function prepareRun(options: RunOptions, checked: CheckedInput, warn: (m: string) => void): Run {
  const { started, input, output, source, kernelName, kernelspec: spec, cwd } = checked;
  const parameters: Parameters = { ...(options.parameters ?? {}) };
  if (options.injectPaths) {
    parameters.PAPERMILL_INPUT_PATH = input;
    parameters.PAPERMILL_OUTPUT_PATH = output;
  }
  const defaults: JsonObject = {};
  for (const p of inspectNotebookParameters(source)) defaults[p.name] = p.default;
  let nb = injectParameters(source, parameters, warn);
  nb = { ...nb, cells: nb.cells.filter((c) => !cellTags(c).includes(ERROR_CELL_TAG)) };

  const meta: JsonObject = {
    default_parameters: defaults,
    parameters: parameters as JsonObject,
    environment_variables: {},
    version: "de-workbook",
    input_path: input,
    output_path: output,
    start_time: isoNow(),
    end_time: null,
    duration: null,
    exception: null,
  };
  nb.metadata = { ...nb.metadata, papermill: meta };
  for (const cell of nb.cells) {
    cell.metadata = { ...cell.metadata, papermill: { status: "pending", start_time: null, end_time: null, duration: null, exception: null } };
    if (options.reportMode) cell.metadata.jupyter = { ...((cell.metadata.jupyter as JsonObject) ?? {}), source_hidden: true };
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const run: Run = { nb, meta, input, output, kernelName, kernelspec: spec, cwd, started, save: () => writeNotebook(output, run.nb) };
  run.save();
  return run;
}

/** A cell that did not complete: the text for the notebook and the terminal, and whether the kernel is lost. */
interface CellFailure {
  text: string;
  kernelLost: boolean;
}

/** Turns an execution's outcome into a failure (undefined when the cell completed). */
function failureOf(outcome: ExecuteOutcome, options: RunOptions): CellFailure | undefined {
  const stderr = outcome.stderr.trim();
  const withStderr = (text: string) => (stderr ? `${text}\n${stderr}` : text);
  switch (outcome.status) {
    case "ok":
      return undefined;
    case "error":
      return { text: stderr || "The cell failed (the kernel gave no message).", kernelLost: false };
    case "timeout":
      return { text: withStderr(`The cell did not finish within --execution-timeout ${options.executionTimeout} s and was interrupted.`), kernelLost: false };
    case "died":
      return { text: withStderr("The kernel died while running this cell (its process exited)."), kernelLost: true };
    case "unresponsive":
      return { text: withStderr(`The kernel stopped responding while running this cell: ${outcome.reason}. Raise --heartbeat-timeout if the cell blocks on purpose.`), kernelLost: true };
    case "incomplete":
      return { text: withStderr(`The cell's end was not seen: ${outcome.reason}. Raise --iopub-timeout if the machine is very loaded.`), kernelLost: false };
    case "failed":
      return { text: withStderr(`The runner failed on this cell: ${outcome.reason}.`), kernelLost: false };
  }
}

/**
 * Step 2's output routing. Outputs of the cell being executed go to it. An output whose parent is
 * another request (background work of an earlier cell, a live chart, a progress display) is kept:
 * an update of a display goes to that display wherever it is; anything else goes to the cell that
 * sent the request it answers, or, when that is unknown, to the cell that ran last.
 */
class OutputRouter {
  readonly collector: OutputCollector;
  private readonly cellOf = new Map<string, number>();
  private lastCell = -1;
  /** Outputs that arrived outside their own cell's execution. */
  strays = 0;

  constructor(private readonly run: Run, private readonly onChange: (type: string, content: JsonObject) => void) {
    this.collector = new OutputCollector((i) => {
      const c = run.nb.cells[i];
      return c?.cell_type === "code" ? c.outputs : [];
    });
  }

  /** A cell's output, from its own execution. */
  own(cell: number, type: string, content: JsonObject): void {
    this.lastCell = cell;
    if (this.collector.handle(cell, type, content)) this.onChange(type, content);
  }

  executed(cell: number, msgId: string): void {
    this.cellOf.set(msgId, cell);
    this.lastCell = cell;
  }

  stray(msg: KernelMessage): void {
    const type = msg.header.msg_type;
    const cell = this.cellOf.get(msg.parent_header.msg_id ?? "") ?? this.lastCell;
    if (cell < 0) return;
    this.strays++;
    if (this.collector.handle(cell, type, msg.content)) this.onChange(type, msg.content);
  }
}

/**
 * Step 4, one cell: its papermill metadata (running, then completed or failed, saved at both), its
 * execution (unless empty, a markdown cell or tagged skip-execution) and its failure.
 */
async function executeCell(run: Run, i: number, kernel: Kernel, routes: OutputRouter, options: RunOptions): Promise<{ ran: boolean; failure?: CellFailure }> {
  const cell = run.nb.cells[i];
  const pm = cell.metadata.papermill as JsonObject;
  const cellStart = Date.now();
  pm.status = "running";
  pm.start_time = isoNow();
  run.save();
  const code = joinSource(cell.source);
  const stopped: CellFailure = { text: "The run was stopped (SIGINT/SIGTERM).", kernelLost: false };
  let failure: CellFailure | undefined;
  let ran = false;
  if (cell.cell_type === "code" && code.trim() !== "" && !cellTags(cell).includes("skip-execution")) {
    if (options.signal?.aborted) {
      failure = stopped;
    } else {
      const outcome = await kernel.execute(code, (type, content) => routes.own(i, type, content), {
        timeoutMs: options.executionTimeout ? options.executionTimeout * 1000 : undefined,
        iopubTimeoutMs: options.iopubTimeout === undefined ? undefined : options.iopubTimeout * 1000,
      });
      routes.executed(i, outcome.msgId);
      ran = true;
      cell.execution_count = outcome.executionCount;
      failure = options.signal?.aborted ? stopped : failureOf(outcome, options);
    }
  }
  pm.end_time = isoNow();
  pm.duration = (Date.now() - cellStart) / 1000;
  pm.status = failure ? "failed" : "completed";
  pm.exception = failure ? true : false;
  if (!failure) run.save();
  return { ran, failure };
}

/** Step 5, on a failure: papermill's banner and anchor cells, and the message on stderr. */
function markFailure(run: Run, i: number, failure: CellFailure, stderr: NodeJS.WritableStream): Omit<RunResult, "durationMs" | "output" | "notebook" | "executed"> {
  const { nb } = run;
  const cell = nb.cells[i];
  const n = nb.cells.length;
  const executionCount = cell.cell_type === "code" ? cell.execution_count : null;
  nb.cells.splice(i, 0, anchorCell());
  nb.cells.unshift(bannerCell(executionCount));
  stderr.write(`Cell ${i + 1} of ${n} (${executionCount === null ? "not counted" : `In [${executionCount}]`}: ${JSON.stringify(firstLine(cell))}) failed:\n${failure.text}\n`);
  stderr.write(`The output notebook is saved at ${run.output}\n`);
  const failedCell = i + 2;
  return failure.kernelLost ? { status: "died", exitCode: 138, failedCell, error: failure.text } : { status: "failed", exitCode: 1, failedCell, error: failure.text };
}

/** Runs a notebook as papermill would. Usage errors throw WorkbookError; cell failures do not. */
export async function runNotebook(options: RunOptions): Promise<RunResult> {
  const stderr = options.stderr ?? process.stderr;
  const stdout = options.stdout ?? process.stdout;
  const checked = checkInput(options);
  // Step 2: the kernel starts (about 2 s of its own CPU) while this process prepares the notebook.
  // Outputs can arrive as soon as the kernel runs; they are routed once the notebook is prepared.
  const routing: { router?: OutputRouter } = {};
  let starting: Promise<Kernel> | undefined;
  if (!options.prepareOnly) {
    ensureSelfLink();
    starting = Kernel.start({
      kernelName: checked.kernelName, cwd: checked.cwd, env: options.env, faults: options.faults,
      startTimeoutMs: (options.startTimeout ?? 60) * 1000,
      heartbeatTimeoutMs: options.heartbeatTimeout === undefined ? undefined : options.heartbeatTimeout * 1000,
      onStrayMessage: (msg) => routing.router?.stray(msg),
    });
  }
  let run: Run;
  try {
    run = prepareRun(options, checked, (m) => stderr.write(`warning: ${m}\n`));
  } catch (err) {
    void starting?.then((k) => k.close(), () => undefined);
    throw err;
  }
  const { nb, meta, output } = run;
  let executed = 0;
  if (!starting) {
    return { status: "prepared", exitCode: 0, output, notebook: nb, executed, durationMs: Date.now() - run.started };
  }

  const bar = progressLine(stderr, options.progressBar ?? (stderr as NodeJS.WriteStream).isTTY === true);
  const routes = new OutputRouter(run, (type, content) => {
    if (options.logOutput) logOutput(type, content, stdout, stderr);
  });
  routing.router = routes;
  let kernel: Kernel | undefined;
  const onAbort = () => {
    void kernel?.close();
  };
  options.signal?.addEventListener("abort", onAbort);
  let result: Omit<RunResult, "durationMs" | "output" | "notebook" | "executed"> = { status: "completed", exitCode: 0 };
  try {
    try {
      kernel = await starting;
      options.onKernelStarted?.();
    } catch (err) {
      meta.exception = true;
      run.save();
      throw err;
    }
    nb.metadata.kernelspec = run.kernelspec ?? { name: run.kernelName, display_name: run.kernelName === "jslab" ? "JavaScript" : "TypeScript", language: run.kernelName === "jslab" ? "javascript" : "typescript" };

    // Step 4: the cells, in order, until one fails.
    const n = nb.cells.length;
    for (let i = 0; i < n; i++) {
      bar.update(i + 1, n, firstLine(nb.cells[i]));
      const { ran, failure } = await executeCell(run, i, kernel, routes, options);
      if (ran) executed++;
      if (!failure) continue;
      bar.end();
      result = markFailure(run, i, failure, stderr);
      break;
    }
    bar.end();
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    // Step 6: shut the kernel down (outputs of background work until then are kept), then save.
    await kernel?.close();
  }
  meta.end_time = isoNow();
  meta.duration = (Date.now() - run.started) / 1000;
  meta.exception = result.status !== "completed";
  run.save();
  return { ...result, output, notebook: nb, executed, durationMs: Date.now() - run.started };
}

function logOutput(type: string, content: JsonObject, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void {
  if (type === "stream") (content.name === "stderr" ? stderr : stdout).write(String(content.text ?? ""));
  else if (type === "display_data" || type === "update_display_data" || type === "execute_result") {
    const data = (content.data ?? {}) as JsonObject;
    const text = data["text/plain"];
    if (typeof text === "string") stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    else if (Array.isArray(text)) stdout.write(text.join(""));
  }
}

export type { Output };

/** `workbook run INPUT [OUTPUT]`: papermill's CLI for tslab notebooks. */
import { isWorkbookError } from "../errors";
import { type ParameterSources, mergeParameters } from "../notebook/parameters";
import { runNotebook } from "../runner";
import { type OptionSpec, helpText, numberOption, parseArgs, usageError } from "./args";

export const RUN_OPTIONS: OptionSpec[] = [
  { names: ["-p", "--parameters"], key: "params", arity: 2, repeat: true, help: "a parameter, typed: true/false, null, integer, float, else string" },
  { names: ["-r", "--parameters-raw"], key: "raws", arity: 2, repeat: true, help: "a parameter as a raw string" },
  { names: ["-f", "--parameters-file"], key: "files", arity: 1, repeat: true, help: "parameters from a YAML or JSON file" },
  { names: ["-y", "--parameters-yaml"], key: "yamls", arity: 1, repeat: true, help: "parameters as a YAML string" },
  { names: ["--cwd"], key: "cwd", arity: 1, help: "working directory of the kernel (default: the notebook's folder)" },
  { names: ["-k", "--kernel"], key: "kernel", arity: 1, help: "kernel name (default: the notebook's kernelspec; tslab or jslab)" },
  { names: ["--prepare-only"], key: "prepareOnly", arity: 0, help: "write the parameterised notebook without executing it" },
  { names: ["--log-output"], key: "logOutput", arity: 0, help: "copy cell output to the terminal" },
  { names: ["--progress-bar"], key: "progressBar", arity: 0, value: true, help: "show a progress bar (default when stderr is a terminal)" },
  { names: ["--no-progress-bar"], key: "progressBar", arity: 0, value: false, help: "hide the progress bar" },
  { names: ["--start-timeout"], key: "startTimeout", arity: 1, help: "seconds to wait for the kernel to start (default 60)" },
  { names: ["--execution-timeout"], key: "executionTimeout", arity: 1, help: "seconds a cell may run before it is interrupted and failed" },
  { names: ["--iopub-timeout"], key: "iopubTimeout", arity: 1, help: "seconds to wait for each further output of a cell after its reply, up to its idle (default 5)" },
  { names: ["--heartbeat-timeout"], key: "heartbeatTimeout", arity: 1, help: "seconds a kernel may answer no heartbeat and use no CPU before it counts as dead (default 30)" },
  { names: ["--report-mode"], key: "reportMode", arity: 0, help: "hide cell sources in the output notebook" },
  { names: ["--inject-paths"], key: "injectPaths", arity: 0, help: "inject PAPERMILL_INPUT_PATH and PAPERMILL_OUTPUT_PATH" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

export const RUN_USAGE = "Usage: workbook run INPUT [OUTPUT] [options]\n\nRuns a notebook as papermill would and saves the executed copy (default: out/<name>).\nExit codes: 0 ok, 1 a cell failed, 138 the kernel died, 2 usage error.";

export function parameterSources(options: Record<string, unknown>): ParameterSources {
  return {
    files: options.files as string[] | undefined,
    yamls: options.yamls as string[] | undefined,
    params: options.params as [string, string][] | undefined,
    raws: options.raws as [string, string][] | undefined,
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, RUN_OPTIONS, "run");
  if (options.help) {
    process.stdout.write(helpText(RUN_USAGE, RUN_OPTIONS));
    return 0;
  }
  if (positionals.length < 1 || positionals.length > 2) throw usageError(`\`workbook run\` takes INPUT and an optional OUTPUT, got ${positionals.length} paths. ${RUN_USAGE.split("\n")[0]}`);
  const parameters = mergeParameters(parameterSources(options));
  const controller = new AbortController();
  const stop = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping the kernel and saving the notebook...\n`);
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const result = await runNotebook({
      input: positionals[0],
      output: positionals[1],
      parameters,
      cwd: options.cwd as string | undefined,
      kernelName: options.kernel as string | undefined,
      prepareOnly: options.prepareOnly === true,
      logOutput: options.logOutput === true,
      progressBar: options.progressBar as boolean | undefined,
      startTimeout: numberOption(options.startTimeout, "--start-timeout"),
      executionTimeout: numberOption(options.executionTimeout, "--execution-timeout"),
      iopubTimeout: numberOption(options.iopubTimeout, "--iopub-timeout"),
      heartbeatTimeout: numberOption(options.heartbeatTimeout, "--heartbeat-timeout"),
      reportMode: options.reportMode === true,
      injectPaths: options.injectPaths === true,
      signal: controller.signal,
    });
    if (result.status === "completed" || result.status === "prepared") process.stderr.write(`${result.status === "prepared" ? "Prepared" : "Executed"} ${result.output}\n`);
    return result.exitCode;
  } catch (err) {
    // The kernel could not start: it died before the first cell.
    if (isWorkbookError(err, "KERNEL_DIED") || isWorkbookError(err, "KERNEL_TIMEOUT")) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 138;
    }
    throw err;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

export { runNotebook, defaultOutputPath, ERROR_CELL_TAG } from "./execute";
export type { RunOptions, RunResult } from "./execute";
export { Kernel, KERNELS } from "./kernel";
export type { ExecuteOutcome, KernelOptions } from "./kernel";
export { OutputCollector } from "./outputs";

/**
 * The command that starts a kernel, the same for the batch runner and for the kernelspec that
 * Jupyter and VS Code use: Node running this project's launcher (./tslab-kernel), which queues
 * zeromq's sends before it starts tslab.
 */
import * as path from "node:path";

/** The launcher script, next to this file in dist/. */
export const KERNEL_LAUNCHER = path.join(__dirname, "tslab-kernel.js");

/** argv of a kernel: `connectionFile` may be Jupyter's `{connection_file}` placeholder. */
export function kernelArgv(connectionFile: string, extra: readonly string[] = []): string[] {
  return [process.execPath, KERNEL_LAUNCHER, "kernel", "--config-path", connectionFile, ...extra];
}

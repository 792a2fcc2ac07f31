/**
 * The tslab kernel as this project starts it: `node dist/lib/runner/tslab-kernel.js kernel
 * --config-path FILE [--js]`. The batch runner spawns it, and the kernelspec that Jupyter and VS
 * Code use (`workbook kernel install`) names it, so every kernel gets the same changes:
 * - zeromq's sends are queued (./send-queue): tslab never awaits a send, and without the queue
 *   every 513th message of the kernel's life was lost;
 * - the project's own tslab runs, never another one found above the notebook's folder (tslab's
 *   "find local" would load a tslab whose zeromq this file has not changed);
 * - printed text goes in few stream messages (./stream-buffer), as ipykernel sends it, not one
 *   message per console.log (which Jupyter's server throttles, dropping output);
 * - a shutdown_request ends the process once its reply is sent. tslab replies and goes on
 *   running, so every client waited for its time limit and then killed it (2.5 s at the end of
 *   each batch run here, more in Jupyter).
 * - TypeScript's directory watchers are off (`quietWatches`): tslab's compiler reacts to a
 *   folder appearing or going where a module lookup once failed (a node_modules created beside or
 *   above the notebook, by another notebook, a test or an npm install) by scheduling a rebuild on a
 *   timer tslab fakes, and the next cell then failed with "Unexpected pending rebuildTimer". The cost:
 *   a package installed while the kernel runs is found after a restart of the kernel. For the same
 *   reason no package.json is watched (also `quietWatches`): TypeScript reacts to a change of
 *   the package.json of a package the notebook imports (an npm install, even a file's link count
 *   changing) with a second timer, which tslab's fake timers refuse at the next cell, and every cell
 *   after it failed. Changes of the notebook's own .ts modules are still seen.
 * And the big modules it loads (tslab's TypeScript) come from a V8 code cache (../compile-cache).
 * Everything else (arguments, behaviour, version) is tslab's.
 */
import * as path from "node:path";
import { enableCompileCache } from "../compile-cache";
import { queueSends, sendsDone } from "./send-queue";
import { type WriteStream, flushAllStreams, streamBuffer } from "./stream-buffer";

type WriteDisplayData = (data: unknown, update: boolean) => void;

interface JupyterHandler {
  handleExecute(req: unknown, writeStream: WriteStream, writeDisplayData: WriteDisplayData): Promise<unknown>;
}

interface ZmqServer {
  handleShutdown(sock: object, msg: unknown): void;
}

interface TslabMain {
  startKernel(options: { configPath: string; enableFindLocal: boolean; jsKernel: boolean; globalVersion: string }): void;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nUsage: node ${path.basename(__filename)} kernel --config-path CONNECTION_FILE [--js]\n`);
  process.exit(2);
}

/**
 * A kernel of the batch runner ends when the runner's process is gone (killed, or crashed before it
 * could shut the kernel down), instead of running on with nobody to talk to. The runner names itself
 * in WORKBOOK_KERNEL_PARENT_PID; kernels that Jupyter starts are left to Jupyter.
 */
function watchParent(parent: string | undefined): void {
  const pid = Number(parent);
  if (!parent || !Number.isInteger(pid) || pid <= 0) return;
  // When the parent dies the kernel is handed to another parent (init, or a subreaper).
  const timer = setInterval(() => {
    if (process.ppid !== pid) process.exit(0);
  }, 1000);
  timer.unref();
}

/**
 * Turns off the directory watchers of tslab's TypeScript (every watch program tslab makes inherits
 * `sys` from it), and its watchers of package.json files: see the file's comment. Other file watchers
 * stay (tslab feeds each cell through them, and sees the notebook's own .ts modules change).
 */
export function quietWatches(ts: { sys: { watchDirectory?: unknown; watchFile?: unknown } }): void {
  ts.sys.watchDirectory = () => ({ close: () => undefined });
  const watchFile = ts.sys.watchFile as ((file: string, ...rest: unknown[]) => { close(): void }) | undefined;
  if (!watchFile) return;
  ts.sys.watchFile = (file: string, ...rest: unknown[]) => (path.basename(file) === "package.json" ? { close: () => undefined } : watchFile.call(ts.sys, file, ...rest));
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command !== "kernel") usage(`Unknown command ${JSON.stringify(command ?? "")}: this launcher only starts a kernel.`);
  let configPath = "";
  let jsKernel = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--config-path") configPath = rest[++i] ?? "";
    else if (arg.startsWith("--config-path=")) configPath = arg.slice("--config-path=".length);
    else if (arg === "--js") jsKernel = true;
    else usage(`Unknown argument ${JSON.stringify(arg)}.`);
  }
  if (!configPath) usage("The connection file is missing.");
  watchParent(process.env.WORKBOOK_KERNEL_PARENT_PID);

  // tslab's TypeScript compiler, about 9 MB of JavaScript, compiled from V8's code cache.
  enableCompileCache();
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  // The zeromq that tslab's own require("zeromq") resolves to, changed before tslab loads it.
  queueSends(require(require.resolve("zeromq", { paths: [tslabDir] })) as typeof import("zeromq"));
  quietWatches(require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })) as { sys: { watchDirectory?: unknown; watchFile?: unknown } });
  const tslab = require(path.join(tslabDir, "dist", "main.js")) as TslabMain;
  const jupyter = require(path.join(tslabDir, "dist", "jupyter.js")) as { ZmqServer: { prototype: ZmqServer }; JupyterHandlerImpl: { prototype: JupyterHandler } };
  const handler = jupyter.JupyterHandlerImpl.prototype;
  const handleExecute = handler.handleExecute;
  handler.handleExecute = async function (this: JupyterHandler, req: unknown, writeStream: WriteStream, writeDisplayData: WriteDisplayData): Promise<unknown> {
    // The buffer stays with the request's writer: tslab sends later output of background work there.
    const streams = streamBuffer(writeStream);
    const display: WriteDisplayData = (data, update) => {
      flushAllStreams(); // text printed before the display goes before it
      writeDisplayData(data, update);
    };
    try {
      return await handleExecute.call(this, req, streams.write, display);
    } finally {
      flushAllStreams(); // before the reply and the idle status, with what background work printed meanwhile
    }
  };
  const server = jupyter.ZmqServer.prototype;
  const handleShutdown = server.handleShutdown;
  server.handleShutdown = function (this: ZmqServer, sock: object, msg: unknown): void {
    flushAllStreams(); // what background work printed last is not lost
    handleShutdown.call(this, sock, msg);
    // Exit once the reply has left (and ZeroMQ had a moment to write it to the socket).
    void sendsDone(sock).then(() => setTimeout(() => process.exit(0), 20));
  };
  const version = (require(path.join(tslabDir, "package.json")) as { version: string }).version;
  tslab.startKernel({ configPath, enableFindLocal: false, jsKernel, globalVersion: version });
}

if (require.main === module) main(process.argv.slice(2));

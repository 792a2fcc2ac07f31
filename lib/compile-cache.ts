/**
 * A V8 code cache for the few big CommonJS files every process here loads: the TypeScript
 * compilers (typescript.js, about 9 MB, in the runner for the parameters cell and in every kernel
 * for tslab). Node 22 has this built in (`module.enableCompileCache()`); Node 20, which the
 * workbook supports, does not.
 *
 * A file of at least `minBytes` is compiled with `vm.Script` and the cached data of an earlier
 * process, when there is one for the same file, size, modification time and Node version (V8
 * refuses data made under other flags; it is then made anew). When the process exits, the script's cached data (which by then holds the functions the
 * process compiled lazily) is written for the next one, if there was none or V8 refused it. The
 * cache is an optimisation only: any failure to read or write it is ignored.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";

export interface CompileCacheOptions {
  /** Folder of the cache files (default: `<tmp>/de-workbook-code-cache`). */
  dir?: string;
  /** Files smaller than this are compiled as usual (default 1 MB). */
  minBytes?: number;
}

interface CompilingModule {
  exports: unknown;
  filename: string;
  paths: string[];
  require: NodeJS.Require;
}
type Compile = (this: CompilingModule, content: string, filename: string) => unknown;

const ENABLED = Symbol.for("de-workbook.compile-cache");

/** Files compiled with the cache in this process: where their cache is, and whether it was used. */
export const compileCacheFiles: { file: string; cacheFile: string; used: boolean }[] = [];

/** Turns the cache on for this process (idempotent). */
export function enableCompileCache(options: CompileCacheOptions = {}): void {
  const proto = (Module as unknown as { prototype: Record<string | symbol, unknown> }).prototype;
  if (proto[ENABLED]) return;
  proto[ENABLED] = true;
  const dir = options.dir ?? path.join(os.tmpdir(), "de-workbook-code-cache");
  const minBytes = options.minBytes ?? 1_000_000;
  const original = proto._compile as Compile;
  const pending: { script: vm.Script; cacheFile: string }[] = [];

  proto._compile = function (this: CompilingModule, content: string, filename: string): unknown {
    if (content.length < minBytes || !filename.includes(`${path.sep}node_modules${path.sep}`)) return original.call(this, content, filename);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(filename);
    } catch {
      return original.call(this, content, filename);
    }
    const key = crypto.createHash("sha256")
      .update([filename, stat.size, stat.mtimeMs, process.version, process.arch].join("\0"))
      .digest("hex").slice(0, 32);
    const cacheFile = path.join(dir, `${key}.bin`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    const used = cachedData !== undefined && !script.cachedDataRejected;
    compileCacheFiles.push({ file: filename, cacheFile, used });
    if (!used) pending.push({ script, cacheFile });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = Module.createRequire(filename);
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };

  process.once("exit", () => {
    for (const { script, cacheFile } of pending) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // an optimisation only
      }
    }
  });
}

/** `workbook kernel install`: a user-level kernelspec "tslab" that runs this project's tslab. */
import * as fs from "node:fs";
import * as path from "node:path";
import { config } from "../config";
import { kernelArgv } from "../runner/kernel-command";
import { type OptionSpec, helpText, parseArgs, usageError } from "./args";

const OPTIONS: OptionSpec[] = [
  { names: ["--name"], key: "name", arity: 1, help: "kernelspec name (default tslab)" },
  { names: ["--prefix"], key: "prefix", arity: 1, help: "install into PREFIX/share/jupyter/kernels instead of the user folder" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The kernelspec metadata every committed notebook carries. `workbook kernel install` writes the
 * same name, display name and language, so Jupyter opening a notebook finds nothing to change (a
 * different display name marks a freshly opened notebook "unsaved changes").
 */
export const NOTEBOOK_KERNELSPEC = { name: "tslab", display_name: "TypeScript", language: "typescript" } as const;

/**
 * The language_info every committed notebook carries: exactly what tslab 1.0's kernel_info reply
 * says. Jupyter Notebook replaces a notebook's language_info with the kernel's when the kernel
 * starts, and marks the notebook "unsaved changes" when they differ.
 */
export const NOTEBOOK_LANGUAGE_INFO = {
  codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
  file_extension: ".ts",
  mimetype: "text/typescript",
  name: "typescript",
  version: "3.7.2",
} as const;

/** Writes the kernelspec; returns the folder written. */
export function installKernelSpec(options: { name?: string; dataDir?: string } = {}): string {
  const name = options.name ?? NOTEBOOK_KERNELSPEC.name;
  const dataDir = options.dataDir ?? config().jupyterDataDir;
  const dir = path.join(dataDir, "kernels", name);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: kernelArgv("{connection_file}"),
    display_name: NOTEBOOK_KERNELSPEC.display_name,
    language: NOTEBOOK_KERNELSPEC.language,
    metadata: { "de-workbook": { project: config().projectRoot } },
  };
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 1) + "\n");
  return dir;
}

export async function kernelCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { options } = parseArgs(rest, OPTIONS, "kernel install");
  if (sub !== "install" || options.help) {
    process.stdout.write(helpText("Usage: workbook kernel install [--name NAME] [--prefix PREFIX]\n\nWrites a Jupyter kernelspec that runs this project's tslab, so Jupyter and VS Code find the TypeScript kernel.", OPTIONS));
    if (sub !== "install" && !options.help) throw usageError(`Unknown \`workbook kernel\` subcommand ${JSON.stringify(sub ?? "")}; use \`workbook kernel install\`.`);
    return 0;
  }
  const dataDir = options.prefix ? path.join(path.resolve(String(options.prefix)), "share", "jupyter") : undefined;
  const dir = installKernelSpec({ name: options.name as string | undefined, dataDir });
  process.stdout.write(`Installed the kernelspec ${JSON.stringify(options.name ?? "tslab")} in ${dir}\n`);
  if (!onPath("jupyter")) {
    process.stdout.write(
      "Jupyter is not installed here. To open the notebooks, get it by one of:\n" +
        "  sudo apt-get install jupyter-notebook        (Debian/Ubuntu)\n" +
        "  pip install jupyterlab                       (any Python 3)\n" +
        "  docker build -t de-workbook . && docker run -p 8888:8888 de-workbook   (the project's image)\n" +
        "VS Code's Jupyter extension also finds this kernel.\n",
    );
  }
  return 0;
}

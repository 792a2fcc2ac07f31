/** The `workbook` command. */
import { WorkbookError } from "../errors";
import { inspectCommand } from "./inspect";
import { kernelCommand } from "./kernel-install";
import { runAllCommand } from "./run-all";
import { runCommand } from "./run";

type Command = (argv: string[]) => Promise<number>;

/** Loads a command that lives in another module, only when it is used (keeps start-up quick). */
function lazy(modulePath: string, exportName: string): Command {
  return async (argv) => {
    const mod = require(modulePath) as Record<string, Command>;
    return mod[exportName](argv);
  };
}

const COMMANDS: Record<string, { run: Command; help: string }> = {
  run: { run: runCommand, help: "run INPUT [OUTPUT]      run one notebook as papermill would (-p NAME VALUE ...)" },
  inspect: { run: inspectCommand, help: "inspect NOTEBOOK        list a notebook's parameters" },
  "run-all": { run: runAllCommand, help: "run-all [--jobs N]      run every notebook in notebooks/ (npm start)" },
  kernel: { run: kernelCommand, help: "kernel install          install the tslab kernelspec for Jupyter and VS Code" },
};

const OPTIONAL: Record<string, { module: string; export: string; help: string }> = {
  broker: { module: "../kafka/cli", export: "brokerCommand", help: "broker [--port 9092]    run the embedded Kafka-protocol broker" },
  query: { module: "../warehouse/cli", export: "queryCommand", help: "query \"SQL\"             query the warehouse, print a table" },
  data: { module: "../../scenarios/image-kmeans/cli", export: "dataCommand", help: "data images --count N   generate sample data into the work folder" },
};

function usage(): string {
  const lines = [...Object.values(COMMANDS).map((c) => c.help)];
  for (const o of Object.values(OPTIONAL)) {
    try {
      require.resolve(o.module);
      lines.push(o.help);
    } catch {
      // not built in this version
    }
  }
  return `Usage: workbook COMMAND [options]\n\nCommands:\n${lines.map((l) => `  ${l}`).join("\n")}\n\n\`workbook COMMAND --help\` shows a command's options.\n`;
}

/** Error codes (or code prefixes) that mean the command was given bad input: exit 2. */
const USAGE_CODES = ["USAGE", "NOTEBOOK", "PARAMETERS", "KERNEL_UNKNOWN", "OUTPUT_IS_INPUT", "CWD_INVALID", "CONFIG_INVALID", "NOTEBOOKS_NOT_FOUND"];

/** Runs the CLI; returns the exit code (2 for usage errors). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  let command: Command | undefined = COMMANDS[name]?.run;
  if (!command && OPTIONAL[name]) {
    try {
      require.resolve(OPTIONAL[name].module);
      command = lazy(OPTIONAL[name].module, OPTIONAL[name].export);
    } catch {
      command = undefined;
    }
  }
  if (!command) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}.\n\n${usage()}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof WorkbookError) {
      process.stderr.write(`error: ${err.message}\n`);
      // Bad input and usage: 2; anything else the command reports is a failure: 1.
      const code = err.code;
      return USAGE_CODES.some((c) => code === c || code.startsWith(`${c}_`)) ? 2 : 1;
    }
    throw err;
  }
}

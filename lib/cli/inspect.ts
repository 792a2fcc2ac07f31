/** `workbook inspect NOTEBOOK`: the parameters with their types, defaults and help. */
import { readNotebook } from "../notebook/nbformat";
import { inspectNotebookParameters, parametersCellIndex } from "../notebook/parameters";
import { type OptionSpec, helpText, parseArgs, usageError } from "./args";
import { formatTable } from "./table";

const OPTIONS: OptionSpec[] = [
  { names: ["--json"], key: "json", arity: 0, help: "print the parameters as JSON" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "show this help" },
];

export async function inspectCommand(argv: string[]): Promise<number> {
  const { options, positionals } = parseArgs(argv, OPTIONS, "inspect");
  if (options.help) {
    process.stdout.write(helpText("Usage: workbook inspect NOTEBOOK\n\nLists the notebook's parameters (its cell tagged \"parameters\").", OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw usageError("`workbook inspect` takes one NOTEBOOK path.");
  const nb = readNotebook(positionals[0]);
  const params = inspectNotebookParameters(nb);
  if (options.json) {
    process.stdout.write(JSON.stringify(params, null, 2) + "\n");
    return 0;
  }
  if (parametersCellIndex(nb) < 0) {
    process.stdout.write(`${positionals[0]} has no cell tagged "parameters".\n`);
    return 0;
  }
  process.stdout.write(`Parameters of ${positionals[0]}:\n`);
  process.stdout.write(formatTable(["name", "type", "default", "help"], params.map((p) => [p.name, p.type, p.default, p.help])));
  return 0;
}

/** The `workbook` command: each command's module loads only when that command runs, so start-up stays quick. */
import { WorkbookError, isUsageError } from "../errors";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { module: string; export: string; help: string }> = {
  run: { module: "./run", export: "runCommand", help: "run INPUT [OUTPUT]      run one notebook as papermill would (-p NAME VALUE ...)" },
  inspect: { module: "./inspect", export: "inspectCommand", help: "inspect NOTEBOOK        list a notebook's parameters" },
  "run-all": { module: "./run-all", export: "runAllCommand", help: "run-all [--jobs N]      run every notebook in notebooks/ (npm start)" },
  kernel: { module: "./kernel-install", export: "kernelCommand", help: "kernel install          install the tslab kernelspec for Jupyter and VS Code" },
  broker: { module: "../kafka/cli", export: "brokerCommand", help: "broker [--port 9092]    run the embedded Kafka-protocol broker" },
  query: { module: "../warehouse/cli", export: "queryCommand", help: "query \"SQL\"             query the warehouse, print a table" },
  dag: { module: "../dag/cli", export: "dagCommand", help: "dag list|run|backfill    Airflow-style DAGs: run, backfill, status, clear, export-airflow" },
  handout: { module: "./handout", export: "handoutCommand", help: "handout [NB...] --out D learner copies of notebooks and the manifest grading reads" },
  grade: { module: "./grade", export: "gradeCommand", help: "grade DIR --out D       run every learner's notebook: gradebook.csv and report.html" },
  quality: { module: "../quality/cli", export: "qualityCommand", help: "quality export-dbt SCENARIO  a scenario's data-quality checks as dbt tests (schema.yml + singular SQL)" },
  data: { module: "./data", export: "dataCommand", help: "data KIND [options]     generate a scenario's sample data (data --help lists the kinds)" },
};


function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.help}`);
  return `Usage: workbook COMMAND [options]\n\nCommands:\n${lines.join("\n")}\n\n\`workbook COMMAND --help\` shows a command's options.\n`;
}

/** Runs the CLI; returns the exit code (2 for usage errors). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}.\n\n${usage()}`);
    return 2;
  }
  try {
    const command = (require(entry.module) as Record<string, Command>)[entry.export];
    return await command(rest);
  } catch (err) {
    if (err instanceof WorkbookError) {
      process.stderr.write(`error: ${err.message}\n`);
      return isUsageError(err) ? 2 : 1;
    }
    throw err;
  }
}

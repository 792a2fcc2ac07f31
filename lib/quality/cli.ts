/**
 * `workbook quality export-dbt SCENARIO [--output DIR]`: a scenario's declared checks as a dbt
 * schema.yml and singular tests (printed, or written to DIR/schema.yml and DIR/tests/*.sql).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { helpText, parseArgs, usageError, type OptionSpec } from "../cli/args";
import { registeredQuality } from "../cli/registry";
import { WorkbookError } from "../errors";
import type { QualityCheck } from "./checks";
import { coverageTable } from "./coverage";
import { exportDbt } from "./dbt";

export const QUALITY_USAGE = `usage: workbook quality COMMAND
  export-dbt SCENARIO [--output DIR]   the scenario's checks as dbt tests: DIR/schema.yml and DIR/tests/*.sql (default: print them)
  list                                 the scenarios with declared checks
  coverage                             the scenarios by the six kinds: how many checks of each kind`;

const OPTIONS: OptionSpec[] = [
  { names: ["--output", "-o"], key: "output", arity: 1, help: "export-dbt: the folder to write schema.yml and tests/ into" },
  { names: ["-h", "--help"], key: "help", arity: 0, help: "this help" },
];

/** The declared checks of a registered scenario. */
export function scenarioChecks(scenario: string | undefined): QualityCheck[] {
  const known = registeredQuality().map((q) => q.scenario);
  const entry = registeredQuality().find((q) => q.scenario === scenario);
  if (!entry) throw usageError(`${scenario ? `No declared quality checks for scenario ${JSON.stringify(scenario)}` : "Which scenario?"}; scenarios with checks: ${known.join(", ") || "(none registered)"}, e.g. \`workbook quality export-dbt ${known[0] ?? "sparkify"}\`.`);
  const checks = entry.load();
  if (!Array.isArray(checks)) throw new WorkbookError("QUALITY_INVALID", `The quality checks registered by ${scenario} did not load a list; its load() must return QualityCheck[].`);
  return checks as QualityCheck[];
}

export async function qualityCommand(argv: string[], io: { stdout?: NodeJS.WritableStream } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const [sub, ...rest] = argv;
  const { options, positionals } = parseArgs(rest, OPTIONS, `quality ${sub ?? ""}`);
  if (!sub || sub === "-h" || sub === "--help" || options.help) {
    stdout.write(helpText(QUALITY_USAGE, OPTIONS));
    return sub ? 0 : 2;
  }
  if (sub === "list") {
    for (const q of registeredQuality()) stdout.write(`${q.scenario}: ${scenarioChecks(q.scenario).length} checks\n`);
    return 0;
  }
  if (sub === "coverage") {
    stdout.write(coverageTable(registeredQuality().map((q) => ({ scenario: q.scenario, checks: scenarioChecks(q.scenario) }))));
    return 0;
  }
  if (sub !== "export-dbt") throw usageError(`Unknown quality command ${JSON.stringify(sub)}; use export-dbt, list or coverage.`);
  const out = exportDbt(scenarioChecks(positionals[0]));
  const dir = options.output as string | undefined;
  if (!dir) {
    stdout.write(`# schema.yml\n${out.schemaYml}`);
    for (const t of out.singular) stdout.write(`\n-- tests/${t.file}\n${t.sql}`);
    return 0;
  }
  fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
  fs.writeFileSync(path.join(dir, "schema.yml"), out.schemaYml);
  for (const t of out.singular) fs.writeFileSync(path.join(dir, "tests", t.file), t.sql);
  stdout.write(`wrote ${path.join(dir, "schema.yml")} and ${out.singular.length} singular test(s) in ${path.join(dir, "tests")}\n`);
  return 0;
}

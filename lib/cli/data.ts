/** `workbook data KIND ...`: runs the sample-data generator a scenario registered for KIND. */
import { dataKinds } from "./registry";

type Line = (line: string) => void;

export function dataUsage(): string {
  const kinds = dataKinds();
  const lines = kinds.map((k) => `  ${k.kind.padEnd(10)} ${k.help} (${k.scenario})`);
  return `usage: workbook data KIND [options]   (workbook data KIND --help for its options)\n${lines.length ? lines.join("\n") : "  (no scenario registered a data kind)"}`;
}

/** Dispatches to the registered generator of `kind`; returns the exit code (2 for an unknown kind). */
export async function dataCommand(argv: string[], out: Line = (l) => process.stdout.write(l + "\n"), err: Line = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === "-h" || kind === "--help") {
    out(dataUsage());
    return 0;
  }
  const entry = dataKinds().find((k) => k.kind === kind);
  if (!entry) {
    err(kind === undefined ? `workbook data: say what to make\n${dataUsage()}` : `workbook data: unknown kind ${JSON.stringify(kind)}\n${dataUsage()}`);
    return 2;
  }
  return entry.load()(rest);
}

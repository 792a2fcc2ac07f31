/** A small command-line parser: flags, options with 1 or 2 values, repeatable options, positionals. */
import { WorkbookError } from "../errors";

export interface OptionSpec {
  /** Names, e.g. ["-p", "--parameters"]. */
  names: string[];
  /** Key in the result. */
  key: string;
  /** Number of values it takes: 0 (a flag), 1 or 2. */
  arity: 0 | 1 | 2;
  /** May be given several times (values collected in a list). */
  repeat?: boolean;
  /** For a flag: the value it sets (default true); e.g. --no-progress-bar sets false. */
  value?: boolean;
  help: string;
}

export interface Parsed {
  options: Record<string, unknown>;
  positionals: string[];
}

export function usageError(message: string): WorkbookError {
  return new WorkbookError("USAGE", message);
}

export function parseArgs(argv: string[], specs: OptionSpec[], command: string): Parsed {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const options: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.includes("=")) {
      inline = arg.slice(arg.indexOf("=") + 1);
      arg = arg.slice(0, arg.indexOf("="));
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const spec = byName.get(arg) ?? byName.get(arg.replace(/_/g, "-"));
    if (!spec) throw usageError(`Unknown option ${JSON.stringify(arg)} for \`workbook ${command}\`; see \`workbook ${command} --help\`.`);
    let value: unknown;
    if (spec.arity === 0) {
      value = spec.value ?? true;
    } else {
      const values: string[] = inline !== undefined ? [inline] : [];
      while (values.length < spec.arity) {
        i++;
        if (i >= argv.length) throw usageError(`${arg} needs ${spec.arity === 2 ? "a NAME and a VALUE" : "a value"}; e.g. ${arg} ${spec.arity === 2 ? "k 5" : "VALUE"}.`);
        values.push(argv[i]);
      }
      value = spec.arity === 1 ? values[0] : values;
    }
    if (spec.repeat) options[spec.key] = [...((options[spec.key] as unknown[]) ?? []), value];
    else options[spec.key] = value;
  }
  return { options, positionals };
}

export function helpText(usage: string, specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = s.names.join(", ") + (s.arity === 1 ? " VALUE" : s.arity === 2 ? " NAME VALUE" : "");
    return `  ${names.padEnd(34)} ${s.help}`;
  });
  return `${usage}\n\nOptions:\n${rows.join("\n")}\n`;
}

/** A number option: positive, else a usage error naming the option. */
export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${name} ${JSON.stringify(value)} is not a positive number; e.g. ${name} 30.`);
  return n;
}

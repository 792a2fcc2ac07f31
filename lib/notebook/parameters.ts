/**
 * Notebook parameters, as papermill defines them, for TypeScript notebooks: typed command-line
 * values, the `parameters` cell and its defaults, and the injected cell of `let` declarations.
 */
import * as fs from "node:fs";
import type * as TS from "typescript";
import type * as YAMLTypes from "yaml";
import { WorkbookError } from "../errors";
import { type Cell, type CodeCell, type Notebook, cellTags, joinSource, newCellId } from "./nbformat";

export type ParameterValue = null | boolean | number | string | ParameterValue[] | { [key: string]: ParameterValue };
export type Parameters = Record<string, ParameterValue>;

/** A parameter declared in the `parameters` cell. */
export interface DeclaredParameter {
  name: string;
  /** The type annotation, or the type inferred from the default value ("string", "number", ...). */
  type: string;
  /** Whether `type` was written in the cell (true) or inferred (false). */
  annotated: boolean;
  /** The default value as written in the cell. */
  default: string;
  /** The trailing `// comment` on the declaration, as help. */
  help: string;
}

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private " +
    "protected public static yield await").split(" "),
);

/** True when `name` can be declared with `let name = ...`. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name);
}

/** papermill's typing of `-p NAME VALUE`: booleans, null, integer, float, else the string itself. */
export function parseParameterValue(raw: string): ParameterValue {
  if (raw === "True" || raw === "true") return true;
  if (raw === "False" || raw === "false") return false;
  if (raw === "None" || raw === "none" || raw === "null") return null;
  if (/^[-+]?\d+$/.test(raw)) return Number(raw);
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) || /^[-+]?(inf|infinity|nan)$/i.test(raw)) {
    const lower = raw.toLowerCase().replace(/^\+/, "");
    if (lower === "nan" || lower === "-nan") return NaN;
    if (lower === "inf" || lower === "infinity") return Infinity;
    if (lower === "-inf" || lower === "-infinity") return -Infinity;
    return Number(raw);
  }
  return raw;
}

export interface ParameterSources {
  /** `-f FILE` (YAML or JSON), in order. */
  files?: string[];
  /** `-y YAML`, in order. */
  yamls?: string[];
  /** `-p NAME VALUE`, typed. */
  params?: [string, string][];
  /** `-r NAME VALUE`, raw strings. */
  raws?: [string, string][];
}

/**
 * The YAML parser, loaded when a parameters file or -y is given: loading it costs a few hundred ms,
 * which every `workbook run` paid before its kernel could start.
 */
function yaml(): typeof YAMLTypes {
  return require("yaml") as typeof YAMLTypes;
}

function yamlObject(text: string, where: string): Parameters {
  let value: unknown;
  try {
    value = yaml().parse(text);
  } catch (err) {
    throw new WorkbookError("PARAMETERS_INVALID", `${where} is not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new WorkbookError("PARAMETERS_INVALID", `${where} must be a mapping of parameter names to values (e.g. "k: 5"), not ${JSON.stringify(value)}.`);
  }
  return value as Parameters;
}

/** Merges parameter sources in papermill's order (later wins): -f, -y, -p, -r. Names are checked. */
export function mergeParameters(sources: ParameterSources): Parameters {
  const out: Parameters = {};
  for (const file of sources.files ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new WorkbookError("PARAMETERS_INVALID", `Cannot read the parameters file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
    }
    Object.assign(out, yamlObject(text, `The parameters file ${JSON.stringify(file)}`));
  }
  for (const y of sources.yamls ?? []) Object.assign(out, yamlObject(y, `-y ${JSON.stringify(y)}`));
  for (const [name, value] of sources.params ?? []) out[name] = parseParameterValue(value);
  for (const [name, value] of sources.raws ?? []) out[name] = value;
  for (const name of Object.keys(out)) {
    if (!isIdentifier(name)) {
      throw new WorkbookError("PARAMETERS_INVALID", `Parameter name ${JSON.stringify(name)} is not a TypeScript identifier; use letters, digits, _ or $, not starting with a digit (e.g. image_count).`);
    }
  }
  return out;
}

/** Renders one value as a TypeScript expression. `warn` receives notes (e.g. unsafe integers). */
export function renderValue(value: ParameterValue, warn: (message: string) => void = () => {}, path = "value"): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (value === Infinity) return "Infinity";
    if (value === -Infinity) return "-Infinity";
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) warn(`${path} = ${value} is beyond 2^53: it is not exact in TypeScript; pass it as a string (-r) if every digit matters.`);
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => renderValue(v, warn, `${path}[${i}]`)).join(", ")}]`;
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new WorkbookError("PARAMETERS_INVALID", `${path} is a ${proto?.constructor?.name ?? "non-plain"} object; parameters must be plain data (strings, numbers, booleans, null, lists, mappings).`);
    }
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${renderValue(v, warn, `${path}.${k}`)}`);
    return `{${entries.join(", ")}}`;
  }
  throw new WorkbookError("PARAMETERS_INVALID", `${path} has an unsupported type ${typeof value}.`);
}

/** The source of the injected cell: `let name: type = value;` per parameter under `// Parameters`. */
export function renderParameters(params: Parameters, declared: DeclaredParameter[] = [], warn: (message: string) => void = () => {}): string {
  const types = new Map(declared.filter((d) => d.annotated || ["string", "number", "boolean"].includes(d.type)).map((d) => [d.name, d.type]));
  const lines = ["// Parameters"];
  for (const [name, value] of Object.entries(params)) {
    if (!isIdentifier(name)) throw new WorkbookError("PARAMETERS_INVALID", `Parameter name ${JSON.stringify(name)} is not a TypeScript identifier.`);
    const type = types.get(name);
    lines.push(`let ${name}${type ? `: ${type}` : ""} = ${renderValue(value, warn, name)};`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The TypeScript compiler, loaded when a parameters cell is first read: `de-workbook` is imported by
 * every notebook, and loading the compiler (about 9 MB) there cost each kernel most of a second.
 */
function typescript(): typeof TS {
  return require("typescript") as typeof TS;
}

function inferType(init: TS.Expression): string {
  const ts = typescript();
  switch (init.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateExpression:
      return "string";
    case ts.SyntaxKind.NumericLiteral:
      return "number";
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
      return "boolean";
    case ts.SyntaxKind.NullKeyword:
      return "null";
    case ts.SyntaxKind.ArrayLiteralExpression:
      return "array";
    case ts.SyntaxKind.ObjectLiteralExpression:
      return "object";
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const u = init as TS.PrefixUnaryExpression;
      return (u.operator === ts.SyntaxKind.MinusToken || u.operator === ts.SyntaxKind.PlusToken) && u.operand.kind === ts.SyntaxKind.NumericLiteral ? "number" : "unknown";
    }
    case ts.SyntaxKind.Identifier: {
      const t = (init as TS.Identifier).text;
      return t === "NaN" || t === "Infinity" ? "number" : t === "undefined" ? "undefined" : "unknown";
    }
    default:
      return "unknown";
  }
}

/** The parameters declared in a cell's source, with types, defaults and trailing-comment help. */
export function declaredParameters(source: string): DeclaredParameter[] {
  const ts = typescript();
  const file = ts.createSourceFile("parameters.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: DeclaredParameter[] = [];
  for (const stmt of file.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    const trailing = ts.getTrailingCommentRanges(source, stmt.end) ?? [];
    const help = trailing
      .map((r) => source.slice(r.pos, r.end))
      .map((c) => c.replace(/^\/\/\s?|^\/\*\s?|\s?\*\/$/g, "").trim())
      .join(" ");
    for (const decl of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name)) continue;
      const annotated = decl.type !== undefined;
      out.push({
        name: decl.name.text,
        type: decl.type ? decl.type.getText(file) : decl.initializer ? inferType(decl.initializer) : "unknown",
        annotated,
        default: decl.initializer ? decl.initializer.getText(file) : "undefined",
        help,
      });
    }
  }
  return out;
}

/** The index of the first cell tagged `parameters`, or -1. */
export function parametersCellIndex(nb: Notebook): number {
  return nb.cells.findIndex((c) => cellTags(c).includes("parameters"));
}

/** The parameters of a notebook's `parameters` cell (empty when it has none). */
export function inspectNotebookParameters(nb: Notebook): DeclaredParameter[] {
  const i = parametersCellIndex(nb);
  return i < 0 ? [] : declaredParameters(joinSource(nb.cells[i].source));
}

/**
 * Returns a copy of the notebook with an `injected-parameters` cell right after the parameters cell
 * (replacing any earlier injected cell), or first when there is no parameters cell (with a warning).
 * With no parameters, the notebook is returned unchanged.
 */
export function injectParameters(nb: Notebook, params: Parameters, warn: (message: string) => void = () => {}): Notebook {
  if (Object.keys(params).length === 0) return nb;
  const cells: Cell[] = nb.cells.filter((c) => !cellTags(c).includes("injected-parameters"));
  const paramIndex = cells.findIndex((c) => cellTags(c).includes("parameters"));
  const declared = paramIndex >= 0 ? declaredParameters(joinSource(cells[paramIndex].source)) : [];
  if (paramIndex < 0) {
    warn("The notebook has no cell tagged \"parameters\": the injected parameters go in a new first cell. Tag the cell of defaults \"parameters\" to place them after it.");
  } else {
    const known = new Set(declared.map((d) => d.name));
    for (const name of Object.keys(params)) {
      if (!known.has(name)) warn(`Parameter ${JSON.stringify(name)} is not declared in the parameters cell (it declares: ${[...known].join(", ") || "nothing"}); it is injected anyway.`);
    }
  }
  const injected: CodeCell = {
    id: newCellId(),
    cell_type: "code",
    metadata: { tags: ["injected-parameters"] },
    source: renderParameters(params, declared, warn),
    outputs: [],
    execution_count: null,
  };
  cells.splice(paramIndex + 1, 0, injected);
  return { ...nb, cells };
}

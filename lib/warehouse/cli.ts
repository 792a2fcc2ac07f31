/**
 * `workbook query "SQL"`: runs one query on the configured warehouse (WAREHOUSE: DuckDB in the
 * work folder, or BigQuery) and prints the result as a table.
 *
 *   workbook query "SELECT state, count(*) AS n FROM visits GROUP BY state" --max-rows 50
 *   workbook query "SELECT * FROM visits WHERE day = @day" -p day 2021-03-26 --json
 */
import { isWorkbookError } from "../errors";
import { tableText } from "../display/table";
import { openWarehouse, type OpenWarehouseOptions } from "./index";

export const QUERY_USAGE = `usage: workbook query "SQL" [-p NAME VALUE]... [--max-rows N] [--json] [--memory]
  Runs SQL on the configured warehouse (WAREHOUSE=duckdb|bigquery) and prints the result.
  -p NAME VALUE   a named parameter, written @NAME in the SQL (numbers and true/false are typed)
  --max-rows N    rows to print (default 100)
  --json          print rows as JSON lines instead of a table
  --memory        use an empty in-memory DuckDB (for trying SQL)`;

interface QueryArgs {
  sql: string;
  params: Record<string, unknown>;
  maxRows: number;
  json: boolean;
  memory: boolean;
}

function parseArgs(argv: string[]): QueryArgs | string {
  const args: QueryArgs = { sql: "", params: {}, maxRows: 100, json: false, memory: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-p" || a === "--parameters") {
      if (argv[i + 2] === undefined) return `${a} needs NAME VALUE`;
      args.params[argv[i + 1]] = typed(argv[i + 2]);
      i += 2;
    } else if (a === "--max-rows") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) return `--max-rows needs a whole number, got ${JSON.stringify(argv[i])}`;
      args.maxRows = n;
    } else if (a === "--json") args.json = true;
    else if (a === "--memory") args.memory = true;
    else if (a === "-h" || a === "--help") return "";
    else if (a.startsWith("-") && a.length > 1) return `unknown option ${a}`;
    else positional.push(a);
  }
  if (positional.length !== 1) return positional.length === 0 ? "missing the SQL text" : `expected one SQL text, got ${positional.length} (quote the SQL)`;
  args.sql = positional[0];
  return args;
}

function typed(raw: string): unknown {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === "true";
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/** Runs `workbook query`; returns the exit code (0 ok, 1 query failed, 2 usage error). */
export async function queryCommand(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; warehouse?: OpenWarehouseOptions } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    stderr.write(`${parsed ? `workbook query: ${parsed}\n` : ""}${QUERY_USAGE}\n`);
    return parsed ? 2 : 0;
  }
  let wh;
  try {
    wh = await openWarehouse(io.warehouse ?? (parsed.memory ? { memory: true } : {}));
    const result = await wh.query(parsed.sql, parsed.params);
    if (parsed.json) {
      for (const row of result.rows.slice(0, parsed.maxRows)) stdout.write(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
    } else {
      stdout.write(tableText(result, { maxRows: parsed.maxRows }) + "\n");
    }
    return 0;
  } catch (err) {
    stderr.write(`workbook query: ${isWorkbookError(err) ? err.message : (err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await wh?.close();
  }
}

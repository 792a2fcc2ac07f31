/**
 * Declared checks as a dbt project's tests: a schema.yml with the generic tests dbt has built in
 * (unique, not_null, accepted_values, relationships), and every other check as a singular test, a
 * SQL file that returns rows when the check fails. A check limited to the data interval becomes a
 * test with a `where` config on the vars data_interval_start and data_interval_end (pass them with
 * `dbt test --vars`). Drift needs earlier runs, which a dbt test does not keep: it is listed under
 * the column's `meta` (Elementary's column anomaly tests do this in dbt).
 */
import { stringify } from "yaml";
import { checkName, type QualityCheck } from "./checks";

export interface DbtExport {
  /** The schema.yml text. */
  schemaYml: string;
  /** Singular tests: a file name under tests/ and its SQL. */
  singular: { file: string; sql: string }[];
}

const START = `'{{ var("data_interval_start") }}'`;
const END = `'{{ var("data_interval_end") }}'`;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

function whereOf(c: QualityCheck, alias = ""): string | undefined {
  return c.timeColumn ? `${alias}${c.timeColumn} >= ${START} and ${alias}${c.timeColumn} < ${END}` : undefined;
}

/** The SQL of a singular test (rows = failure), or undefined for a check exported as a generic test or meta. */
function singularSql(c: QualityCheck): string | undefined {
  const ref = (t: string) => `{{ ref('${t}') }}`;
  const and = (cond: string) => [cond, whereOf(c)].filter(Boolean).join(" and ");
  switch (c.type) {
    case "freshness":
      return `select max(${c.column}) as newest from ${ref(c.table)} where ${c.column} < ${END}\nhaving max(${c.column}) is null or max(${c.column}) < cast(${END} as timestamp) - interval '${c.maxLagHours} hours'`;
    case "volume":
      if (c.min === undefined && c.max === undefined) return `-- ${checkName(c)}: a tolerance against earlier runs needs their counts; not exported\nselect 1 where false`;
      return `select n from (select count(*) as n from ${ref(c.table)}${whereOf(c) ? ` where ${whereOf(c)}` : ""}) as counted\nwhere ${[c.min !== undefined ? `n < ${c.min}` : "", c.max !== undefined ? `n > ${c.max}` : ""].filter(Boolean).join(" or ")}`;
    case "columns":
      return `select column_name from (values ${Object.keys(c.columns).map((n) => `('${n}')`).join(", ")}) as wanted(column_name)\nwhere column_name not in (select column_name from information_schema.columns where table_name = '${c.table.split(".").pop()}')`;
    case "range":
      return `select * from ${ref(c.table)} where ${and(`(${[c.min !== undefined ? `${c.column} < ${c.min}` : "", c.max !== undefined ? `${c.column} > ${c.max}` : ""].filter(Boolean).join(" or ")})`)}`;
    case "unique":
      return c.columns.length > 1 ? `select ${c.columns.join(", ")} from ${ref(c.table)}${whereOf(c) ? ` where ${whereOf(c)}` : ""} group by ${c.columns.join(", ")} having count(*) > 1` : undefined;
    case "relationship":
      if (!c.maxMissingShare) return undefined;
      return `select missing, total from (\n  select count(*) as total, sum(case when d.${c.toColumn} is null then 1 else 0 end) as missing\n  from ${ref(c.table)} as f left join (select distinct ${c.toColumn} from ${ref(c.to)}) as d on f.${c.column} = d.${c.toColumn}\n  where ${[`f.${c.column} is not null`, whereOf(c, "f.")].filter(Boolean).join(" and ")}\n) as counted\nwhere missing > ${c.maxMissingShare} * total`;
    case "sql": {
      const body = c.sql.replace(/@start\b/g, `cast(${START} as timestamp)`).replace(/@end\b/g, `cast(${END} as timestamp)`);
      return `select n from (\n${body}\n) as checked where ${(c.expect ?? "zero") === "zero" ? "n <> 0" : "n <= 0"}`;
    }
    default:
      return undefined;
  }
}

/** The dbt form of `checks`. */
export function exportDbt(checks: readonly QualityCheck[]): DbtExport {
  type Col = { name: string; data_tests?: unknown[]; meta?: Record<string, unknown> };
  const models = new Map<string, Map<string, Col>>();
  const column = (table: string, name: string): Col => {
    if (!models.has(table)) models.set(table, new Map());
    const cols = models.get(table) as Map<string, Col>;
    if (!cols.has(name)) cols.set(name, { name });
    return cols.get(name) as Col;
  };
  const generic = (c: QualityCheck, col: string, test: string, args: Record<string, unknown> = {}) => {
    const config: Record<string, unknown> = {};
    if (c.severity === "warn") config.severity = "warn";
    if (whereOf(c)) config.where = whereOf(c);
    const body = { ...args, ...(Object.keys(config).length ? { config } : {}) };
    const entry = Object.keys(body).length ? { [test]: body } : test;
    const target = column(c.table, col);
    (target.data_tests ??= []).push(entry);
  };
  const singular: DbtExport["singular"] = [];
  for (const c of checks) {
    if (!models.has(c.table)) models.set(c.table, new Map());
    if (c.type === "not_null") generic(c, c.column, "not_null");
    else if (c.type === "accepted_values") generic(c, c.column, "accepted_values", { values: c.values });
    else if (c.type === "unique" && c.columns.length === 1) generic(c, c.columns[0], "unique");
    else if (c.type === "relationship" && !c.maxMissingShare) generic(c, c.column, "relationships", { to: `ref('${c.to}')`, field: c.toColumn });
    else if (c.type === "drift") {
      const col = column(c.table, c.column);
      col.meta = { ...(col.meta ?? {}), drift: { categorical: c.categorical ?? false, threshold: c.threshold ?? (c.categorical ? 0.1 : 0.2), note: "compared with earlier runs by de-workbook's lib/quality; not a dbt test" } };
    } else {
      const sql = singularSql(c);
      if (sql !== undefined) singular.push({ file: `${slug(c.table)}__${slug(checkName(c))}.sql`, sql: `-- ${c.table}: ${checkName(c)} (de-workbook lib/quality, ${c.severity ?? "block"})\n${c.severity === "warn" ? "{{ config(severity='warn') }}\n" : ""}${sql}\n` });
    }
  }
  const doc = {
    version: 2,
    models: [...models.entries()].map(([name, cols]) => ({ name, ...(cols.size ? { columns: [...cols.values()] } : {}) })),
  };
  return { schemaYml: stringify(doc, { lineWidth: 0 }), singular };
}

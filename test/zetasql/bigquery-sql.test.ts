/**
 * BigQuery's SQL front end (ZetaSQL) checks every SQL statement the workbook sends on its BigQuery
 * path, offline. The statements are collected where the BigQuery stand-in receives them: this test
 * runs every compiled test that uses the stand-in (test/cloud/bigquery-stand-in.ts) with
 * WORKBOOK_BIGQUERY_SQL_LOG set, so the stand-in writes each table it creates (with its schema) and
 * each statement it receives (with its parameters' types, its default dataset and the test file) to
 * a JSON-lines file. Each statement is then analyzed against a catalog of the tables that existed
 * when it arrived. A scenario whose BigQuery-path test uses the stand-in is checked with no list to
 * update.
 *
 * What passing proves: BigQuery's parser and analyzer accept the SQL and its types line up (columns,
 * functions, parameters, INSERT and MERGE targets). What it does not: the results, quotas,
 * permissions, or anything the stand-in answers (it runs no SQL).
 *
 * Needs the analyzer in test/zetasql/node_modules (`(cd test/zetasql && npm ci)`; .ci/run does it).
 * Locally the tests skip without it; with CI=true they fail.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import type { SqlLogEntry } from "../cloud/bigquery-stand-in";
import { tempDir } from "../helpers";
import { fieldType, parameterType, startZetaSQL, zetasqlMissing, type Analysis, type Catalog, type CatalogTable, type Statement, type TypeProto, type ZetaSQL } from "./analyzer";

const missing = zetasqlMissing();
const ci = /^(true|1|yes)$/i.test(process.env.CI ?? "");
/** Locally a missing analyzer skips with the reason; under CI it fails (.ci/run installs it). */
const skip = missing && !ci ? missing : false;
const needAnalyzer = (): void => {
  if (missing) assert.fail(`${missing}; .ci/run installs it before the tests`);
};

const VISITS: CatalogTable = {
  name: "visits",
  columns: [
    { name: "day", type: { typeKind: "TYPE_DATE" } },
    { name: "ts", type: { typeKind: "TYPE_TIMESTAMP" } },
    { name: "page", type: { typeKind: "TYPE_STRING" } },
    { name: "n", type: { typeKind: "TYPE_INT64" } },
  ],
};
const CATALOG: Catalog = { name: "", tables: [VISITS, { ...VISITS, name: "web.visits" }], catalogs: [{ name: "web", tables: [VISITS], catalogs: [] }] };
const DATE: TypeProto = { typeKind: "TYPE_DATE" };
const STRING: TypeProto = { typeKind: "TYPE_STRING" };

test("ZetaSQL accepts BigQuery SQL and rejects DuckDB-only SQL, a wrong type or an unknown column, with the position", { skip, timeout: 120_000 }, async (t) => {
  needAnalyzer();
  const z = await startZetaSQL();
  t.after(() => z.close());
  const ok = async (sql: string, parameters: Statement["parameters"] = []): Promise<void> => {
    const r = await z.analyze({ sql, catalog: CATALOG, parameters });
    assert.ok(r.ok, `${sql}\n${r.ok ? "" : r.message}`);
  };
  await ok("SELECT page, COUNT(*) AS n FROM visits WHERE day = @day GROUP BY page QUALIFY ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC) = 1", [{ name: "day", type: DATE }]);
  await ok("SELECT TIMESTAMP_TRUNC(ts, DAY) AS d, n FROM `web.visits` UNION ALL SELECT TIMESTAMP_TRUNC(ts, HOUR), n FROM web.visits");
  await ok("MERGE INTO visits AS t USING (SELECT * FROM visits) AS s ON t.day = s.day WHEN MATCHED THEN UPDATE SET n = s.n WHEN NOT MATCHED THEN INSERT (day, ts, page, n) VALUES (s.day, s.ts, s.page, s.n)");
  await ok("DELETE FROM visits WHERE page = @page", [{ name: "page", type: STRING }]);
  await ok("CREATE TABLE IF NOT EXISTS web.daily (day DATE, n INT64) PARTITION BY day");
  // a table a statement creates is seen by the next statements of the script (and reported, for later statements)
  await ok("CREATE TEMP TABLE daily AS SELECT day, COUNT(*) AS n FROM visits GROUP BY day;\nSELECT day, n FROM daily WHERE n > @n", [{ name: "n", type: { typeKind: "TYPE_INT64" } }]);
  const made = await z.analyze({ sql: "CREATE TABLE web.daily (day DATE, tags ARRAY<STRING>)", catalog: CATALOG });
  assert.deepEqual(made.ok && made.created, [{ path: ["web", "daily"], columns: [{ name: "day", type: DATE }, { name: "tags", type: { typeKind: "TYPE_ARRAY", arrayType: { elementType: STRING } } }] }]);

  const bad = async (sql: string, message: RegExp, line: number, column: number, parameters: Statement["parameters"] = []): Promise<void> => {
    const r: Analysis = await z.analyze({ sql, catalog: CATALOG, parameters });
    assert.equal(r.ok, false, `ZetaSQL accepted ${sql}`);
    if (r.ok) return;
    assert.match(r.message, message, sql);
    assert.deepEqual(r.position && [r.position.line, r.position.column], [line, column], `${sql}: ${r.message}`);
  };
  await bad("SELECT * FROM visits WHERE day = $1", /Unexpected macro/, 1, 34);
  await bad("SELECT page FROM visits\nLIMIT ALL", /Unexpected keyword ALL/, 2, 7);
  await bad("SELECT date_trunc('day', ts) FROM visits", /A valid date part name is required but found ts/, 1, 26);
  await bad("SELECT n::STRING FROM visits", /Syntax error/, 1, 9);
  await bad("SELECT page FROM visits WHERE n = @day", /No matching signature for operator =/, 1, 31, [{ name: "day", type: DATE }]);
  await bad("SELECT page FROM visits WHERE day = @when", /Query parameter 'when' not found/, 1, 37, [{ name: "day", type: DATE }]);
  await bad("SELECT pages FROM visits", /Unrecognized name: pages/, 1, 8);
  await bad("SELECT page FROM web.clicks", /Table not found: web.clicks/, 1, 18);
  await bad("SELECT strftime(ts, '%Y') FROM visits", /Function not found: strftime/, 1, 8);
  await bad("INSERT INTO visits (day, page) VALUES ('2024-13-01', 'home')", /Could not cast literal "2024-13-01" to type DATE/, 1, 40);
  await bad("SELECT COUNT(*) FROM visits; SELECT nope FROM visits", /Unrecognized name: nope/, 1, 37);
  await bad("CREATE TEMP TABLE daily AS SELECT day FROM visits;\nSELECT n FROM daily", /Unrecognized name: n/, 2, 8);
  await bad("DELETE FROM visits", /DELETE must have a WHERE clause/, 1, 1);
  await bad("SELECT page FROM visits QUALIFY ROW_NUMBER() OVER (ORDER BY n) = 1", /QUALIFY clause must be used in conjunction with WHERE or GROUP BY or HAVING/, 1, 25);
  await bad("DELETE FROM visits WHERE n = 0 THEN RETURN page", /THEN RETURN is not supported/, 1, 32);
});

/**
 * The compiled tests that use the stand-in, directly or through a helper module of the tests (this
 * folder's excepted): every module under dist/test that requires the stand-in, then every module that
 * requires one of those, and so on.
 */
function standInTests(): string[] {
  const dir = path.join(projectRoot, "dist", "test");
  const modules = new Map<string, string[]>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(e.parentPath, e.name);
    if (!e.isFile() || !e.name.endsWith(".js") || file.startsWith(path.join(dir, "zetasql") + path.sep)) continue;
    const required = [...fs.readFileSync(file, "utf8").matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)].map((m) => path.resolve(path.dirname(file), m[1]).replace(/(\.js)?$/, ".js"));
    modules.set(file, required);
  }
  const users = new Set([path.join(dir, "cloud", "bigquery-stand-in.js")]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [file, required] of modules) {
      if (!users.has(file) && required.some((r) => users.has(r))) {
        users.add(file);
        grew = true;
      }
    }
  }
  return [...users].filter((f) => f.endsWith(".test.js")).sort();
}

const CHILD_TIMEOUT_MS = 300_000;

/** Runs the tests with the stand-in's statement log on; resolves to their exit code and output. */
function runWithLog(files: string[], log: string): Promise<{ code: number | null; output: string }> {
  // NODE_TEST_CONTEXT (set by the test runner that runs this file) would make the inner runner report to it instead of running.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--enable-source-maps", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
      cwd: projectRoot,
      env: { ...env, TZ: "UTC", WORKBOOK_BIGQUERY_SQL_LOG: log },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    // They take well under a minute; a hang is stopped here rather than outliving this test.
    const timer = setTimeout(() => {
      output += `\n(stopped after ${CHILD_TIMEOUT_MS / 1000} s)`;
      child.kill("SIGKILL");
    }, CHILD_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The scenarios whose sources import lib/warehouse. */
function scenariosUsingTheWarehouse(): string[] {
  const dir = path.join(projectRoot, "scenarios");
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).filter((name) =>
    fs.readdirSync(path.join(dir, name), { recursive: true, encoding: "utf8" }).some((f) => f.endsWith(".ts") && /from "\.\.\/(\.\.\/)*lib\/warehouse/.test(fs.readFileSync(path.join(dir, name, f), "utf8")))).sort();
}

/** The scenario a test file belongs to ("lib" for the library's own tests). */
function scenarioOf(file: string): string {
  return /^test\/scenarios\/([^/]+)\//.exec(file)?.[1] ?? "lib";
}

type Table = Extract<SqlLogEntry, { kind: "table" }>;
type Sent = Extract<SqlLogEntry, { kind: "statement" }>;

/** A table made by a statement (CREATE TABLE, CREATE TABLE AS SELECT) that later statements of the same stand-in see. */
interface MadeTable {
  project: string;
  dataset: string;
  table: string;
  columns: CatalogTable["columns"];
}

/**
 * The catalog a statement sees: the tables of its stand-in that existed then and the tables its
 * earlier statements created, by every name BigQuery resolves.
 */
function catalogFor(s: Sent, tables: Map<string, Table>, made: MadeTable[]): Catalog {
  const root: Catalog = { name: "", tables: [], catalogs: [] };
  const sub = (parent: Catalog, name: string): Catalog => {
    let c = parent.catalogs.find((x) => x.name === name);
    if (!c) parent.catalogs.push((c = { name, tables: [], catalogs: [] }));
    return c;
  };
  const add = (t: MadeTable): void => {
    const named = (name: string): CatalogTable => ({ name, columns: t.columns });
    // dataset.table and project.dataset.table, as paths and as one backquoted name; the bare name in the default dataset
    sub(root, t.dataset).tables.push(named(t.table));
    sub(sub(root, t.project), t.dataset).tables.push(named(t.table));
    root.tables.push(named(`${t.dataset}.${t.table}`), named(`${t.project}.${t.dataset}.${t.table}`));
    if (t.dataset === s.defaultDataset) root.tables.push(named(t.table));
  };
  for (const key of s.tables) {
    const t = tables.get(`${s.standIn} ${key}`);
    if (!t) continue;
    add({ ...t, columns: t.fields.map((f) => ({ name: f.name, type: fieldType(f, `column ${t.dataset}.${t.table}.${f.name}`) })) });
  }
  for (const t of made) if (!s.tables.includes(`${t.dataset}.${t.table}`)) add(t);
  return root;
}

function typeName(t: TypeProto): string {
  if (t.arrayType) return `ARRAY<${typeName(t.arrayType.elementType)}>`;
  if (t.structType) return `STRUCT<${t.structType.field.map((f) => `${f.fieldName} ${typeName(f.fieldType)}`).join(", ")}>`;
  return t.typeKind.replace(/^TYPE_/, "").replace(/^DOUBLE$/, "FLOAT64");
}

/** What the check found: the statements, how many distinct ones, the failures as text, the statements rejected as their tests expect. */
interface CheckResult {
  sent: Sent[];
  distinct: number;
  failures: string[];
  expectedRejections: string[];
}

/** Analyzes the logged statements, each against the catalog its stand-in had when it arrived. */
async function checkLog(z: ZetaSQL, entries: SqlLogEntry[]): Promise<CheckResult> {
  const tables = new Map<string, Table>();
  for (const e of entries) if (e.kind === "table") tables.set(`${e.standIn} ${e.dataset}.${e.table}`, e);
  const sent = entries.filter((e): e is Sent => e.kind === "statement");
  // In the order they were sent (a CREATE TABLE adds a table that later statements of its stand-in see).
  // The same text, parameter types and catalog is analyzed once, and a failure names every test that sent it.
  const distinct = new Map<string, { statement?: Statement; error?: string; sources: Sent[]; analysis: Analysis }>();
  const made = new Map<string, MadeTable[]>();
  for (const s of sent) {
    let statement: Statement | undefined;
    let error: string | undefined;
    try {
      const parameters = s.parameters.map((p, i) => ({ name: p.name ?? "", type: parameterType(p.parameterType, `parameter ${p.name ? `@${p.name}` : `?${i + 1}`}`) }));
      statement = { sql: s.sql, catalog: catalogFor(s, tables, made.get(s.standIn) ?? []), ...(s.parameterMode === "positional" ? { positional: parameters.map((p) => p.type) } : { parameters }) };
    } catch (err) {
      error = (err as Error).message;
    }
    if (s.useLegacySql) error = "it was sent as legacy SQL (useLegacySql is not false); the workbook's SQL is GoogleSQL";
    const key = JSON.stringify([s.sql, statement?.parameters, statement?.positional, statement?.catalog, error, s.rejected !== undefined]);
    const seen = distinct.get(key);
    if (seen) {
      seen.sources.push(s);
      continue;
    }
    const analysis: Analysis = statement && !error ? await z.analyze(statement) : { ok: false, message: error ?? "?" };
    distinct.set(key, { statement, error, sources: [s], analysis });
    if (analysis.ok) {
      for (const c of analysis.created) {
        const [dataset, table] = c.path.length >= 2 ? c.path.slice(-2) : [s.defaultDataset ?? "", c.path[0]];
        const list = made.get(s.standIn) ?? [];
        made.set(s.standIn, [...list.filter((m) => m.dataset !== dataset || m.table !== table), { project: s.project, dataset, table, columns: c.columns }]);
      }
    }
  }

  const failures: string[] = [];
  const expectedRejections: string[] = [];
  for (const { statement, error, sources, analysis: analyzed } of distinct.values()) {
    let analysis = analyzed;
    const rejected = sources[0].rejected;
    if (rejected !== undefined && /\[\d+:\d+\]/.test(rejected) && statement && !error) {
      // The test made the stand-in answer an error at a position ([line:column]), as BigQuery's analyzer
      // would: ZetaSQL must reject the statement too. (An error without a position, such as a MERGE that
      // matches two source rows, happens when BigQuery runs the statement, which must analyze cleanly.)
      if (!analysis.ok) {
        expectedRejections.push(`${sources[0].file}: ${analysis.message}`);
        continue;
      }
      analysis = { ok: false, message: `the test expects BigQuery to reject this statement (the stand-in answered ${JSON.stringify(rejected)}), but ZetaSQL accepts it; make the test's statement one that BigQuery rejects` };
    }
    if (analysis.ok) continue;
    const where = [...new Set(sources.map((s) => `scenario ${scenarioOf(s.file)}, ${s.file}${s.line ? `:${s.line}` : ""} (stand-in started there; sent by ${s.via})`))];
    const at = analysis.position ? ` at line ${analysis.position.line}, column ${analysis.position.column} (character ${analysis.position.offset})` : "";
    const params = statement?.positional
      ? statement.positional.map((p, i) => `?${i + 1} ${typeName(p)}`)
      : (statement?.parameters ?? []).map((p) => `@${p.name} ${typeName(p.type)}`);
    const numbered = sources[0].sql.split("\n").map((l, i) => `  ${String(i + 1).padStart(3)} | ${l}`).join("\n");
    failures.push([
      `${failures.length + 1}. ${analysis.message}${at}`,
      ...where.map((w) => `   from ${w}`),
      `   parameters: ${params.length ? params.join(", ") : "none"}`,
      numbered,
      ...(analysis.caret ? [analysis.caret.split("\n").map((l) => `        ${l}`).join("\n")] : []),
    ].join("\n"));
  }
  return { sent, distinct: distinct.size, failures, expectedRejections };
}

test("the check of a log names each failing statement with its scenario, test file, parameters and position, and follows tables made by CREATE TABLE", { skip, timeout: 120_000 }, async (t) => {
  needAnalyzer();
  const z = await startZetaSQL();
  t.after(() => z.close());
  const from = { standIn: "1-1", file: "test/scenarios/demo/bigquery.test.ts", line: 12 };
  const statement = (sql: string, more: Partial<Sent> = {}): SqlLogEntry => ({
    kind: "statement", ...from, via: "jobs.query", sql, useLegacySql: false, parameterMode: "named", parameters: [], project: "p", defaultDataset: "demo", tables: ["demo.visits"], ...more,
  });
  const entries: SqlLogEntry[] = [
    { kind: "table", ...from, project: "p", dataset: "demo", table: "visits", fields: [{ name: "day", type: "DATE", mode: "REQUIRED" }, { name: "n", type: "INTEGER" }, { name: "tags", type: "STRING", mode: "REPEATED" }] },
    statement("SELECT day, SUM(n) AS n FROM visits WHERE day = @day AND 'a' IN UNNEST(tags) GROUP BY day", { parameters: [{ name: "day", parameterType: { type: "DATE" } }] }),
    statement("SELECT day FROM `p.demo.visits` UNION ALL SELECT day FROM demo.visits"),
    statement("CREATE TABLE demo.daily AS SELECT day, COUNT(*) AS n FROM visits GROUP BY day"),
    statement("SELECT n FROM daily WHERE day = @day", { parameters: [{ name: "day", parameterType: { type: "DATE" } }] }),
    statement("SELECT day FROM visits\nWHERE day = $1"),
    statement("SELECT day FROM visits WHERE n = @day", { parameters: [{ name: "day", parameterType: { type: "DATE" } }], file: "test/lib/warehouse/bigquery.test.ts" }),
    statement("SELECT day FROM visits", { rejected: "Unrecognized name: dya at [1:8]" }),
    statement("SELECT day FROM visits", { useLegacySql: true }),
  ];
  const r = await checkLog(z, entries);
  assert.equal(r.sent.length, 8);
  assert.equal(r.failures.length, 4, r.failures.join("\n\n"));
  const [dollar, wrongType, accepted, legacy] = r.failures;
  assert.match(dollar, /^1\. Unexpected macro at line 2, column 13 \(character 35\)/);
  assert.match(dollar, /from scenario demo, test\/scenarios\/demo\/bigquery\.test\.ts:12 \(stand-in started there; sent by jobs\.query\)/);
  assert.match(dollar, /parameters: none/);
  assert.match(dollar, / {4}2 \| WHERE day = \$1/);
  assert.match(wrongType, /No matching signature for operator = for argument types: INT64, DATE\..* at line 1, column 30/);
  assert.match(wrongType, /from scenario lib, test\/lib\/warehouse\/bigquery\.test\.ts:12/);
  assert.match(wrongType, /parameters: @day DATE/);
  assert.match(accepted, /the test expects BigQuery to reject this statement .* but ZetaSQL accepts it/);
  assert.match(legacy, /sent as legacy SQL/);
});

test("every SQL statement the workbook sends to BigQuery, in every test that uses the stand-in, passes ZetaSQL's analysis", { skip, timeout: 540_000 }, async (t) => {
  needAnalyzer();
  const files = standInTests();
  assert.ok(files.length > 0, "no compiled test uses the BigQuery stand-in; run npm run build first");
  const log = path.join(tempDir(t, "zetasql-"), "statements.jsonl");
  const run = await runWithLog(files, log);
  assert.equal(run.code, 0, `the tests that use the BigQuery stand-in failed, so the statements they send are not all collected:\n${run.output.slice(-4000)}`);
  const entries = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as SqlLogEntry);
  assert.ok(entries.some((e) => e.kind === "statement"), "the tests that use the stand-in sent it no SQL");
  const z = await startZetaSQL();
  t.after(() => z.close());
  const { sent, distinct, failures, expectedRejections } = await checkLog(z, entries);
  const byScenario = new Map<string, number>();
  for (const s of sent) byScenario.set(scenarioOf(s.file), (byScenario.get(scenarioOf(s.file)) ?? 0) + 1);
  t.diagnostic(`${sent.length} statements (${distinct} distinct) from ${files.length} test files; by scenario: ${[...byScenario].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  for (const r of expectedRejections) t.diagnostic(`rejected as the test expects: ${r}`);
  const withStandIn = new Set(files.map((f) => scenarioOf(path.relative(path.join(projectRoot, "dist"), f))));
  const unchecked = scenariosUsingTheWarehouse().filter((name) => !byScenario.has(name));
  const untested = unchecked.filter((name) => !withStandIn.has(name));
  const silent = unchecked.filter((name) => withStandIn.has(name));
  if (untested.length > 0) t.diagnostic(`scenarios that use the warehouse but have no test against the stand-in (their BigQuery SQL, if any, is not checked): ${untested.join(", ")}`);
  if (silent.length > 0) t.diagnostic(`scenarios whose tests against the stand-in send it no SQL (their warehouse SQL stays on DuckDB; those tests say why): ${silent.join(", ")}`);
  assert.equal(failures.length, 0, `${failures.length} of ${distinct} distinct BigQuery statements fail ZetaSQL's analysis (BigQuery would reject them):\n\n${failures.join("\n\n")}\n`);
});

/**
 * A notebook as a lesson (issue 26), checked on the run of its notebook test:
 * - `withProbe` writes a copy of the notebook with cells appended after its last one: one records, for
 *   each exercise (`ex.KEY.check(`), the message a learner sees before answering and the expected
 *   value; then one cell per call those messages suggest (`ex.KEY.hint()`, `ex.KEY.solution()`),
 *   so each suggested call runs in the kernel as printed;
 * - `checkLesson` reads the run, takes the probe cells out again (the executed copy stays the
 *   notebook's own), and fails when a suggested call did not run, when an exercise's expected value
 *   shows in any output or text above it, or when `lessonLint` finds something.
 * - `lessonLint`: no text output over 40 lines nor a line of it over 200 characters, no table cell
 *   over 120 characters, no absolute path of the machine (project, work or temp folder, home) in any
 *   output, nothing on stderr.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestContext } from "node:test";
import { projectRoot } from "../../lib/paths";
import { readScraps } from "../../lib/scraps";

const PROBE = "lesson-probe";
const PROBE_SCRAP = "lesson_probe";

/** The longest text output, in lines. */
export const MAX_OUTPUT_LINES = 40;
/** The longest table cell, in characters. */
export const MAX_CELL_CHARS = 120;
/** The longest line of a text output, in characters (viewers show it unwrapped, to be scrolled sideways). */
export const MAX_LINE_CHARS = 200;

type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> };
type Cell = { id?: string; cell_type: string; source: string | string[]; outputs?: Output[]; metadata?: Record<string, unknown> };
type Nb = { cells: Cell[] };

const text = (s: unknown): string => (Array.isArray(s) ? s.join("") : typeof s === "string" ? s : "");

/** The keys of a notebook's exercises, in order: `ex.KEY.check(`. */
export function exerciseKeys(nb: Nb): string[] {
  const keys: string[] = [];
  for (const c of nb.cells) for (const m of text(c.source).matchAll(/\bex\.(\w+)\.check\(/g)) if (!keys.includes(m[1])) keys.push(m[1]);
  return keys;
}

const code = (id: string, source: string): Cell => ({ id, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null } as Cell);

/** Writes `<dir>/lesson-probe-<name>`: the notebook with the probe cells appended; returns its path. */
export function withProbe(notebook: string, dir: string): string {
  const nb = JSON.parse(fs.readFileSync(notebook, "utf8")) as Nb;
  const keys = exerciseKeys(nb);
  assert.ok(keys.length > 0, `${notebook} has no exercise (ex.KEY.check(...))`);
  nb.cells.push(code(`${PROBE}-0`, [
    `import { glue as probeGlue } from "de-workbook";`,
    `probeGlue("${PROBE_SCRAP}", [`,
    ...keys.map((k) => `  { key: "${k}", message: (await ex.${k}.verdict(undefined)).message, expected: await ex.${k}.expected(), solution: await ex.${k}.solution() },`),
    `]);`,
  ].join("\n")));
  keys.forEach((k, i) => {
    nb.cells.push(code(`${PROBE}-${i + 1}h`, `ex.${k}.hint();`));
    nb.cells.push(code(`${PROBE}-${i + 1}s`, `await ex.${k}.solution();`));
  });
  const file = path.join(dir, `${PROBE}-${path.basename(notebook)}`);
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  return file;
}

/** Paths of this machine that must not show in an output. */
function machinePaths(extra: string[]): string[] {
  return [projectRoot, os.tmpdir(), os.homedir(), ...extra].filter((p) => p && p !== "/" && p.length > 4);
}

const unescapeHtml = (s: string): string => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** The text a learner reads in an output: stream text, else text/html stripped of tags, else text/plain. */
function outputText(o: Output): string {
  if (o.output_type === "stream") return text(o.text);
  const data = o.data ?? {};
  if (data["text/html"]) return unescapeHtml(text(data["text/html"]).replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/g, "").replace(/<br\s*\/?>|<\/tr>|<\/p>|<\/div>|<\/li>/g, "\n").replace(/<[^>]+>/g, " "));
  return text(data["text/plain"]);
}

/** What is wrong with an executed notebook as a lesson (empty: nothing). `extraPaths`: the run's own folders. */
export function lessonLint(file: string, extraPaths: string[] = []): string[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as Nb;
  const problems: string[] = [];
  const paths = machinePaths(extraPaths);
  nb.cells.forEach((c, i) => {
    if (c.id?.startsWith(PROBE)) return;
    const where = `cell ${i} (${text(c.source).split("\n")[0].slice(0, 60)})`;
    for (const o of c.outputs ?? []) {
      if (o.output_type === "stream" && o.name === "stderr") problems.push(`${where}: writes to stderr: ${text(o.text).slice(0, 120)}`);
      const data = o.data ?? {};
      const plain = o.output_type === "stream" ? text(o.text) : data["text/html"] || data["image/png"] || data["image/svg+xml"] ? "" : text(data["text/plain"]);
      const lines = plain.split("\n").filter((l, j, all) => j < all.length - 1 || l !== "").length;
      if (lines > MAX_OUTPUT_LINES) problems.push(`${where}: a text output of ${lines} lines (at most ${MAX_OUTPUT_LINES}: summarise it, or show a table)`);
      const long = plain.split("\n").find((l) => l.length > MAX_LINE_CHARS);
      if (long) problems.push(`${where}: a text line of ${long.length} characters (at most ${MAX_LINE_CHARS}: shorten it): ${long.slice(0, 80)}...`);
      const html = text(data["text/html"]);
      const rows = (html.match(/<tr[\s>]/g) ?? []).length;
      if (rows > MAX_OUTPUT_LINES + 2 && !/<details/.test(html)) problems.push(`${where}: a table of ${rows} rows (at most ${MAX_OUTPUT_LINES})`);
      for (const m of html.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)) {
        const cell = unescapeHtml(m[1].replace(/<[^>]+>/g, ""));
        if (cell.length > MAX_CELL_CHARS) problems.push(`${where}: a table cell of ${cell.length} characters (at most ${MAX_CELL_CHARS}): ${cell.slice(0, 80)}...`);
      }
      const all = o.output_type === "stream" ? text(o.text) : Object.entries(data).filter(([mime]) => mime.startsWith("text/") || mime.endsWith("json")).map(([, v]) => (typeof v === "object" && !Array.isArray(v) ? JSON.stringify(v) : text(v))).join("\n");
      for (const p of paths) if (all.includes(p)) problems.push(`${where}: shows the machine's path ${p}`);
    }
  });
  return problems;
}

/**
 * Numbers the text states as results that nothing on screen shows (issue 25): every number in a
 * markdown cell must appear in an output (a table, a chart's labels, printed text), or in a code
 * cell (then it is a parameter or a definition the learner can see and change), or be declared in the
 * cell as a given fact with its source: `<!-- given: 10,000 (BigQuery's limit, checked 2026-12-07) -->`.
 * Not counted: code spans, links, whole numbers below 10 (ordinals, "two batches") and lone years
 * 1900-2099. A number matches one shown with more decimals when it rounds to it (0.31 from 0.3125), a
 * percentage also matches a share (29% from 0.29). Full dates (2001-06-09) must show as written.
 */
export function unshownNumbers(nb: Nb): string[] {
  const svgText = (svg: string) => [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => unescapeHtml(m[1].replace(/<[^>]+>/g, ""))).join("\n");
  const shownParts: string[] = [];
  for (const c of nb.cells) {
    if (c.id?.startsWith(PROBE)) continue;
    if (c.cell_type === "code") shownParts.push(text(c.source));
    for (const o of c.outputs ?? []) {
      shownParts.push(outputText(o));
      const data = o.data ?? {};
      if (data["text/markdown"]) shownParts.push(text(data["text/markdown"]));
      if (data["image/svg+xml"]) shownParts.push(svgText(text(data["image/svg+xml"])));
      if (data["text/html"]) shownParts.push(svgText(text(data["text/html"])));
    }
  }
  const shown = shownParts.join("\n");
  const shownValues = [...shown.matchAll(/\d[\d,]*(?:\.\d+)?/g)].map((m) => Number(m[0].replace(/,(?=\d{3}\b)/g, ""))).filter((n) => Number.isFinite(n));
  const roundTo = (n: number, d: number) => Number(n.toFixed(d));
  const problems: string[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "markdown") return;
    const source = text(c.source);
    const given = [...source.matchAll(/<!--\s*given:([\s\S]*?)-->/g)].map((m) => m[1]).join(" ");
    const prose = source.replace(/<!--[\s\S]*?-->/g, " ").replace(/```[\s\S]*?```/g, " ").replace(/`[^`]*`/g, " ")
      .replace(/\]\([^)]*\)/g, "] ").replace(/https?:\/\/\S+/g, " ").replace(/<[^>]+>/g, " ");
    const where = `cell ${i} (${source.split("\n")[0].slice(0, 60)})`;
    for (const m of prose.matchAll(/(?<![\w.\-/:])\d{4}-\d{2}-\d{2}(?![\d])/g)) {
      if (!shown.includes(m[0]) && !given.includes(m[0])) problems.push(`${where}: the date ${m[0]} shows in no output`);
    }
    const withoutDates = prose.replace(/\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?/g, " ");
    for (const m of withoutDates.matchAll(/(?<![\w.\-/:#^])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])(%?)/g)) {
      const token = m[0];
      const decimals = m[2]?.length ?? 0;
      const value = Number(`${m[1].replace(/,/g, "")}${m[2] ? `.${m[2]}` : ""}`);
      if (decimals === 0 && value < 10) continue;
      if (decimals === 0 && !m[1].includes(",") && value >= 1900 && value < 2100) continue;
      if (given.includes(token) || given.includes(m[1])) continue;
      const pct = m[3] === "%";
      const hit = shownValues.some((n) => roundTo(n, decimals) === value || (pct && (roundTo(n * 100, decimals) === value)));
      if (!hit) problems.push(`${where}: "${token}" shows in no output or code (show it, compute the sentence, or declare it: <!-- given: ${token} (source) -->)`);
    }
  });
  return problems;
}

/** The forms in which a learner would type `value`, as patterns that find it in a text. */
export function answerPatterns(value: unknown): RegExp[] {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const num = (n: number): RegExp[] => {
    const forms = new Set([String(n)]);
    if (!Number.isInteger(n)) for (const d of [2, 3]) forms.add(String(Number(n.toFixed(d))));
    return [...forms].map((f) => new RegExp(`(?<![\\d.])${esc(f)}(?![\\d])`));
  };
  if (typeof value === "number") return num(value);
  if (typeof value === "string") return value.length < 2 ? [] : [new RegExp(`(?<![\\w])${esc(value)}(?![\\w])`)];
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    // a list: all of it, in order, in one text
    return value.length === 0 ? [] : [new RegExp(value.map((v) => `(?<![\\w.])${esc(String(v))}(?![\\w])`).join("[\\s\\S]*?"))];
  }
  return [];
}

/** Rows (a list of objects): every row's values on one line of the same text. */
function rowsShown(value: unknown, shown: string): boolean {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v))) return false;
  const lines = shown.split("\n");
  return value.every((row) => lines.some((line) => Object.values(row as object).every((v) => answerPatterns(v).some((p) => p.test(line)))));
}

/** Whether the expected value of an exercise shows in `shown`. */
export function answerShown(value: unknown, shown: string): boolean {
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 100) return false; // small counts show up anywhere by chance
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return false; // a summary of what an answer did (e.g. rows matched), not something to read off
  return rowsShown(value, shown) || answerPatterns(value).some((p) => p.test(shown));
}

interface Probe {
  key: string;
  message: string;
  expected: unknown;
  /** The reference answer, as a learner types it (e.g. SQL). */
  solution: unknown;
}

/** Whether an answer typed as text (SQL, a condition) shows in `shown`, whitespace aside. */
export function typedAnswerShown(answer: unknown, shown: string): boolean {
  if (typeof answer !== "string" || answer.length < 12) return false;
  const squeeze = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();
  return squeeze(shown).includes(squeeze(answer));
}

/**
 * Checks the run of a notebook written by withProbe (see the file's comment), then takes the probe
 * cells out of `output`, so what follows (scraps, the executed copy) sees the notebook's own cells.
 */
export async function checkLesson(t: TestContext, output: string, extraPaths: string[] = []): Promise<void> {
  const nb = JSON.parse(fs.readFileSync(output, "utf8")) as Nb;
  const probes = readScraps(nb as never)[PROBE_SCRAP] as unknown as Probe[] | undefined;
  assert.ok(probes, "the probe cell recorded the exercises");
  const ran = new Map(nb.cells.filter((c) => c.id?.startsWith(PROBE)).map((c) => [text(c.source).trim().replace(/^await /, "").replace(/;$/, ""), c]));
  const lint = lessonLint(output, extraPaths);
  const own = nb.cells.filter((c) => !c.id?.startsWith(PROBE));
  fs.writeFileSync(output, JSON.stringify({ ...nb, cells: own }, null, 1));

  await t.test("every call a not-attempted message suggests runs as printed", () => {
    for (const p of probes) {
      const calls = [...p.message.matchAll(/[\w.]+\.(?:hint|solution)\(\)/g)].map((m) => m[0]);
      assert.ok(calls.length >= 2, `${p.key}: the message names hint() and solution(): ${p.message}`);
      for (const call of calls) {
        const cell = ran.get(call);
        assert.ok(cell, `${p.key}: "${call}" (from "${p.message}") is not a call the notebook can run: its exercises are ex.${probes.map((x) => x.key).join(", ex.")}`);
        const out = (cell.outputs ?? []).map(outputText).join("\n");
        assert.match(out, call.endsWith("hint()") ? /^Hint 1\/\d+: / : /^Solution \(/, `${call} ran and printed its text`);
      }
    }
  });

  await t.test("no exercise is answered above itself", () => {
    const problems: string[] = [];
    for (const p of probes) {
      const at = own.findIndex((c) => c.cell_type === "code" && new RegExp(`\\bex\\.${p.key}\\.check\\(`).test(text(c.source)));
      const isExercise = (c: Cell) => /\bex\.\w+\.(check|solution)\(/.test(text(c.source));
      own.slice(0, at + 1).forEach((c, i) => {
        const shown = [text(c.source), ...(isExercise(c) ? [] : (c.outputs ?? []).map(outputText))]; // exercise cells: a learner sees the verdicts, not the solutions
        for (const s of shown) {
          if (answerShown(p.expected, s)) problems.push(`${p.key}: its answer ${JSON.stringify(p.expected).slice(0, 100)} shows in cell ${i}: ${text(c.source).split("\n")[0].slice(0, 80)}`);
          else if (typedAnswerShown(p.solution, s)) problems.push(`${p.key}: its reference answer (${String(p.solution).slice(0, 60)}...) shows in cell ${i}: ${text(c.source).split("\n")[0].slice(0, 80)}`);
        }
      });
    }
    assert.deepEqual(problems, []);
  });

  await t.test("every number the text states shows in an output or a code cell, or is declared as given", () => {
    assert.deepEqual(unshownNumbers(nb), []);
  });

  await t.test("the outputs read as a lesson: no wall of text, no long cell, no machine path, no stderr", () => {
    assert.deepEqual(lint, []);
  });
}

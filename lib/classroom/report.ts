/**
 * The report: one HTML page a teacher opens in a browser. A table with one row per learner (each
 * exercise's status, the score, each notebook's run with a link to the executed copy, the notes),
 * sortable by any column with a click; then a summary per exercise (share correct, the most common
 * wrong answer category from the checkers' nudges); then the notes on submissions.
 */
import * as fs from "node:fs";
import { escapeHtml } from "../display/output";
import type { ExerciseGrade, GradebookRow, GradedSubmission } from "./grade";
import type { HandoutManifest } from "./handout";
import { summarise } from "./summary";

export const REPORT_FILE = "report.html";

export interface ReportInput {
  manifest?: HandoutManifest;
  submissions: GradedSubmission[];
  rows: GradebookRow[];
  gradedAt: string;
}

const COLOURS: Record<ExerciseGrade, string> = {
  correct: "#1e7d32", wrong: "#b3261e", "not-attempted": "#6c757d", "used-solution": "#8a6d00", error: "#7b1fa2", timeout: "#e65100", invalid: "#000",
};
// Sorting a status column puts the best first.
const RANK: Record<ExerciseGrade, number> = { correct: 0, "used-solution": 1, wrong: 2, "not-attempted": 3, error: 4, timeout: 5, invalid: 6 };

const SORT_SCRIPT = `
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var key = function (tr) { var td = tr.children[col]; var v = td.getAttribute("data-sort"); return v === null ? td.textContent.trim() : v; };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var c = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});`;

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top;font-size:0.9em}th{background:#f3f3f3;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}.s{font-weight:600}.note{color:#555;font-size:0.85em}`;

function statusCell(status: ExerciseGrade | undefined, title = ""): string {
  if (!status) return `<td data-sort="9">-</td>`;
  return `<td class="s" data-sort="${RANK[status]}" style="color:${COLOURS[status]}" title="${escapeHtml(title)}">${status}</td>`;
}

/** The report as HTML text. */
export function reportHtml(input: ReportInput): string {
  const summaries = summarise(input.rows);
  const notebooks = input.manifest ? input.manifest.notebooks.map((n) => n.notebook) : [...new Set(summaries.map((s) => s.notebook))];
  const columns = summaries.map((s) => ({ notebook: s.notebook, exercise: s.exercise }));
  const learners = [...new Set(input.submissions.map((s) => s.learner))].sort((a, b) => a.localeCompare(b));
  const head = [
    "<th>learner</th>",
    ...columns.map((c) => `<th title="${escapeHtml(c.notebook)}">${escapeHtml(c.exercise)}</th>`),
    `<th title="correct exercises of all ${columns.length}">score</th>`,
    ...notebooks.map((n) => `<th>run of ${escapeHtml(n)}</th>`),
    "<th>notes</th>",
  ].join("");
  const body = learners.map((learner) => {
    const mine = input.submissions.filter((s) => s.learner === learner);
    const rows = mine.flatMap((s) => s.rows);
    const cells = columns.map((c) => {
      const r = rows.find((x) => x.notebook === c.notebook && x.exercise === c.exercise);
      return statusCell(r?.status, r ? [r.category, r.note].filter(Boolean).join("; ") : "");
    });
    const score = rows.filter((r) => r.exercise && r.status === "correct").length;
    const runs = notebooks.map((n) => {
      const s = mine.find((x) => x.notebook === n && x.runStatus !== "invalid");
      if (!s) return `<td data-sort="">-</td>`;
      const label = `${s.runStatus}, ${s.seconds.toFixed(1)} s`;
      const link = s.executed ? `<a href="${escapeHtml(s.executed.split("/").map(encodeURIComponent).join("/"))}">${escapeHtml(label)}</a>` : escapeHtml(label);
      return `<td data-sort="${escapeHtml(s.runStatus)}" title="${escapeHtml(s.error ?? "")}">${link}</td>`;
    });
    const notes = [...new Set(mine.flatMap((s) => (s.runStatus === "invalid" ? [`${s.submission}: ${s.error ?? "invalid"}`] : s.notes)))];
    return `<tr><td>${escapeHtml(learner)}</td>${cells.join("")}<td data-sort="${score}">${score}/${columns.length}</td>${runs.join("")}<td class="note">${notes.map(escapeHtml).join("<br>")}</td></tr>`;
  });
  const summaryRows = summaries.map((s) => {
    const pct = `${Math.round(s.shareCorrect * 100)}%`;
    const wrong = s.commonWrong ? `${escapeHtml(s.commonWrong.category)} (${s.commonWrong.count})` : "-";
    const counts = (["correct", "wrong", "not-attempted", "used-solution", "error", "timeout", "invalid"] as const).map((g) => `<td data-sort="${s.counts[g]}">${s.counts[g]}</td>`).join("");
    return `<tr><td>${escapeHtml(s.notebook)}</td><td>${escapeHtml(s.exercise)}</td><td>${escapeHtml(s.title)}</td><td>${s.learners}</td><td data-sort="${s.shareCorrect}">${pct}</td>${counts}<td>${wrong}</td></tr>`;
  });
  const submitted = input.submissions.length;
  const invalid = input.submissions.filter((s) => s.runStatus === "invalid").length;
  const about = input.manifest ? `hand-out ${escapeHtml(input.manifest.handout)} (workbook ${escapeHtml(input.manifest.workbook)}, ${escapeHtml(input.manifest.created)})` : "hand-out taken from each copy's stamp";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Gradebook</title><style>${STYLE}</style></head><body>
<h1>Gradebook</h1>
<p>${learners.length} learners, ${submitted} graded submissions (${invalid} invalid); ${about}; graded ${escapeHtml(input.gradedAt)}. Click a column's header to sort by it. The same rows are in <a href="gradebook.csv">gradebook.csv</a>.</p>
<p class="note">correct: the learner's answer passed the check. used-solution: it passed after the exercise's solution() was shown (not the learner's own work). wrong: the check failed (the title of the cell says in what way). not-attempted: never checked, or the placeholder was still there. error / timeout: the run stopped (a cell failed / the time limit) before the check. invalid: not a notebook of this hand-out, or a status the checker did not sign.</p>
<h2>Learners</h2>
<table class="sortable" id="learners"><thead><tr>${head}</tr></thead><tbody>
${body.join("\n")}
</tbody></table>
<h2>Exercises</h2>
<table class="sortable" id="exercises"><thead><tr><th>notebook</th><th>exercise</th><th>title</th><th>learners</th><th>correct</th><th>#correct</th><th>#wrong</th><th>#not-attempted</th><th>#used-solution</th><th>#error</th><th>#timeout</th><th>#invalid</th><th>most common wrong answer</th></tr></thead><tbody>
${summaryRows.join("\n")}
</tbody></table>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}

export function writeReport(file: string, input: ReportInput): void {
  fs.writeFileSync(file, reportHtml(input));
}

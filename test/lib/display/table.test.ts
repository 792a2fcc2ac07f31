import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { formatCell, tableHtml, tableText } from "../../../lib/display/table";
import { publish } from "../../../lib/display/output";
import { matchSnapshot } from "./snapshot";

const RESULT = {
  columns: ["day", "state", "visits", "share", "first_seen", "note"],
  rows: [
    { day: "2021-03-26", state: "Ohio", visits: 120, share: 0.5042, first_seen: new Date("2021-03-26T14:02:11Z"), note: "<b>top</b> & more" },
    { day: "2021-03-26", state: "Iowa", visits: 75, share: 0.3151260504, first_seen: null, note: null },
    { day: "2021-03-27", state: "Utah", visits: 43, share: 0.18, first_seen: new Date("2021-03-27T00:00:00Z"), note: "" },
  ],
};

test("an HTML table matches its snapshot and escapes HTML", (t) => {
  const html = tableHtml(RESULT, { title: "Visits" });
  assert.ok(html.includes("&lt;b&gt;top&lt;/b&gt; &amp; more"));
  assert.ok(!html.includes("<b>top"));
  assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 3 + 1);
  matchSnapshot(t, "table.html", html);
});

test("the plain-text table aligns numbers right and counts hidden rows", () => {
  const text = tableText(RESULT, { maxRows: 2 });
  const lines = text.split("\n");
  assert.equal(lines[0], "day         state  visits   share  first_seen            note");
  assert.equal(lines[2], "2021-03-26  Ohio      120  0.5042  2021-03-26T14:02:11Z  <b>top</b> & more");
  assert.equal(lines[3], "2021-03-26  Iowa       75  0.3151  null                  null");
  assert.equal(lines.at(-1), "(2 of 3 rows)");
});

test("rows, query results and DataFrame-like values give the same table", () => {
  const rows = [{ a: 1, b: "x" }, { a: 2, b: "y" }];
  const frameLike = { columns: ["a", "b"], values: [[1, "x"], [2, "y"]] };
  assert.equal(tableText(rows), tableText({ columns: ["a", "b"], rows }));
  assert.equal(tableText(frameLike), tableText(rows));
});

test("cells format nulls, dates, bigints and objects", () => {
  assert.equal(formatCell(null), "null");
  assert.equal(formatCell(new Date("2021-03-26T00:00:00Z")), "2021-03-26");
  assert.equal(formatCell(2n ** 64n), "18446744073709551616");
  assert.equal(formatCell({ a: [1, 2n] }), '{"a":[1,"2"]}');
  assert.equal(formatCell(1 / 3, 2), "0.33");
});

test("outside a kernel, publish writes the plain-text form", () => {
  const out = new PassThrough();
  let written = "";
  out.on("data", (c: Buffer) => (written += c.toString()));
  publish({ "text/plain": "plain", "text/html": "<i>rich</i>" }, { stream: out });
  assert.equal(written, "plain\n");
});

test("a cell longer than maxCellChars (default 120) is cut with ... in both forms; the HTML keeps the whole text as its tooltip", () => {
  const line = `record ${"x".repeat(200)}`;
  const html = tableHtml([{ line }]);
  const td = /<td[^>]*>([^<]*)<\/td>/.exec(html)!;
  assert.equal(td[1].length, 120);
  assert.ok(td[1].endsWith("..."));
  assert.match(html, /title="record x{200}"/);
  assert.equal(tableText([{ line }]).split("\n")[2].length, 120);
  assert.equal(tableText([{ line }], { maxCellChars: 40 }).split("\n")[2], `${line.slice(0, 37)}...`);
  assert.doesNotMatch(tableHtml([{ line: "short" }]), /title=/, "a short cell has no tooltip");
});

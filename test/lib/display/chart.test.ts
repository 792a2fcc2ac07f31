import { test } from "node:test";
import assert from "node:assert/strict";
import { barChart, chartSvg, chartText, lineChart } from "../../../lib/display/chart";
import { worldMapSpec } from "../../../lib/display/map";
import { matchSnapshot } from "./snapshot";

const ROWS = [
  { state: "Ohio", visits: 120 },
  { state: "Iowa", visits: 75 },
  { state: "Utah", visits: 42 },
];

test("a bar chart renders to the same SVG as its snapshot", async (t) => {
  const svg = await chartSvg(barChart(ROWS, { x: "state", y: "visits", title: "Visits by state", width: 300, height: 200 }));
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  for (const s of ["Ohio", "Iowa", "Utah", "Visits by state"]) assert.ok(svg.includes(s), `the SVG names ${s}`);
  // rendering twice gives the same bytes (no random ids, no machine fonts)
  assert.equal(await chartSvg(barChart(ROWS, { x: "state", y: "visits", title: "Visits by state", width: 300, height: 200 })), svg);
  matchSnapshot(t, "bar-chart.svg", svg);
});

test("a bar's height follows its value", async () => {
  const svg = await chartSvg(barChart([{ k: "a", v: 1 }, { k: "b", v: 3 }], { x: "k", y: "v", height: 300 }));
  const heights = [...svg.matchAll(/<path aria-label="k: (\w); v: \d+"[^>]*d="M[\d.]+,([\d.]+)h[\d.]+v([\d.]+)/g)].map((m) => [m[1], Number(m[3])]);
  assert.equal(heights.length, 2);
  const [a, b] = heights.map((h) => h[1] as number);
  assert.ok(Math.abs(b / a - 3) < 0.01, `bar b (${b}) is three times bar a (${a})`);
});

test("chartText describes a chart in one line", () => {
  assert.equal(chartText(lineChart(ROWS, { x: "state", y: "visits", title: "T" })), "[chart: T] line 3 rows x=state, y=visits");
});

test("a world map colours only the countries with values", async () => {
  const svg = await chartSvg(worldMapSpec([{ country: "France", value: 3 }, { country: "Brazil", value: 9 }], { width: 400, height: 220 }));
  assert.match(svg, /<svg/);
  const coloured = [...svg.matchAll(/aria-label="value: (\d+)/g)].map((m) => Number(m[1])).sort();
  assert.deepEqual(coloured, [3, 9]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { chartSvg } from "../../../lib/display/chart";
import { usMapSpec, usStatesTopology } from "../../../lib/display/map";

test("the US states topology from vega-datasets has the 50 states and DC among its FIPS ids", () => {
  const topo = usStatesTopology() as { objects: { states: { geometries: Array<{ id: number }> } } };
  const ids = new Set(topo.objects.states.geometries.map((g) => Number(g.id)));
  for (const fips of [1, 6, 11, 36, 39, 48, 56]) assert.ok(ids.has(fips), `state ${fips} is in us-10m.json`);
});

test("a US map colours exactly the states given, joined by FIPS code (number or text)", async () => {
  const svg = await chartSvg(usMapSpec([{ fips: 39, value: 3 }, { fips: "6", value: 9 }, { fips: 999, value: 5 }], { width: 400, height: 250 }));
  assert.match(svg, /<svg/);
  const coloured = [...svg.matchAll(/aria-label="value: (\d+)/g)].map((m) => Number(m[1])).sort();
  assert.deepEqual(coloured, [3, 9], "Ohio and California are coloured; an unknown code colours nothing");
});

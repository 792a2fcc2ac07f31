/** The notebook's two pictures as specs: traffic over the daily curve, and the conversion map telling no data apart from 0%. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { conversionMapSpec, NO_DATA_COLOR, trafficChartSpec } from "../../../scenarios/web-logs/scenario";

type Layer = { data: { values: Record<string, unknown>[] }; encoding: Record<string, Record<string, unknown>>; mark: Record<string, unknown> };

test("trafficChartSpec: stacked bars per hour, and the generator's curve over the whole day, at the middle of each hour", () => {
  const rows = [{ hour: "2021-03-26 10:00", sub_cat: "clearance", events: 30 }, { hour: "2021-03-26 10:00", sub_cat: "mens-wear", events: 70 }, { hour: "2021-03-26 11:00", sub_cat: "clearance", events: 40 }];
  const spec = trafficChartSpec(rows, { eventsPerHour: 800 });
  const [bars, curve] = spec.layer as Layer[];
  assert.deepEqual(bars.data.values.map((v) => v.time), ["2021-03-26T10:00:00Z", "2021-03-26T10:00:00Z", "2021-03-26T11:00:00Z"]);
  assert.equal(bars.encoding.y.stack, "zero");
  assert.equal(curve.data.values.length, 24, "every hour of the day the run touches");
  // by hand: 800 x (1 + 0.6 sin(2 pi (h - 14) / 24)): 08:00 -> 800 x 0.4 = 320, 20:00 -> 800 x 1.6 = 1280, 10:00 -> 800 x (1 - 0.6 x 0.866) = 384
  const at = (h: number) => curve.data.values.find((v) => v.time === `2021-03-26T${String(h).padStart(2, "0")}:30:00.000Z`)?.expected;
  assert.deepEqual([at(8), at(20), at(10)], [320, 1280, 384]);
  assert.equal((trafficChartSpec(rows).layer as Layer[]).length, 1, "no curve for logs the generator did not make");
});

test("conversionMapSpec: states without events in grey with a legend entry of their own; the blues start at 0%", () => {
  const spec = conversionMapSpec([{ state: "Ohio", fips: 39, conversion: 0 }, { state: "Texas", fips: 48, conversion: 12.5 }]);
  const [background, states] = spec.layer as Layer[];
  assert.deepEqual(background.encoding.color.scale, { domain: ["no events (no data)"], range: [NO_DATA_COLOR] });
  assert.equal(background.mark.fill, undefined, "the colour comes from the encoding, so the legend shows it");
  assert.deepEqual((states.encoding.color.scale as Record<string, unknown>).domainMin, 0);
  assert.notEqual(((states.encoding.color.scale as Record<string, unknown>).range as string[])[0], NO_DATA_COLOR);
  assert.deepEqual(spec.resolve, { scale: { color: "independent" }, legend: { color: "independent" } });
});

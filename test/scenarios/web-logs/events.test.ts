import { test } from "node:test";
import assert from "node:assert/strict";
import { generateWebLogs } from "../../../scenarios/web-logs/generate";
import { parseLogLine, parseLogLineJson, scanLogLine } from "../../../scenarios/web-logs/events";

test("the scanner reads the site's own lines and leaves every other line to JSON.parse, with the same result", () => {
  const good = { date_time: "2021-03-26 14:02:11", state: "Ohio", ip_address: "10.2.3.4", category: "products", sub_cat: "mens-wear", type: "shoes", pid: 1532 };
  const line = (o: object) => JSON.stringify(o);
  const logs = generateWebLogs({ hours: 2, eventsPerHour: 400, seed: 5, malformedShare: 0.1 });
  const lines = [
    ...logs.lines.map((l) => l.line),
    line(good),
    line({ ...good, pid: null }),
    line({ ...good, pid: 1 }),
    line({ ...good, pid: 123456789012345 }),
    line({ ...good, pid: 1234567890123456 }),
    line({ ...good, pid: 0 }),
    line({ ...good, pid: -3 }),
    line({ ...good, pid: 1.5 }),
    line({ ...good, pid: "7" }),
    `${line(good).slice(0, -5)}1e3}`,
    `${line(good).slice(0, -5)}0012}`,
    `${line(good)} `,
    ` ${line(good)}`,
    line({ ...good, state: "" }),
    line({ ...good, state: "  " }),
    line({ ...good, state: "\u00a0" }),
    line({ ...good, state: " Ohio" }),
    line({ ...good, state: 'O"hio' }),
    line({ ...good, state: "O\\hio" }),
    line({ ...good, state: "Ohio\n" }),
    line({ ...good, state: "Ohi\u00f6 \u2028" }),
    line({ ...good, state: "Ohio, USA" }),
    line({ ...good, type: "" }),
    line({ ...good, date_time: "2021-03-26 14:02:60" }),
    line({ ...good, date_time: "2021-02-29 14:02:11" }),
    line({ ...good, date_time: 20210326 }),
    line({ state: good.state, date_time: good.date_time, ip_address: good.ip_address, category: good.category, sub_cat: good.sub_cat, type: good.type, pid: good.pid }),
    line({ ...good, extra: 1 }),
    `${line(good).slice(0, -1)},"state":"Texas"}`,
    line(good).replace('"state":"Ohio"', '"state":"Ohio","state":"Iowa"'),
    line(good).slice(0, 60),
    '{"date_time":"2021-03-26 14:02:11","state":"Ohio"',
    "{}",
    "null",
  ];
  let scanned = 0;
  for (const text of lines) {
    assert.deepEqual(parseLogLine(text), parseLogLineJson(text), text);
    if (scanLogLine(text) !== undefined) scanned++;
  }
  const generated = logs.lines.filter((l) => l.kind !== "malformed" && scanLogLine(l.line) !== undefined).length;
  assert.equal(generated, logs.truth.valid, "the scanner reads every valid line the generator writes");
  assert.ok(scanned < lines.length - logs.truth.malformed, "and leaves the others to JSON.parse");
  assert.equal(scanLogLine(`${line(good)} `), undefined, "a line in another shape goes to JSON.parse");
});

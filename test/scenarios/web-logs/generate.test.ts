import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { isWorkbookError } from "../../../lib/errors";
import { generateWebLogs, trafficCurve } from "../../../scenarios/web-logs/generate";
import { parseDateTime, parseLogLine } from "../../../scenarios/web-logs/events";
import { stateByName } from "../../../scenarios/web-logs/states";

test("the generator is seeded, in arrival order, and its ledger matches its lines", () => {
  const a = generateWebLogs({ hours: 4, eventsPerHour: 1000, seed: 3 });
  const b = generateWebLogs({ hours: 4, eventsPerHour: 1000, seed: 3 });
  assert.deepEqual(a.lines.map((l) => l.line), b.lines.map((l) => l.line));
  assert.notDeepEqual(generateWebLogs({ hours: 4, eventsPerHour: 1000, seed: 4 }).lines.map((l) => l.line), a.lines.map((l) => l.line));
  for (let i = 1; i < a.lines.length; i++) assert.ok(a.lines[i - 1].arrival <= a.lines[i].arrival);
  const parsed = a.lines.map((l) => parseLogLine(l.line));
  assert.equal(parsed.filter((p) => !p.ok).length, a.truth.malformed, "exactly the malformed lines fail to parse");
  const ok = parsed.flatMap((p) => (p.ok ? [p.value] : []));
  assert.equal(ok.filter((e) => !stateByName(e.state)).length, a.truth.unknownState);
  const counted = ok.filter((e) => stateByName(e.state));
  assert.equal(counted.filter((e) => e.pid === null).length, a.truth.visits);
  assert.equal(counted.filter((e) => e.pid !== null).length, a.truth.cartAdds);
  assert.ok(a.truth.late > 0 && a.truth.malformed > 0 && a.truth.unknownState > 0);
  for (const l of a.lines.filter((x) => x.kind === "late")) assert.ok(l.arrival - l.eventTime >= 60 * 60_000, "late events arrive at least an hour late");
});

test("traffic follows the daily curve and states their population", () => {
  assert.ok(trafficCurve(20) > 1.5 && trafficCurve(8) < 0.5);
  const day = generateWebLogs({ start: "2021-03-26T00:00:00Z", hours: 24, eventsPerHour: 500, seed: 1, malformedShare: 0, unknownStateShare: 0 });
  const byHour = new Array(24).fill(0) as number[];
  const byState = new Map<string, number>();
  for (const l of day.lines) {
    byHour[new Date(l.eventTime).getUTCHours()]++;
    const e = JSON.parse(l.line) as { state: string };
    byState.set(e.state, (byState.get(e.state) ?? 0) + 1);
  }
  assert.ok(byHour[20] > 3 * byHour[8], `20:00 (${byHour[20]}) is much busier than 08:00 (${byHour[8]})`);
  assert.ok((byState.get("California") ?? 0) > 10 * (byState.get("Wyoming") ?? 0));
});

test("the parser rejects each kind of malformed line with a reason", () => {
  const good = { date_time: "2021-03-26 14:02:11", state: "Ohio", ip_address: "10.2.3.4", category: "products", sub_cat: "mens-wear", type: "shoes", pid: 1532 };
  const r = parseLogLine(JSON.stringify(good));
  assert.ok(r.ok && r.value.time === Date.UTC(2021, 2, 26, 14, 2, 11) && r.value.pid === 1532);
  const visit = parseLogLine(JSON.stringify({ ...good, pid: null }));
  assert.ok(visit.ok && visit.value.pid === null);
  const cases: Array<[string, RegExp]> = [
    ['{"date_time":"2021-03-26 14:0', /not JSON/],
    ["[1,2]", /not a JSON object/],
    [JSON.stringify({ ...good, date_time: "2021-02-30 10:00:00" }), /is not "YYYY-MM-DD HH:MM:SS"/],
    [JSON.stringify({ ...good, state: "" }), /state is missing or empty/],
    [JSON.stringify({ ...good, pid: "n/a" }), /pid "n\/a" is neither null nor a positive integer/],
  ];
  for (const [line, reason] of cases) {
    const p = parseLogLine(line);
    assert.ok(!p.ok, line);
    assert.match(p.reason, reason);
  }
});

test("parseDateTime's shortcut for the previous line's minute agrees with the full check", () => {
  const full = (text: string): number => {
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
    if (!m) return NaN;
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    const b = new Date(t);
    return b.getUTCFullYear() === y && b.getUTCMonth() === mo - 1 && b.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? t : NaN;
  };
  // Each case follows a line of the same minute, so it takes the shortcut when it can.
  for (const tail of ["00", "07", "59", "60", "99", "5x", "x5", "-1", "5", "599", " 5", "05Z"]) {
    assert.equal(parseDateTime("2021-03-26 14:02:11"), Date.UTC(2021, 2, 26, 14, 2, 11));
    const text = `2021-03-26 14:02:${tail}`;
    assert.deepEqual(parseDateTime(text), full(text), text);
  }
  for (const text of ["2021-02-29 10:00:00", "2021-03-26 24:00:00", "2021-03-26 14:60:00", "2021-03-26T14:02:11", "2020-02-29 23:59:59", "2021-03-26 14:03:00"]) {
    assert.deepEqual(parseDateTime(text), full(text), text);
  }
  assert.ok(Number.isNaN(parseDateTime("2021-03-26 14:02:60")));
});

test("bad generator options are a clear WorkbookError", () => {
  assert.throws(() => generateWebLogs({ start: "2021-03-26T10:30:00Z" }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /start of an hour/.test(e.message));
  assert.throws(() => generateWebLogs({ lateShare: 0.9 }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /lateShare=0.9/.test(e.message));
});

test("data/web-logs/sample.jsonl is what the generator writes for its seed (original format, bad lines included)", () => {
  const file = path.join(projectRoot, "data", "web-logs", "sample.jsonl");
  const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
  const logs = generateWebLogs({ hours: 2, eventsPerHour: 150, seed: 42, lateShare: 0.05, malformedShare: 0.03, unknownStateShare: 0.01 });
  assert.deepEqual(lines, logs.lines.map((l) => l.line));
  assert.ok(lines.some((l) => !parseLogLine(l).ok), "the sample has malformed lines");
});

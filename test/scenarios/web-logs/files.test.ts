/**
 * Web logs from the user's own file (test/fixtures/user-files/web-logs.jsonl, 12 lines by hand). Worked out by hand:
 * - a blank line is skipped: 11 lines are sent;
 * - 3 are malformed (line 4 cut off, line 8 hour 25, line 11 pid "abc"): dead letters; 8 reach the lake;
 * - line 5 is in Ontario, not a US state: the rollup rejects it; 7 events are counted;
 * - line 10 (10:50, Texas) comes after 11:10 in the file: late, counted in its own hour 10;
 * - per hour and state (visits, cart additions): 10:00 Ohio 1+1 (lines 1, 2), 10:00 Texas 2+0 (3, 10),
 *   11:00 Ohio 1+1 (9, 12), 11:00 Texas 0+1 (6).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { WEB_LOGS_BY_HAND, WEB_LOGS_FILE } from "../user-files";
import { readWebLogFiles } from "../../../scenarios/web-logs/files";
import { runWebLogs } from "../../../scenarios/web-logs/pipeline";
import { hourlyCountsByState } from "../../../scenarios/web-logs/scenario";
import { tempDir, testBroker, testLake, testStore, testWarehouse } from "./helpers";

test("readWebLogFiles replays a web-log file in file order, each line arriving when the log reached its time", async () => {
  const logs = await readWebLogFiles(WEB_LOGS_FILE);
  assert.equal(logs.lines.length, 11);
  assert.deepEqual(logs.lines.map((l) => l.kind), ["ok", "ok", "ok", "malformed", "unknown_state", "ok", "malformed", "ok", "late", "malformed", "ok"]);
  const at = (hhmm: string) => Date.parse(`2021-03-26T${hhmm}:00Z`);
  assert.equal(logs.lines[8].eventTime, at("10:50"));
  assert.equal(logs.lines[8].arrival, at("11:10"), "the late line arrives when the log is at 11:10");
  assert.equal(logs.lines[3].arrival, at("10:30"), "a malformed line arrives with the line before it");
  assert.deepEqual([logs.start, logs.end], [at("10:00"), at("12:00")]);
  assert.deepEqual(logs.truth, { lines: 11, malformed: 3, unknownState: 1, late: 1, valid: 8, counted: 7, visits: 4, cartAdds: 3 });
});

test("readWebLogFiles reads a folder of files in path order, and says so when no line is an event", async (t) => {
  const dir = tempDir(t, "weblogs-files-");
  const lines = fs.readFileSync(WEB_LOGS_FILE, "utf8").split("\n");
  fs.writeFileSync(path.join(dir, "b.json"), lines.slice(6).join("\n"));
  fs.writeFileSync(path.join(dir, "a.json"), lines.slice(0, 6).join("\n"));
  const logs = await readWebLogFiles(dir);
  assert.deepEqual(logs.truth, (await readWebLogFiles(WEB_LOGS_FILE)).truth);
  const bad = path.join(dir, "bad");
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, "x.json"), "hello\n");
  await assert.rejects(readWebLogFiles(bad), (err: Error) => isWorkbookError(err, "INPUT_INVALID") && /1 line\(s\) and none is a web-log event \(line 1 of x\.json: not JSON/.test(err.message));
});

test("runWebLogs on the user's file: dead letters, lake rows and the hourly counts per state are the ones worked out by hand", { timeout: 120_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const { lake } = await testLake(t);
  const wh = await testWarehouse(t);
  const store = await testStore(t);
  const r = await runWebLogs({ kafka, lake, warehouse: wh, store, logs: await readWebLogFiles(WEB_LOGS_FILE) });
  assert.equal(r.events, WEB_LOGS_BY_HAND.lines);
  assert.equal(r.rejected, WEB_LOGS_BY_HAND.deadLetters);
  assert.equal(r.ok, WEB_LOGS_BY_HAND.lakeRows);
  assert.equal(r.ok + r.rejected, r.events, "in = ok + rejected");
  assert.equal(r.hoursLoaded, WEB_LOGS_BY_HAND.hours);
  assert.deepEqual(await hourlyCountsByState(wh), WEB_LOGS_BY_HAND.byHourAndState);
  const rejected = await wh.query<{ state: string }>("SELECT state FROM weblogs_rejected");
  assert.deepEqual(rejected.rows.map((x) => x.state), ["Ontario"]);
  assert.equal(r.warehouseMatchesLake, true);
});

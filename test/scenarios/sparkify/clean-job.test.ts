import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { checkLines, writeCleanParquet } from "../../../scenarios/sparkify/clean-job";
import { parseEventLine } from "../../../scenarios/sparkify/events";
import { tempDir } from "../../helpers";

const good = { artist: "Line Renaud", auth: "Logged In", firstName: "Ava", gender: "F", itemInSession: 3, lastName: "Koch", length: 152.92036, level: "paid", location: "Chicago", method: "PUT", page: "NextSong", registration: 1540919166796.0, sessionId: 139, song: "Der Kleine Dompfaff", status: 200, ts: 1541106106796, userAgent: "Mozilla", userId: "8" };
const line = (over: Record<string, unknown>) => JSON.stringify({ ...good, ...over });

test("each bad line is rejected with its reason, line number and text; the valid lines become the same clean events in DuckDB as in TypeScript", { timeout: 60_000 }, async (t) => {
  const lines = [
    line({}),
    line({ page: "Home", song: null, artist: null, length: null }),
    line({ userId: "", auth: "Logged Out", firstName: null, page: "Login", song: null, artist: null, length: null, registration: null }),
    line({ userId: 42 }),
    "{\"artist\":\"cut",
    "[1,2,3]",
    line({ ts: "yesterday" }),
    line({ ts: 1541106106 }),
    line({ userId: "guest-7" }),
    line({ level: "gold" }),
    line({ sessionId: 1.5 }),
    line({ length: null }),
    line({ page: "" }),
    "",
    line({ ts: 1541106107796 }) + "\r",
  ];
  const checked = checkLines("2018-11-02-events.json", lines.join("\n") + "\n");
  assert.equal(checked.lines, lines.length);
  assert.equal(checked.lines, checked.valid.length + checked.rejected.length, "lines = ok + rejected");
  assert.deepEqual(checked.rejected.map((x) => [x.line_no, x.reason.startsWith("not JSON:") ? "not JSON" : x.reason]), [
    [5, "not JSON"],
    [6, "not an event object: a JSON array"],
    [7, "ts \"yesterday\" is not a time in milliseconds since 1970"],
    [8, "ts 1541106106 is not a time in milliseconds since 1970"],
    [9, "userId \"guest-7\" is not a user number or \"\" (logged out)"],
    [10, "level \"gold\" is not \"free\" or \"paid\""],
    [11, "sessionId 1.5 is not a whole number"],
    [12, "a NextSong event needs song, artist and length; got {\"song\":\"Der Kleine Dompfaff\",\"artist\":\"Line Renaud\",\"length\":null}"],
    [13, "page \"\" is not a page name"],
    [14, "empty line"],
  ]);
  assert.equal(checked.rejected[0].text, "{\"artist\":\"cut");

  const file = path.join(tempDir(t), "clean.parquet");
  await writeCleanParquet(checked.valid, file);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  t.after(() => { con.closeSync(); db.closeSync(); });
  const rows = (await con.runAndReadAll(`SELECT * REPLACE (strftime(start_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS start_time) FROM '${file}'`)).getRowObjectsJS();
  const expected = checked.valid.map((l) => { const p = parseEventLine(l); assert.ok(p.ok); return p.event; });
  assert.deepEqual(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]))), expected);
});

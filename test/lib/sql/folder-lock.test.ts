import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { lockFolder } from "../../../lib/sql/folder-lock";
import { tempDir } from "../../helpers";

test("a PGlite folder has one owner at a time; a second opener waits, then fails naming the owner", { timeout: 20_000 }, async (t) => {
  const dir = path.join(tempDir(t), "pglite");
  const first = await lockFolder(dir);
  await assert.rejects(lockFolder(dir, { timeoutMs: 300, pollMs: 50 }), (err) => isWorkbookError(err, "SQL_OPEN") && err.message.includes(String(process.pid)));
  const waiting = lockFolder(dir, { timeoutMs: 5_000, pollMs: 20 });
  setTimeout(() => first.release(), 100);
  const second = await waiting;
  assert.equal(fs.readFileSync(`${dir}.lock`, "utf8"), String(process.pid));
  second.release();
  assert.equal(fs.existsSync(`${dir}.lock`), false);
});

test("a lock left by a dead process is taken over", { timeout: 20_000 }, async (t) => {
  const dir = path.join(tempDir(t), "pglite");
  fs.writeFileSync(`${dir}.lock`, "2147483646");
  const lock = await lockFolder(dir, { timeoutMs: 1_000 });
  lock.release();
});

/**
 * One process at a time in a PGlite data folder: PGlite has no locking of its own, and two
 * processes writing one folder corrupt it (two notebooks of `workbook run-all`, or a notebook and
 * a `workbook dag run`). The lock is a file beside the folder holding the owner's pid; a second
 * opener waits for it (as DuckDB waits for its file lock) and takes it over when its owner is dead.
 */
import * as fs from "node:fs";
import { WorkbookError } from "../errors";
import { processAlive } from "../process";

export interface FolderLock {
  release(): void;
}

/** Takes the lock of `dir` (the file `<dir>.lock`), waiting up to `timeoutMs` for its owner to release it. */
export async function lockFolder(dir: string, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<FolderLock> {
  const file = `${dir}.lock`;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const started = Date.now();
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(fs.readFileSync(file, "utf8").trim());
    if (!Number.isInteger(owner) || owner <= 0 || (!processAlive(owner) && owner !== process.pid)) {
      fs.rmSync(file, { force: true }); // a dead owner's lock
      continue;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new WorkbookError("SQL_OPEN", `The PGlite folder ${JSON.stringify(dir)} is in use by process ${owner}${owner === process.pid ? " (this one: close the other database first)" : ""}; waited ${Math.round(timeoutMs / 1000)} s. Stop that process, or set WORKBOOK_HOME (or DATABASE_URL) to use another database.`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}

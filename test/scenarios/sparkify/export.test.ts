import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { openLake } from "../../../lib/lake";
import { openWarehouse } from "../../../lib/warehouse";
import { writeStarToLake } from "../../../scenarios/sparkify/export";
import { tempDir } from "../../helpers";

test("writeStarToLake exports whole months only: part of a month would replace the month's partitions with part of its rows", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const lake = await openLake({ root: path.join(dir, "lake") });
  t.after(() => lake.close());
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  for (const interval of [
    { start: "2018-11-01T00:00:00.000Z", end: "2018-11-15T00:00:00.000Z" },
    { start: "2018-11-01T06:00:00.000Z", end: "2018-12-01T00:00:00.000Z" },
    { start: "2018-12-01T00:00:00.000Z", end: "2018-11-01T00:00:00.000Z" },
  ]) {
    await assert.rejects(writeStarToLake(wh, lake, "star", interval), (err: Error) =>
      isWorkbookError(err, "INPUT_INVALID") && /whole calendar months/.test(err.message) && err.message.includes(interval.start), interval.end);
  }
  assert.equal(fs.existsSync(path.join(dir, "lake", "star")), false, "nothing was written");
});

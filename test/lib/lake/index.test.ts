import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isWorkbookError } from "../../../lib/errors";
import { openLake, partFileName, type Lake } from "../../../lib/lake";
import { startGcsStandIn } from "../../cloud/gcs-stand-in";
import { tempDir } from "../../helpers";

async function bothLakes(t: TestContext): Promise<Lake[]> {
  const gcs = await startGcsStandIn({ pageSize: 3 });
  t.after(() => gcs.close());
  const local = await openLake({ root: path.join(tempDir(t, "lake-index-"), "lake") });
  const cloud = await openLake({ root: "gs://lake-bucket/lake", storage: { apiEndpoint: gcs.endpoint, projectId: "test-project" } });
  t.after(() => Promise.all([local.close(), cloud.close()]));
  return [local, cloud];
}

/** One run of a small pipeline: land raw files, re-run a partition, compact, clean up. */
async function pipeline(lake: Lake, scratch: string): Promise<void> {
  const part = (p: number, first: number, last: number) => partFileName({ topic: "logs", partition: p, firstOffset: first, lastOffset: last, ext: "json" });
  await lake.replacePartition("web_logs", { dt: "2021-03-26", hour: 14 }, [{ name: part(0, 0, 9), data: "a\n" }, { name: part(1, 0, 4), data: "b\n" }]);
  await lake.replacePartition("web_logs", { dt: "2021-03-26", hour: 15 }, [{ name: part(0, 10, 19), data: "c\n" }]);
  await lake.replacePartition("web_logs", { dt: "2021-03-26", hour: 14 }, [{ name: part(0, 0, 9), data: "a2\n" }]); // a re-run
  await lake.writeFile(`web_logs/dt=2021-03-26/hour=15/${part(0, 10, 19)}`, "c2\n"); // a crashed run's file, rewritten
  await lake.writeFile("web_logs/dt=2021-03-27/hour=00/tmp.json", "gone soon");
  await lake.deletePartition("web_logs", { dt: "2021-03-27" });
  fs.writeFileSync(path.join(scratch, "daily.parquet"), Buffer.alloc(5_000, 1));
  await lake.upload("daily/dt=2021-03-26/part-0.parquet", path.join(scratch, "daily.parquet"));
  await lake.writeFile("web_logs_old/x.json", "x");
  await lake.delete("web_logs_old/x.json");
  await lake.writeFile("web_logs/dt=2021-03-26/hour=16/q=a%2Fb/part-0.json", "escaped");
}

test("the same lake operations give the same listing on a local folder and on Cloud Storage", { timeout: 30_000 }, async (t) => {
  const lakes = await bothLakes(t);
  assert.deepEqual(lakes.map((l) => l.kind), ["local", "gcs"]);
  const scratch = tempDir(t);
  for (const lake of lakes) await pipeline(lake, scratch);
  const [local, cloud] = await Promise.all(lakes.map((l) => l.list()));
  assert.deepEqual(cloud, local);
  assert.deepEqual(local.map((f) => f.path), [
    "daily/dt=2021-03-26/part-0.parquet",
    "web_logs/dt=2021-03-26/hour=14/part-logs-00000-0000000000000000000-0000000000000000009.json",
    "web_logs/dt=2021-03-26/hour=15/part-logs-00000-0000000000000000010-0000000000000000019.json",
    "web_logs/dt=2021-03-26/hour=16/q=a%2Fb/part-0.json",
  ]);
  assert.deepEqual(local[3].partition, { dt: "2021-03-26", hour: "16", q: "a/b" });
  const [localParts, cloudParts] = await Promise.all(lakes.map((l) => l.partitions("web_logs")));
  assert.deepEqual(cloudParts, localParts);
  assert.equal(localParts.length, 3);
  for (const lake of lakes) assert.equal((await lake.readFile(local[2].path)).toString(), "c2\n");
});

test("openLake picks the backend from the root, and the root from LAKE by default", { timeout: 10_000 }, async (t) => {
  const dir = tempDir(t);
  const saved = process.env.LAKE;
  t.after(() => { if (saved === undefined) delete process.env.LAKE; else process.env.LAKE = saved; });
  process.env.LAKE = path.join(dir, "from-env");
  const lake = await openLake();
  t.after(() => lake.close());
  assert.equal(lake.kind, "local");
  assert.equal(lake.root, path.join(dir, "from-env"));
  assert.ok(fs.statSync(lake.root).isDirectory());
  assert.equal(lake.localPath("a/b.json"), path.join(dir, "from-env", "a", "b.json"));

  process.env.LAKE = "gs://some-bucket/some/prefix/";
  const cloud = await openLake({ storage: { apiEndpoint: "http://127.0.0.1:9" } });
  t.after(() => cloud.close());
  assert.equal(cloud.kind, "gcs");
  assert.equal(cloud.root, "gs://some-bucket/some/prefix");
  assert.equal(cloud.localPath("a"), undefined);

  await assert.rejects(openLake({ root: "s3://bucket/x" }), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID") && /"s3:\/\/bucket\/x" uses a scheme/.test(err.message));
  await assert.rejects(openLake({ root: "" }), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID"));
});

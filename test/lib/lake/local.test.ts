import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isWorkbookError } from "../../../lib/errors";
import { LocalLake } from "../../../lib/lake/local";
import { partFileName } from "../../../lib/lake/paths";
import { tempDir } from "../../helpers";

/** Every file under `dir`, hidden ones included, relative and sorted. */
function allFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => fs.statSync(path.join(dir, p)).isFile()).map((p) => p.split(path.sep).join("/")).sort();
}

async function lakeIn(t: Parameters<typeof tempDir>[0]): Promise<LocalLake> {
  const lake = await LocalLake.create(path.join(tempDir(t, "lake-local-"), "lake"));
  t.after(() => lake.close());
  return lake;
}

test("a local lake writes files atomically and leaves no temporary files", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  assert.equal(lake.kind, "local");
  const file = await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-0.json", '{"a":1}\n');
  assert.deepEqual(file, { path: "web_logs/dt=2021-03-26/hour=14/part-0.json", size: 8, partition: { dt: "2021-03-26", hour: "14" } });
  await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-0.json", Buffer.from('{"a":2}\n'));
  assert.equal((await lake.readFile("web_logs/dt=2021-03-26/hour=14/part-0.json")).toString(), '{"a":2}\n');
  assert.deepEqual(allFiles(lake.root), ["web_logs/dt=2021-03-26/hour=14/part-0.json"]);
  assert.equal(lake.uri("web_logs/dt=2021-03-26"), path.join(lake.root, "web_logs", "dt=2021-03-26"));
  assert.equal(lake.localPath("web_logs"), path.join(lake.root, "web_logs"));
  assert.equal(lake.uri(), lake.root);
  assert.equal(await lake.exists("web_logs/dt=2021-03-26/hour=14/part-0.json"), true);
  assert.equal(await lake.exists("web_logs/dt=2021-03-26"), false, "a folder is not a file");
});

test("a failed local write leaves nothing behind and says why", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  await lake.writeFile("web_logs/dt=2021-03-26", "a file where a folder should be");
  await assert.rejects(lake.writeFile("web_logs/dt=2021-03-26/part-0.json", "{}"), (err: unknown) =>
    isWorkbookError(err, "LAKE_WRITE_FAILED") && err.message.includes(path.join(lake.root, "web_logs", "dt=2021-03-26", "part-0.json")) && /Nothing was written/.test(err.message));
  // Renaming onto a folder fails too; the temporary file is removed.
  await lake.writeFile("events/x/part-0.json", "{}");
  await assert.rejects(lake.writeFile("events/x", "not a folder"), (err: unknown) => isWorkbookError(err, "LAKE_WRITE_FAILED"));
  assert.deepEqual(allFiles(lake.root), ["events/x/part-0.json", "web_logs/dt=2021-03-26"]);
});

test("a local upload copies a file atomically, and a missing local file is a clear error", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  const source = path.join(tempDir(t), "big.parquet");
  fs.writeFileSync(source, Buffer.alloc(300_000, 7));
  assert.deepEqual(await lake.upload("trips/dt=2021-03-26/part-0.parquet", source), { path: "trips/dt=2021-03-26/part-0.parquet", size: 300_000, partition: { dt: "2021-03-26" } });
  assert.deepEqual(await lake.readFile("trips/dt=2021-03-26/part-0.parquet"), fs.readFileSync(source));
  await assert.rejects(lake.upload("trips/x.parquet", path.join(lake.root, "nope.parquet")), (err: unknown) =>
    isWorkbookError(err, "LAKE_WRITE_FAILED") && /nope\.parquet is not a file; check the local path/.test(err.message));
  assert.deepEqual(allFiles(lake.root), ["trips/dt=2021-03-26/part-0.parquet"]);
});

test("a local lake lists every file under a prefix, sorted, with partitions parsed, hiding temporary files", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  await lake.writeFile("web_logs/dt=2021-03-27/hour=01/part-1.json", "bb");
  await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-0.json", "a");
  await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-1.json", "ccc");
  await lake.writeFile("web_logs/_SUCCESS", "");
  await lake.writeFile("web_logs_old/dt=2020-01-01/part-0.json", "old");
  fs.writeFileSync(path.join(lake.root, "web_logs", ".part-9.json.abc.tmp"), "in flight");

  const files = await lake.list("web_logs");
  assert.deepEqual(files, [
    { path: "web_logs/_SUCCESS", size: 0, partition: {} },
    { path: "web_logs/dt=2021-03-26/hour=14/part-0.json", size: 1, partition: { dt: "2021-03-26", hour: "14" } },
    { path: "web_logs/dt=2021-03-26/hour=14/part-1.json", size: 3, partition: { dt: "2021-03-26", hour: "14" } },
    { path: "web_logs/dt=2021-03-27/hour=01/part-1.json", size: 2, partition: { dt: "2021-03-27", hour: "01" } },
  ]);
  assert.equal((await lake.list()).length, 5);
  assert.deepEqual(await lake.list("nothing/here"), []);

  const partitions = await lake.partitions("web_logs");
  assert.deepEqual(partitions.map((p) => [p.path, p.values, p.files.map((f) => f.path)]), [
    ["web_logs/dt=2021-03-26/hour=14", { dt: "2021-03-26", hour: "14" }, ["web_logs/dt=2021-03-26/hour=14/part-0.json", "web_logs/dt=2021-03-26/hour=14/part-1.json"]],
    ["web_logs/dt=2021-03-27/hour=01", { dt: "2021-03-27", hour: "01" }, ["web_logs/dt=2021-03-27/hour=01/part-1.json"]],
  ]);
});

test("replacePartition on a local lake replaces the partition's files and leaves the others alone", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  await lake.replacePartition("web_logs", { dt: "2021-03-26" }, [{ name: "part-0.json", data: "old0" }, { name: "part-1.json", data: "old1" }]);
  await lake.replacePartition("web_logs", { dt: "2021-03-27" }, [{ name: "part-0.json", data: "other day" }]);
  const replaced = await lake.replacePartition("web_logs", { dt: "2021-03-26" }, [{ name: "part-1.json", data: "new1" }, { name: "part-2.json", data: "new2" }]);
  assert.deepEqual(replaced, {
    path: "web_logs/dt=2021-03-26", values: { dt: "2021-03-26" },
    files: [
      { path: "web_logs/dt=2021-03-26/part-1.json", size: 4, partition: { dt: "2021-03-26" } },
      { path: "web_logs/dt=2021-03-26/part-2.json", size: 4, partition: { dt: "2021-03-26" } },
    ],
  });
  assert.deepEqual(allFiles(lake.root), ["web_logs/dt=2021-03-26/part-1.json", "web_logs/dt=2021-03-26/part-2.json", "web_logs/dt=2021-03-27/part-0.json"]);
  assert.equal((await lake.readFile("web_logs/dt=2021-03-26/part-1.json")).toString(), "new1");
  await assert.rejects(lake.replacePartition("web_logs", { dt: "x" }, [{ name: "a.json", data: "" }, { name: "a.json", data: "" }]), (err: unknown) =>
    isWorkbookError(err, "LAKE_PATH_INVALID") && /"a\.json" twice/.test(err.message));
});

test("re-writing a file named by partFileName for the same offsets overwrites it instead of adding a duplicate", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  const write = (data: string) => lake.writeFile(`clicks/dt=2021-03-26/${partFileName({ topic: "clicks", partition: 2, firstOffset: 0, lastOffset: 99, ext: "json" })}`, data);
  await write("first attempt, crashed before commit");
  await write("re-run");
  const files = await lake.list("clicks");
  assert.deepEqual(files.map((f) => f.path), ["clicks/dt=2021-03-26/part-clicks-00002-0000000000000000000-0000000000000000099.json"]);
  assert.equal((await lake.readFile(files[0].path)).toString(), "re-run");
});

test("deletePartition and delete on a local lake remove files and say how many", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-0.json", "a");
  await lake.writeFile("web_logs/dt=2021-03-26/hour=15/part-0.json", "b");
  await lake.writeFile("web_logs/dt=2021-03-27/hour=00/part-0.json", "c");
  assert.equal(await lake.deletePartition("web_logs", { dt: "2021-03-26" }), 2);
  assert.equal(fs.existsSync(path.join(lake.root, "web_logs", "dt=2021-03-26")), false);
  assert.equal(await lake.deletePartition("web_logs", { dt: "2021-03-26" }), 0);
  assert.equal(await lake.delete("web_logs/dt=2021-03-27/hour=00/part-0.json"), true);
  assert.equal(await lake.delete("web_logs/dt=2021-03-27/hour=00/part-0.json"), false);
  assert.deepEqual(await lake.list(), []);
});

test("a local lake names the missing file when reading it, and rejects invalid paths before touching the disk", { timeout: 10_000 }, async (t) => {
  const lake = await lakeIn(t);
  await assert.rejects(lake.readFile("web_logs/missing.json"), (err: unknown) =>
    isWorkbookError(err, "LAKE_NOT_FOUND") && err.message.includes(path.join(lake.root, "web_logs", "missing.json")));
  for (const bad of ["../escape.json", "/abs.json", "a//b.json", "a\\b.json"]) {
    await assert.rejects(lake.writeFile(bad, "x"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID") && err.message.includes(JSON.stringify(bad)));
  }
  assert.throws(() => lake.uri("../x"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID"));
  await assert.rejects(lake.list("../"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID"));
  assert.deepEqual(allFiles(path.dirname(lake.root)), []);
});

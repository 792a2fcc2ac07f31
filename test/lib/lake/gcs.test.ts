// Contract test: the real @google-cloud/storage client against the local stand-in of the JSON API.
// As in the Dataproc tests, the client gets only the stand-in's apiEndpoint: with a custom endpoint
// it sends no credentials, so nothing is faked but the service.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isWorkbookError } from "../../../lib/errors";
import { GcsLake, parseGcsRoot } from "../../../lib/lake/gcs";
import { partFileName } from "../../../lib/lake/paths";
import { startGcsStandIn, type GcsStandIn } from "../../cloud/gcs-stand-in";
import { tempDir } from "../../helpers";

async function gcsLake(t: TestContext, root = "gs://lake-bucket/team/lake"): Promise<{ gcs: GcsStandIn; lake: GcsLake }> {
  const gcs = await startGcsStandIn({ pageSize: 2 });
  t.after(() => gcs.close());
  // One quick retry (the client waits about a second before it).
  const lake = await GcsLake.create(root, { apiEndpoint: gcs.endpoint, projectId: "test-project", retryOptions: { maxRetries: 1 } });
  t.after(() => lake.close());
  return { gcs, lake };
}

test("a GCS lake writes objects under its prefix with one multipart upload each, and reads them back", { timeout: 20_000 }, async (t) => {
  const { gcs, lake } = await gcsLake(t);
  assert.equal(lake.kind, "gcs");
  assert.equal(lake.root, "gs://lake-bucket/team/lake");
  assert.equal(lake.uri("web_logs/dt=2021-03-26/part-0.json"), "gs://lake-bucket/team/lake/web_logs/dt=2021-03-26/part-0.json");
  assert.equal(lake.localPath(), undefined);
  const file = await lake.writeFile("web_logs/dt=2021-03-26/hour=14/part-0.json", '{"a":1}\n');
  assert.deepEqual(file, { path: "web_logs/dt=2021-03-26/hour=14/part-0.json", size: 8, partition: { dt: "2021-03-26", hour: "14" } });
  assert.deepEqual(gcs.objects.get("lake-bucket/team/lake/web_logs/dt=2021-03-26/hour=14/part-0.json"), Buffer.from('{"a":1}\n'));
  const uploads = gcs.requests.filter((r) => r.method === "POST");
  assert.equal(uploads.length, 1);
  assert.match(uploads[0].search, /uploadType=multipart/);
  assert.equal((await lake.readFile("web_logs/dt=2021-03-26/hour=14/part-0.json")).toString(), '{"a":1}\n');
  assert.equal(await lake.exists("web_logs/dt=2021-03-26/hour=14/part-0.json"), true);
  assert.equal(await lake.exists("web_logs/dt=2021-03-26/hour=14/part-9.json"), false);
});

test("a GCS lake lists every object under a prefix across pages, sorted, with partitions parsed", { timeout: 20_000 }, async (t) => {
  const { gcs, lake } = await gcsLake(t);
  for (const [p, data] of [["web_logs/dt=2021-03-27/hour=01/part-1.json", "bb"], ["web_logs/dt=2021-03-26/hour=14/part-0.json", "a"], ["web_logs/dt=2021-03-26/hour=14/part-1.json", "ccc"], ["web_logs/_SUCCESS", ""], ["web_logs_old/dt=2020-01-01/part-0.json", "old"]]) {
    await lake.writeFile(p, data);
  }
  gcs.objects.set("other-bucket/team/lake/web_logs/x.json", Buffer.from("not ours"));
  gcs.objects.set("lake-bucket/team/lake/web_logs/", Buffer.alloc(0)); // a console "folder"
  gcs.requests.length = 0;

  const files = await lake.list("web_logs");
  assert.deepEqual(files, [
    { path: "web_logs/_SUCCESS", size: 0, partition: {} },
    { path: "web_logs/dt=2021-03-26/hour=14/part-0.json", size: 1, partition: { dt: "2021-03-26", hour: "14" } },
    { path: "web_logs/dt=2021-03-26/hour=14/part-1.json", size: 3, partition: { dt: "2021-03-26", hour: "14" } },
    { path: "web_logs/dt=2021-03-27/hour=01/part-1.json", size: 2, partition: { dt: "2021-03-27", hour: "01" } },
  ]);
  const lists = gcs.requests.filter((r) => r.method === "GET" && r.path === "/storage/v1/b/lake-bucket/o");
  assert.equal(lists.length, 3, "five objects at two a page: three pages");
  assert.match(lists[0].search, /prefix=team%2Flake%2Fweb_logs%2F/);
  assert.match(lists[1].search, /pageToken=/);
  assert.equal((await lake.list()).length, 5);
  assert.deepEqual(await lake.list("nothing/here"), []);
  assert.deepEqual((await lake.partitions("web_logs")).map((p) => [p.path, p.values, p.files.length]), [
    ["web_logs/dt=2021-03-26/hour=14", { dt: "2021-03-26", hour: "14" }, 2],
    ["web_logs/dt=2021-03-27/hour=01", { dt: "2021-03-27", hour: "01" }, 1],
  ]);
});

test("replacePartition, deletePartition and delete on a GCS lake", { timeout: 20_000 }, async (t) => {
  const { gcs, lake } = await gcsLake(t, "gs://lake-bucket");
  assert.equal(lake.root, "gs://lake-bucket");
  await lake.replacePartition("web_logs", { dt: "2021-03-26" }, [{ name: "part-0.json", data: "old0" }, { name: "part-1.json", data: "old1" }, { name: "part-2.json", data: "old2" }]);
  await lake.replacePartition("web_logs", { dt: "2021-03-27" }, [{ name: "part-0.json", data: "other day" }]);
  const replaced = await lake.replacePartition("web_logs", { dt: "2021-03-26" }, [{ name: "part-1.json", data: "new1" }]);
  assert.deepEqual(replaced.files.map((f) => f.path), ["web_logs/dt=2021-03-26/part-1.json"]);
  assert.deepEqual([...gcs.objects.keys()].sort(), ["lake-bucket/web_logs/dt=2021-03-26/part-1.json", "lake-bucket/web_logs/dt=2021-03-27/part-0.json"]);
  assert.equal(gcs.objects.get("lake-bucket/web_logs/dt=2021-03-26/part-1.json")!.toString(), "new1");

  assert.equal(await lake.deletePartition("web_logs", { dt: "2021-03-27" }), 1);
  assert.equal(await lake.delete("web_logs/dt=2021-03-26/part-1.json"), true);
  assert.equal(await lake.delete("web_logs/dt=2021-03-26/part-1.json"), false, "the stand-in answers 404 and the lake says there was nothing");
  assert.ok(gcs.requests.some((r) => r.method === "DELETE"));
  assert.equal(gcs.objects.size, 0);
});

test("a GCS lake uploads a local file, and re-writing a partFileName file for the same offsets overwrites it", { timeout: 20_000 }, async (t) => {
  const { gcs, lake } = await gcsLake(t);
  const source = path.join(tempDir(t), "big.parquet");
  fs.writeFileSync(source, Buffer.alloc(300_000, 7));
  assert.equal((await lake.upload("trips/dt=2021-03-26/part-0.parquet", source)).size, 300_000);
  assert.deepEqual(await lake.readFile("trips/dt=2021-03-26/part-0.parquet"), fs.readFileSync(source));
  await assert.rejects(lake.upload("trips/x.parquet", `${source}.missing`), (err: unknown) => isWorkbookError(err, "LAKE_WRITE_FAILED") && /is not a file/.test(err.message));

  const name = `clicks/dt=2021-03-26/${partFileName({ topic: "clicks", partition: 2, firstOffset: 0, lastOffset: 99, ext: "json" })}`;
  await lake.writeFile(name, "first attempt");
  await lake.writeFile(name, "re-run");
  assert.deepEqual((await lake.list("clicks")).map((f) => f.path), [name]);
  assert.equal(gcs.objects.get(`lake-bucket/team/lake/${name}`)!.toString(), "re-run");
});

test("a failed GCS upload leaves no object and rejects with a clear error; one failure is retried", { timeout: 30_000 }, async (t) => {
  const { gcs, lake } = await gcsLake(t);
  const p = "web_logs/dt=2021-03-26/part-0.json";

  const posts = () => gcs.requests.filter((r) => r.method === "POST").length;
  gcs.failUploads(2, "503"); // the first try and its one retry
  await assert.rejects(lake.writeFile(p, "x".repeat(10_000)), (err: unknown) =>
    isWorkbookError(err, "LAKE_WRITE_FAILED") && err.message.startsWith(`could not write gs://lake-bucket/team/lake/${p}:`) && /Nothing was written/.test(err.message));
  assert.equal(posts(), 2, "the client retried the upload once");
  assert.equal(gcs.objects.size, 0);
  assert.equal(await lake.exists(p), false);

  gcs.failUploads(2, "disconnect");
  await assert.rejects(lake.writeFile(p, "y".repeat(100_000)), (err: unknown) => isWorkbookError(err, "LAKE_WRITE_FAILED") && /ECONNRESET/.test(err.message));
  assert.equal(posts(), 4);
  assert.equal(gcs.objects.size, 0);

  gcs.failUploads(1, "503"); // one failure: the retry (safe: a whole object under the same name) succeeds
  await lake.writeFile(p, "z");
  assert.equal(gcs.objects.get(`lake-bucket/team/lake/${p}`)!.toString(), "z");
});

test("a GCS lake names the missing object when reading it, and rejects invalid roots and paths", { timeout: 20_000 }, async (t) => {
  const { lake } = await gcsLake(t);
  await assert.rejects(lake.readFile("web_logs/missing.json"), (err: unknown) =>
    isWorkbookError(err, "LAKE_NOT_FOUND") && err.message.startsWith("gs://lake-bucket/team/lake/web_logs/missing.json does not exist in the lake"));
  await assert.rejects(lake.writeFile("../x.json", "x"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID"));
  assert.deepEqual(parseGcsRoot("gs://bucket/a/b/"), { bucket: "bucket", prefix: "a/b" });
  assert.throws(() => parseGcsRoot("gs://Bad_Bucket"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID") && /"gs:\/\/Bad_Bucket" is not a Cloud Storage location/.test(err.message));
  assert.throws(() => parseGcsRoot("gs://bucket/a/../b"), (err: unknown) => isWorkbookError(err, "LAKE_PATH_INVALID"));
});

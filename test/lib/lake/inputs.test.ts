import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { inputLines, readInputFiles } from "../../../lib/lake/inputs";
import { startGcsStandIn } from "../../cloud/gcs-stand-in";
import { tempDir } from "../../helpers";

test("readInputFiles reads one file, or a folder's files recursively in path order without hidden ones, and inputLines numbers their non-blank lines", async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, "logs", "2021", "03"), { recursive: true });
  fs.writeFileSync(path.join(dir, "logs", "b.json"), "b1\r\n\nb3\n");
  fs.writeFileSync(path.join(dir, "logs", "2021", "03", "a.json"), "a1\n");
  fs.writeFileSync(path.join(dir, "logs", ".DS_Store"), "junk");
  fs.writeFileSync(path.join(dir, "logs", "notes.txt"), "n1\n");
  const all = await readInputFiles(path.join(dir, "logs"));
  assert.deepEqual(all.map((f) => f.name), ["2021/03/a.json", "b.json", "notes.txt"]);
  assert.deepEqual(inputLines(all), [{ file: "2021/03/a.json", lineNo: 1, line: "a1" }, { file: "b.json", lineNo: 1, line: "b1" }, { file: "b.json", lineNo: 3, line: "b3" }, { file: "notes.txt", lineNo: 1, line: "n1" }]);
  const json = await readInputFiles(path.join(dir, "logs"), { match: (n) => n.endsWith(".json") });
  assert.deepEqual(json.map((f) => f.name), ["2021/03/a.json", "b.json"]);
  const one = await readInputFiles(path.join(dir, "logs", "b.json"));
  assert.deepEqual(one.map((f) => [f.name, f.uri]), [["b.json", path.join(dir, "logs", "b.json")]]);
  await assert.rejects(readInputFiles(path.join(dir, "nowhere"), { what: "web-log JSON lines" }), (err: Error) => isWorkbookError(err, "INPUT_MISSING") && /nowhere" does not exist; give a file or a folder of web-log JSON lines/.test(err.message));
  await assert.rejects(readInputFiles(path.join(dir, "logs"), { match: (n) => n.endsWith(".csv"), what: "CSV files" }), (err: Error) => isWorkbookError(err, "INPUT_MISSING") && /found no CSV files at .*\(3 other file\(s\) there, e\.g\. 2021\/03\/a\.json\)/.test(err.message));
});

test("readInputFiles reads a gs:// object, or every object under a gs:// prefix (the GCS stand-in)", async (t) => {
  const gcs = await startGcsStandIn();
  t.after(() => gcs.close());
  gcs.objects.set("user-bucket/exports/tweets/part-0.jsonl", Buffer.from("x\n"));
  gcs.objects.set("user-bucket/exports/tweets/part-1.jsonl", Buffer.from("y\nz\n"));
  gcs.objects.set("user-bucket/exports/other.jsonl", Buffer.from("no\n"));
  const storage = { apiEndpoint: gcs.endpoint, projectId: "test-project" };
  const folder = await readInputFiles("gs://user-bucket/exports/tweets", { storage });
  assert.deepEqual(folder.map((f) => [f.name, f.uri, f.text]), [["part-0.jsonl", "gs://user-bucket/exports/tweets/part-0.jsonl", "x\n"], ["part-1.jsonl", "gs://user-bucket/exports/tweets/part-1.jsonl", "y\nz\n"]]);
  const file = await readInputFiles("gs://user-bucket/exports/other.jsonl", { storage });
  assert.deepEqual(file.map((f) => [f.name, f.text]), [["other.jsonl", "no\n"]]);
  await assert.rejects(readInputFiles("gs://user-bucket/missing/", { storage }), (err: Error) => isWorkbookError(err, "INPUT_MISSING") && /found no files at "gs:\/\/user-bucket\/missing\/"/.test(err.message));
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { encodeParams } from "../../../lib/jobs/job";
import { ENTRYPOINT } from "../../../lib/jobs/local";
import { imageFormat } from "../../../scenarios/image-kmeans/job";
import { sampleImages } from "../../../scenarios/image-kmeans/samples";
import { IMAGE_JOB } from "../../../scenarios/image-kmeans/scenario";

test("the image job runs through the pipe entrypoint: JSON lines in, rows and rejections out", async () => {
  const [a, b] = sampleImages();
  const input = [{ uri: a }, { uri: "/no/such/image.png" }, { uri: b }].map((r) => JSON.stringify(r)).join("\n") + "\n";
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [ENTRYPOINT, IMAGE_JOB, encodeParams({ k: 3, resize: 50 })]);
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => { out += c.toString(); });
    child.stderr.on("data", (c: Buffer) => { err += c.toString(); });
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.end(input);
  });
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.ok), [true, false, true]);
  assert.equal(lines[0].output.uri, a);
  assert.equal(lines[0].output.k, 3);
  assert.ok(lines[0].output.colours.length <= 3);
  assert.match(lines[1].error, /^missing file: \/no\/such\/image\.png does not exist/);
  assert.equal(lines[2].output.uri, b);
});

test("imageFormat recognises image files by their first bytes", () => {
  const [a] = sampleImages();
  assert.equal(imageFormat(fs.readFileSync(a)), "PNG");
  assert.equal(imageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), "JPEG");
  assert.equal(imageFormat(Buffer.from("GIF89a....")), "GIF");
  assert.equal(imageFormat(Buffer.from("RIFF\0\0\0\0WEBPVP8 ")), "WebP");
  assert.equal(imageFormat(Buffer.from("plain text")), undefined);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { dataCommand } from "../../../lib/cli/data";
import { dataImagesCommand } from "../../../scenarios/image-kmeans/cli";
import "../../../scenarios/image-kmeans/register";
import { makeSampleImages, sampleImages, sampleImagesWithFaults, samplePixels } from "../../../scenarios/image-kmeans/samples";
import { findImageColours } from "../../../scenarios/image-kmeans/scenario";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-samples-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("the committed sample images are the ones makeSampleImages makes with the default seed", async () => {
  const files = sampleImages();
  assert.equal(files.length, 12);
  for (const [i, file] of files.entries()) {
    assert.ok(fs.statSync(file).size < 8 * 1024, `${file} is small`);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [160, 120, 3]);
    assert.ok(data.equals(samplePixels(i, 7, 160, 120)), `${path.basename(file)} has the pixels of sample ${i}`);
  }
});

test("makeSampleImages makes the same images for the same seed and others for another seed", async (t) => {
  const dir = tempDir(t);
  const a = await makeSampleImages({ dir: path.join(dir, "a"), count: 3, seed: 5, width: 40, height: 30 });
  const b = await makeSampleImages({ dir: path.join(dir, "b"), count: 3, seed: 5, width: 40, height: 30 });
  const c = await makeSampleImages({ dir: path.join(dir, "c"), count: 3, seed: 6, width: 40, height: 30 });
  const pixels = (f: string) => sharp(f).raw().toBuffer();
  for (let i = 0; i < 3; i++) assert.ok((await pixels(a[i])).equals(await pixels(b[i])));
  assert.ok(!(await pixels(a[0])).equals(await pixels(c[0])));
  assert.deepEqual(a.map((f) => path.basename(f)), ["sample-001.png", "sample-002.png", "sample-003.png"]);
});

test("workbook data images --count N writes N images to the folder asked for", async (t) => {
  const dir = tempDir(t);
  const out: string[] = [];
  const code = await dataImagesCommand(["--count", "5", "--out", dir, "--width=32", "--height", "24"], (l) => out.push(l), (l) => out.push(l));
  assert.equal(code, 0);
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".png")).length, 5);
  assert.deepEqual(out, [`wrote 5 images to ${dir}`]);
  const meta = await sharp(path.join(dir, "sample-005.png")).metadata();
  assert.deepEqual([meta.width, meta.height], [32, 24]);
});

test("workbook data images refuses bad arguments with exit code 2 and the usage", async () => {
  const errors: string[] = [];
  assert.equal(await dataImagesCommand(["--count", "zero"], () => undefined, (l) => errors.push(l)), 2);
  assert.match(errors[0], /--count "zero" is not a positive integer/);
  assert.equal(await dataImagesCommand(["--colour", "red"], () => undefined, (l) => errors.push(l)), 2);
  assert.match(errors[1], /unknown argument "--colour"[\s\S]*usage: workbook data images/);
});

test("workbook data dispatches `images` and refuses other kinds", async (t) => {
  const dir = tempDir(t);
  const out: string[] = [];
  assert.equal(await dataCommand(["images", "--count", "2", "--out", dir], (l) => out.push(l), (l) => out.push(l)), 0);
  assert.equal(fs.readdirSync(dir).length, 2);
  assert.equal(await dataCommand(["ratings"], () => undefined, (l) => out.push(l)), 2);
  assert.match(out[out.length - 1], /unknown kind "ratings"/);
});

test("the samples with faults add a corrupt PNG and a missing file, and the job rejects both with a reason", { timeout: 120_000 }, async () => {
  const all = sampleImagesWithFaults();
  assert.equal(all.length, 14);
  assert.deepEqual(all.slice(0, 12), sampleImages());
  const [corrupt, missing] = all.slice(12);
  assert.ok(fs.existsSync(corrupt) && !fs.existsSync(missing));
  const result = await findImageColours([sampleImages()[0], corrupt, missing], { k: 3, resize: 40, runner: "local", workers: 1 });
  assert.equal(result.rows.length + result.rejected.length, 3, "processed + rejected = given");
  assert.deepEqual(result.rejected.map((r) => r.uri).sort(), [corrupt, missing].sort());
  for (const r of result.rejected) assert.ok(r.reason.length > 10, `a reason for ${r.uri}: ${r.reason}`);
});

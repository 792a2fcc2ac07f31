import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { isWorkbookError } from "../../../lib/errors";
import { processAlive } from "../../../lib/process";
import { readImage } from "../../../scenarios/image-kmeans/read-image";
import { findImageColours, startImageColours } from "../../../scenarios/image-kmeans/scenario";
import { sampleImages } from "../../../scenarios/image-kmeans/samples";
import { startGcsStandIn } from "../../cloud/gcs-stand-in";

type After = { after(fn: () => unknown): void };

function tempDir(t: After): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-images-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers. */
async function silentServer(t: After): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  return (server.address() as net.AddressInfo).port;
}

/** A port on 127.0.0.1 where nothing listens (connections are refused at once). */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server on 127.0.0.1 that hangs up on every connection at once, without a byte of HTTP. */
async function hangUpServer(t: After): Promise<number> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/** An HTTP server that serves one image at /image.png and 404 elsewhere. */
async function imageServer(t: After, png: Buffer): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.url === "/image.png") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(png);
    } else {
      res.writeHead(404);
      res.end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return (server.address() as net.AddressInfo).port;
}

test("bad images become rejected rows with their reason, the job goes on, and processed + rejected = input", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const [good, other] = sampleImages();
  const png = fs.readFileSync(good);
  const corrupt = path.join(dir, "corrupt.png");
  fs.writeFileSync(corrupt, Buffer.concat([png.subarray(0, 80), Buffer.alloc(200, 7)]));
  const text = path.join(dir, "notes.png");
  fs.writeFileSync(text, "these are notes, not pixels\n");
  const missing = path.join(dir, "missing.png");
  const refused = await refusedPort();
  const web = await imageServer(t, png);
  const gcs = await startGcsStandIn();
  t.after(() => gcs.close());
  gcs.objects.set("images/photo.png", png);

  const images = [
    good, corrupt, text, missing, dir,
    `http://127.0.0.1:${refused}/refused.png`,
    `http://127.0.0.1:${web}/image.png`,
    `http://127.0.0.1:${web}/gone.png`,
    pathToFileURL(good).href,
    "gs://images/photo.png",
    "gs://images/nothing.png",
    "ftp://example.com/a.png",
    other,
  ];
  // Every failure here is immediate (no time-out is involved): the generous time-out only guards the
  // downloads that succeed against a slow, loaded machine. Time-outs have their own test below.
  const result = await findImageColours(images, { k: 4, timeoutMs: 60_000, workers: 2, progress: false, gcsEndpoint: gcs.endpoint });

  assert.equal(result.rows.length + result.rejected.length, images.length);
  const reasons = new Map(result.rejected.map((r) => [r.uri, r.reason]));
  assert.match(reasons.get(corrupt)!, /^corrupt image: .*corrupt\.png looks like PNG but cannot be decoded/);
  assert.match(reasons.get(text)!, /^not an image: .*notes\.png/);
  assert.match(reasons.get(missing)!, /^missing file: .*missing\.png does not exist/);
  assert.match(reasons.get(dir)!, /^not a file: .* is a folder/);
  assert.match(reasons.get(`http://127.0.0.1:${refused}/refused.png`)!, /^unreachable URL: http:\/\/127\.0\.0\.1:\d+\/refused\.png \(ECONNREFUSED\)$/);
  assert.match(reasons.get(`http://127.0.0.1:${web}/gone.png`)!, /^unreachable URL: .* answered HTTP 404/);
  assert.match(reasons.get("gs://images/nothing.png")!, /^missing object: gs:\/\/images\/nothing\.png/);
  assert.match(reasons.get("ftp://example.com/a.png")!, /^unsupported URI scheme "ftp:"/);
  assert.equal(result.rejected.length, 8);

  // The same image from a path, file://, http:// and gs:// gives the same colours.
  const byUri = new Map(result.rows.map((r) => [r.uri, r]));
  const sources = [good, pathToFileURL(good).href, `http://127.0.0.1:${web}/image.png`, "gs://images/photo.png"];
  for (const uri of sources) assert.ok(byUri.has(uri), `${uri} was processed`);
  for (const uri of sources.slice(1)) assert.deepEqual(byUri.get(uri)!.colours, byUri.get(good)!.colours);
  assert.ok(byUri.has(other));
  for (const row of result.rows) {
    assert.equal(row.k, 4);
    assert.equal(row.width, 160);
    assert.ok(row.colours.length >= 1 && row.colours.length <= 4);
    assert.ok(!Number.isNaN(Date.parse(row.processed_at)));
  }
});

test("an http:// or gs:// server that never answers is given up after timeoutMs, with the time-out as the reason", { timeout: 120_000 }, async (t) => {
  // The server accepts and then says nothing, ever: only the time-out can end the download, so the
  // outcome does not depend on how loaded the machine is (a loaded machine only makes it later).
  const silent = await silentServer(t);
  await assert.rejects(
    readImage(`http://127.0.0.1:${silent}/never.png`, { timeoutMs: 200 }),
    (err: unknown) => isWorkbookError(err, "INPUT_UNREADABLE") && /^unreachable URL: http:\/\/127\.0\.0\.1:\d+\/never\.png did not answer within 200 ms \(time-out\)$/.test((err as Error).message),
  );
  await assert.rejects(
    readImage("gs://images/never.png", { timeoutMs: 200, gcsEndpoint: `http://127.0.0.1:${silent}` }),
    (err: unknown) => isWorkbookError(err, "INPUT_UNREADABLE") && /^unreachable URL: gs:\/\/images\/never\.png did not answer within 200 ms \(time-out\)$/.test((err as Error).message),
  );

  // In the job's worker process too: a silent server, and one that hangs up on every connection
  // (which fetch keeps retrying), are rejected rows with the time-out reason; the partition goes on.
  const hangUp = await hangUpServer(t);
  const uris = [`http://127.0.0.1:${silent}/never.png`, `http://127.0.0.1:${hangUp}/hang-up.png`];
  const result = await findImageColours(uris, { k: 4, timeoutMs: 300, workers: 1, progress: false });
  assert.deepEqual(result.rows, []);
  assert.deepEqual(result.rejected.map((r) => r.reason), uris.map((u) => `unreachable URL: ${u} did not answer within 300 ms (time-out)`));
});

test("findImageColours refuses bad options before starting the job", async () => {
  await assert.rejects(findImageColours(["a.png"], { k: 0, progress: false }), (err: unknown) => isWorkbookError(err, "OPTIONS_INVALID"));
});

/** Process ids of this process's children running the job entrypoint (the job's worker processes). */
function jobWorkers(): number[] {
  const lines = execFileSync("ps", ["-A", "-o", "pid=,ppid=,args="], { encoding: "utf8" }).split("\n");
  return lines.map((l) => l.trim().split(/\s+/)).filter((f) => Number(f[1]) === process.pid && f.slice(2).join(" ").includes("entrypoint.js")).map((f) => Number(f[0]));
}

test("stopping the image job midway ends its worker processes and rejects with JOB_STOPPED; a second start completes", { timeout: 60_000 }, async (t) => {
  // A server that accepts and never answers holds one image's download open: the job is midway until stopped.
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { connections++; sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
  const port = (server.address() as net.AddressInfo).port;
  const images = [`http://127.0.0.1:${port}/never.png`, ...sampleImages().slice(0, 2)];
  const job = startImageColours(images, { k: 3, resize: 20, timeoutMs: 60_000, workers: 2, partitions: 2, progress: false });
  while (connections === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const workers = jobWorkers();
  assert.ok(workers.length >= 1, "the job's worker processes run");
  assert.equal(await job.stop(), "its worker processes have exited");
  await assert.rejects(job.finish(), (err: unknown) => isWorkbookError(err, "JOB_STOPPED") && /image-kmeans\/job\.js was stopped \(the stop button, or its cell run again\)/.test((err as Error).message));
  assert.deepEqual(jobWorkers(), [], "no worker process is left");
  assert.ok(workers.every((pid) => !processAlive(pid)));
  assert.equal(await job.stop(), undefined, "stopping again does nothing");

  const again = startImageColours(sampleImages().slice(0, 2), { k: 3, resize: 20, workers: 1, progress: false });
  const result = await again.finish();
  assert.equal(result.rows.length, 2, "a start after a stop completes");
  assert.equal(await again.stop(), undefined, "stopping a finished job has nothing to say");
});

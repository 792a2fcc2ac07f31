/**
 * Image k-means benchmark: images per second on the same images, k and resize, for
 *  - the workbook's image-colours job on the local worker pool, 1 and 2 workers (whole runs,
 *    process start-up of every partition included), and
 *  - a Python baseline, Pillow + scikit-learn KMeans in one process (its loop only, imports
 *    excluded), the way the original Spark job's map function worked.
 *
 *   npm run bench:kmeans [-- --images 600 --k 5 --resize 100 --rounds 3]
 *
 * Needs Debian's python3-pil and python3-sklearn for the baseline.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalJobRunner } from "../lib/jobs/local";
import { colourDistance, parseHex } from "../lib/images/colour";
import { projectRoot } from "../lib/paths";
import type { ImageColoursRow } from "../scenarios/image-kmeans/job";
import { makeSampleImages } from "../scenarios/image-kmeans/samples";
import { IMAGE_JOB } from "../scenarios/image-kmeans/scenario";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const IMAGES = arg("images", 600);
const K = arg("k", 5);
const RESIZE = arg("resize", 100);
const ROUNDS = arg("rounds", 3);
const SEED = 42;

/** A python3 that has Pillow and scikit-learn (the PATH one, else Debian's). */
function findPython(): string | undefined {
  for (const exe of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(exe, ["-c", "import PIL, sklearn"], { stdio: "ignore" });
    if (r.status === 0) return exe;
  }
  return undefined;
}

async function runPool(workers: number, files: string[]): Promise<{ seconds: number; rows: ImageColoursRow[] }> {
  const runner = new LocalJobRunner({ workers });
  const started = performance.now();
  const result = await runner.run<{ uri: string }, ImageColoursRow, object>({ module: IMAGE_JOB, input: files.map((uri) => ({ uri })), params: { k: K, resize: RESIZE, seed: SEED } });
  const seconds = (performance.now() - started) / 1000;
  await runner.close();
  if (result.errors.length > 0) throw new Error(`bench: ${result.errors.length} images rejected, e.g. ${result.errors[0].error}`);
  return { seconds, rows: result.outputs };
}

interface PythonRun { seconds: number; results: { colours: { hex: string; share: number }[] }[] }

function runPython(python: string, files: string[]): PythonRun {
  // One OpenMP thread: scikit-learn's fastest setting on images this small (its threads only add
  // synchronisation, and spin badly when the machine is busy).
  const r = spawnSync(python, [path.join(projectRoot, "bench", "kmeans_baseline.py"), "--k", String(K), "--resize", String(RESIZE), "--seed", String(SEED), ...files], {
    encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (r.status !== 0) throw new Error(`python baseline failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PythonRun;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-bench-kmeans-"));
  try {
    const files = await makeSampleImages({ dir, count: IMAGES, seed: 11, width: 320, height: 240 });
    const python = findPython();
    console.log(`bench kmeans: ${IMAGES} PNG images of 320 x 240, k=${K}, resize=${RESIZE}, ${os.availableParallelism()} cores, best of ${ROUNDS} rounds`);
    if (!python) console.log("python baseline skipped: no python3 with Pillow and scikit-learn (apt-get install python3-pil python3-sklearn)");

    await runPool(2, files.slice(0, 20)); // warm the file cache
    // Rounds interleave the three, so a busy moment on the machine does not favour one of them.
    let one = Infinity;
    let two = Infinity;
    let py = Infinity;
    let lastPy: PythonRun | undefined;
    let lastTwo: ImageColoursRow[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await runPool(1, files);
      const b = await runPool(2, files);
      one = Math.min(one, a.seconds);
      two = Math.min(two, b.seconds);
      lastTwo = b.rows;
      let line = `round ${round}: 1 worker ${a.seconds.toFixed(2)} s, 2 workers ${b.seconds.toFixed(2)} s`;
      if (python) {
        lastPy = runPython(python, files);
        py = Math.min(py, lastPy.seconds);
        line += `, python ${lastPy.seconds.toFixed(2)} s`;
      }
      console.log(line);
    }
    const rate1 = IMAGES / one;
    const rate2 = IMAGES / two;
    console.log(`workbook job, 1 worker : ${rate1.toFixed(1)} images/s (whole run: partition processes started, images read, colours returned)`);
    console.log(`workbook job, 2 workers: ${rate2.toFixed(1)} images/s`);
    let baseline: number | undefined;
    if (python && lastPy) {
      baseline = IMAGES / py;
      console.log(`python baseline (Pillow + scikit-learn KMeans, ${python}, its loop only): ${baseline.toFixed(1)} images/s`);
      // Do the two agree? The largest colour of each image, within 24 RGB units.
      let agree = 0;
      lastPy.results.forEach((p, i) => {
        if (colourDistance(parseHex(p.colours[0].hex)!, parseHex(lastTwo[i].colours[0].hex)!) <= 24) agree++;
      });
      console.log(`same dominant colour as the baseline (within 24 RGB units): ${agree}/${IMAGES}`);
      console.log(`RESULT kmeans_one_worker images_per_s=${rate1.toFixed(1)} images/s baseline=${baseline.toFixed(1)} ratio=${(rate1 / baseline).toFixed(2)}`);
      console.log(`RESULT kmeans images_per_s=${rate2.toFixed(1)} images/s baseline=${baseline.toFixed(1)} ratio=${(rate2 / baseline).toFixed(2)}`);
    } else {
      console.log(`RESULT kmeans images_per_s=${rate2.toFixed(1)} images/s`);
    }
    console.log(`RESULT kmeans_two_workers images_per_s=${rate2.toFixed(1)} images/s baseline=${rate1.toFixed(1)} ratio=${(rate2 / rate1).toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

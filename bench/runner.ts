/**
 * npm run bench:runner
 * 1. The same notebook through `workbook run` and through Jupyter's `jupyter nbconvert --to notebook
 *    --execute` (Debian's, with the tslab kernelspec), alternating, several rounds: median seconds.
 * 2. `workbook run-all` over four notebooks with --jobs 2 against --jobs 1.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectRoot } from "../lib/paths";

const ROUNDS = Number(process.argv[2] ?? 5);
const workbook = path.join(projectRoot, "bin", "workbook.js");
const fixture = path.join(projectRoot, "test", "fixtures", "notebooks", "bench.ipynb");

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: "utf8" });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-runner-"));
  try {
    const dataDir = path.join(tmp, "jupyter");
    timed(process.execPath, [workbook, "kernel", "install"], { ...process.env, JUPYTER_DATA_DIR: dataDir });
    const haveNbconvert = spawnSync("jupyter", ["nbconvert", "--version"], { stdio: "ignore" }).status === 0;
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(timed(process.execPath, [workbook, "run", fixture, path.join(tmp, "ours.ipynb"), "--no-progress-bar"]));
      if (haveNbconvert) {
        theirs.push(timed("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=tslab", "--output", path.join(tmp, "theirs.ipynb"), fixture], { ...process.env, JUPYTER_DATA_DIR: dataDir }));
      }
      process.stderr.write(`round ${i + 1}/${ROUNDS}: workbook run ${ours[i].toFixed(2)} s${haveNbconvert ? `, nbconvert ${theirs[i].toFixed(2)} s` : ""}\n`);
    }

    const nbs = path.join(projectRoot, ".workbook", "tmp", `bench-run-all-${process.pid}`);
    fs.mkdirSync(nbs, { recursive: true });
    try {
      for (let i = 1; i <= 4; i++) fs.copyFileSync(fixture, path.join(nbs, `nb${i}.ipynb`));
      const runAll = (jobs: number) => timed(process.execPath, [workbook, "run-all", "--notebooks", nbs, "--out", path.join(tmp, `out${jobs}`), "--jobs", String(jobs)]);
      const one: number[] = [];
      const two: number[] = [];
      for (let i = 0; i < Math.max(3, Math.ceil(ROUNDS / 2)); i++) {
        one.push(runAll(1));
        two.push(runAll(2));
        process.stderr.write(`run-all round ${i + 1}: --jobs 1 ${one[i].toFixed(2)} s, --jobs 2 ${two[i].toFixed(2)} s\n`);
      }
      const m1 = median(one);
      const m2 = median(two);
      console.log(`RESULT runner_run_all_jobs2 seconds=${m2.toFixed(2)} s baseline=${m1.toFixed(2)} ratio=${(m1 / m2).toFixed(2)}`);
    } finally {
      fs.rmSync(nbs, { recursive: true, force: true });
    }
    const mo = median(ours);
    if (haveNbconvert) {
      const mt = median(theirs);
      console.log(`RESULT runner_workbook_run seconds=${mo.toFixed(2)} s baseline=${mt.toFixed(2)} ratio=${(mo / mt).toFixed(2)}`);
    } else {
      console.log(`RESULT runner_workbook_run seconds=${mo.toFixed(2)} s (no baseline: jupyter nbconvert is not installed; apt-get install jupyter-nbconvert)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();

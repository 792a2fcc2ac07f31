import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";
import { NOTEBOOK_KERNELSPEC } from "../../../lib/cli/kernel-install";

const jupyter = spawnSync("jupyter", ["--version"], { stdio: "ignore" }).status === 0;

test("kernel install writes a kernelspec that runs this project's tslab by absolute path", async (t) => {
  const dataDir = tempDir(t);
  const r = await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: dataDir } });
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(dataDir, "kernels", "tslab");
  assert.match(r.stdout, new RegExp(`Installed the kernelspec "tslab" in ${dir.replace(/[/.]/g, "\\$&")}`));
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8")) as { argv: string[]; language: string; display_name: string };
  assert.equal(spec.language, "typescript");
  // the committed notebooks carry the same metadata (checkCommittedNotebook), so opening one in Jupyter changes nothing
  assert.deepEqual({ name: "tslab", display_name: spec.display_name, language: spec.language }, { ...NOTEBOOK_KERNELSPEC });
  assert.equal(spec.display_name, "TypeScript");
  assert.ok(path.isAbsolute(spec.argv[0]) && path.isAbsolute(spec.argv[1]));
  assert.ok(fs.existsSync(spec.argv[1]), `${spec.argv[1]} exists`);
  assert.deepEqual(spec.argv.slice(2), ["kernel", "--config-path", "{connection_file}"]);
});

test("Jupyter itself finds the installed kernel", { skip: jupyter ? false : "jupyter is not installed (apt-get install jupyter-notebook)" }, async (t) => {
  const dataDir = tempDir(t);
  assert.equal((await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: dataDir } })).code, 0);
  const r = spawnSync("jupyter", ["kernelspec", "list", "--json"], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
  assert.equal(specs.tslab?.resource_dir, path.join(dataDir, "kernels", "tslab"));
});

test("without Jupyter on PATH, kernel install says how to get it", async (t) => {
  const r = await runCli(["kernel", "install"], { env: { JUPYTER_DATA_DIR: tempDir(t), PATH: tempDir(t) } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /apt-get install jupyter-notebook/);
  assert.match(r.stdout, /pip install jupyterlab/);
});

/**
 * Every notebook as a learner meets it: Jupyter Notebook (Debian) in Chromium (Debian), driven by
 * playwright-core. For each notebook, with a Jupyter server of its own (its own work folder and
 * database, as each batch run has):
 * 1. open the executed copy its notebook test left (`keepExecuted`; made here by `workbook run` when
 *    that test is not part of the run): Jupyter opens it "Not Trusted", as a learner who opens a
 *    batch result would; every picture must still show (as its PNG), the tables stay tables, and
 *    opening it changes nothing (the kernelspec matches the installed one);
 * 2. the notebook's second run (test/notebooks/variants.ts: other parameters, no solutions): the
 *    committed notebook with those parameters, Kernel > Restart & Run All in the page, wait until
 *    every cell has run and the kernel is idle; no cell shows an error or stderr, the page holds the
 *    pictures and tables of the notebook as Jupyter saves it, every exercise shows its verdict, and
 *    the saved notebook's scraps pass the variant's checks.
 * Screenshots go to <work folder>/browser-test/ so a failure can be looked at. The notebooks are
 * split over three test files: browser.test.ts (npm test: one notebook and the 2,000-line cell),
 * browser-1.full.test.ts and browser-2.full.test.ts (the full run, side by side: the others).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { test } from "node:test";
import { installKernelSpec } from "../../lib/cli/kernel-install";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { executedCopy, projectTempDir, tempDir } from "../helpers";
import { VARIANTS } from "./variants";

const CHROMIUM = "/usr/bin/chromium";
const jupyterOk = spawnSync("jupyter", ["notebook", "--version"], { stdio: "ignore" }).status === 0;
const missing = !jupyterOk ? "Jupyter Notebook is not installed (apt-get install jupyter-notebook; scripts/install.sh does it)" : !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium; scripts/install.sh does it)` : undefined;

/**
 * Small parameters, for the notebooks whose defaults are larger than a test needs; `solutions` is
 * set for every notebook that declares it, so the exercises run to "Correct" in the browser too.
 */
const SMALL: Record<string, Record<string, string | number | boolean>> = {
  "03-sparkify-star-schema.ipynb": { days: 5, events: 1000, songs: 60, users: 10 },
  "09-sql-to-neural-net.ipynb": { epochs: 20 },
};

/** What an executed notebook file holds: pictures (an output with image/png) and HTML tables. */
function expectedOutputs(file: string): { pictures: number; svgWithoutPng: number; tables: number } {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  let pictures = 0;
  let svgWithoutPng = 0;
  let tables = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const data = o.data ?? {};
      if ("image/png" in data) pictures++;
      else if ("image/svg+xml" in data) svgWithoutPng++;
      const html = data["text/html"];
      if (html && /<table/.test(Array.isArray(html) ? html.join("") : String(html))) tables++;
    }
  }
  return { pictures, svgWithoutPng, tables };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts Jupyter Notebook on a free port with a token, serving `root`; resolves when it answers. */
async function startJupyter(root: string, env: Record<string, string>): Promise<{ url: string; token: string; proc: ChildProcess; log: () => string }> {
  const port = await freePort();
  const token = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const proc = spawn("jupyter", ["notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${root}`, ...(process.getuid?.() === 0 ? ["--allow-root"] : [])], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  proc.stdout?.on("data", (d) => (log += d));
  proc.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter notebook exited (${proc.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter notebook did not answer within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, token, proc, log: () => log };
}

async function stopJupyter(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || !proc.pid) return;
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    process.kill(-proc.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}


type Page = Awaited<ReturnType<Awaited<ReturnType<typeof import("playwright-core")["chromium"]["launchPersistentContext"]>>["newPage"]>>;

/** Opens a notebook of the served folder in a new page and waits for its kernel. */
async function openNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction("window.Jupyter?.notebook?.kernel?.is_connected() === true", undefined, { timeout: 60_000 });
  await page.waitForTimeout(1000);
}

/** File > Close and Halt: the kernel ends and lets go of the files it holds. */
async function closeAndHalt(page: Page): Promise<void> {
  await page.evaluate("new Promise((done) => window.Jupyter.notebook.session.delete(done, done))").catch(() => undefined);
  await page.close();
}

/**
 * The notebooks of the browser test, in three parts: `quick` runs in npm test (browser.test.ts, with
 * the 2,000-line cell), `full1` and `full2` in the full run (browser-1.full.test.ts and
 * browser-2.full.test.ts, side by side, about equally long). Every notebook is in exactly one part
 * (test/notebooks/variants.test.ts checks it).
 */
export const BROWSER_PARTS: { readonly quick: string[]; readonly full1: string[]; readonly full2: string[] } = {
  quick: ["00-welcome.ipynb"],
  full1: ["04-web-logs.ipynb", "06-traffic-outliers.ipynb", "01-football-sql.ipynb", "09-sql-to-neural-net.ipynb"],
  full2: ["02-image-kmeans.ipynb", "05-netflix-ratings.ipynb", "03-sparkify-star-schema.ipynb", "08-artmosphere.ipynb", "07-lambda-url-counts.ipynb"],
};

/** Runs the browser test over `notebooks` (file names in notebooks/); `messages`: also the 2,000-line cell. */
export function browserTest(title: string, notebooks: string[], options: { messages?: boolean } = {}): void {
  test(title, { skip: missing ?? false, timeout: 580_000 }, async (t) => {
    const { chromium } = await import("playwright-core");
    const served = projectTempDir(t, "browser-"); // inside the project: the notebooks import de-workbook
    const shots = path.join(projectRoot, ".workbook", "browser-test");
    fs.mkdirSync(shots, { recursive: true });
    const jupyterDirs = tempDir(t, "workbook-jupyter-");
    for (const d of ["data", "config", "runtime"]) fs.mkdirSync(path.join(jupyterDirs, d));
    installKernelSpec({ dataDir: path.join(jupyterDirs, "data") });
    const jupyterEnv = {
      JUPYTER_DATA_DIR: path.join(jupyterDirs, "data"),
      JUPYTER_CONFIG_DIR: path.join(jupyterDirs, "config"),
      JUPYTER_RUNTIME_DIR: path.join(jupyterDirs, "runtime"),
    };
    const out = path.join(served, "out");
    fs.mkdirSync(out);
    const browser = await chromium.launchPersistentContext(tempDir(t, "workbook-chromium-"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1280, height: 900 },
    });
    t.after(() => browser.close());

    if (options.messages) {
      // No kernel message lost through the kernelspec: a cell printing 2,000 lines shows its last line
      // and the kernel goes back to idle (with tslab's own sends every 513th message was lost, the
      // idle among them, and Jupyter showed the kernel busy for good).
      await t.test("a cell printing 2,000 lines", async (st) => {
        const dir = path.join(served, "messages");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "lines.ipynb"), JSON.stringify({
          nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
          cells: [{ id: "lines", cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: "for (let i = 0; i < 2000; i++) console.log(`line ${i}`);" }],
        }));
        const jupyter = await startJupyter(served, { ...jupyterEnv, WORKBOOK_HOME: path.join(dir, "home") });
        st.after(() => stopJupyter(jupyter.proc));
        const page = await browser.newPage();
        try {
          await openNotebook(page, `${jupyter.url}/notebooks/messages/lines.ipynb?token=${jupyter.token}`);
          await page.evaluate("window.Jupyter.notebook.execute_all_cells()");
          await page.waitForFunction(`(() => {
            const cell = window.Jupyter.notebook.get_cell(0);
            return typeof cell.input_prompt_number === "number" &&
              document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon") === true;
          })()`, undefined, { timeout: 120_000, polling: 250 });
          const shown = (await page.evaluate(`(() => {
            const text = document.querySelector(".output_stdout")?.textContent ?? "";
            return { lines: text.trimEnd().split("\\n"), warning: document.body.textContent.includes("IOPub message rate exceeded") };
          })()`)) as { lines: string[]; warning: boolean };
          await page.screenshot({ path: path.join(shots, "lines.png") });
          assert.equal(shown.warning, false, "no IOPub rate warning from Jupyter");
          assert.equal(shown.lines.length, 2000);
          assert.equal(shown.lines[1999], "line 1999", "the last line shows");
        } finally {
          await closeAndHalt(page);
        }
      });
    }

    for (const name of notebooks) {
      await t.test(name, async (st) => {
        const started = Date.now();
        const stem = name.replace(/\.ipynb$/, "");
        const dir = path.join(served, stem);
        fs.mkdirSync(dir);
        const variant = VARIANTS[name];
        assert.ok(variant, `test/notebooks/variants.ts has no second run for ${name}`);
        const prepared = await variant.prepare(dir);
        if (typeof prepared !== "string" && prepared.cleanup) st.after(prepared.cleanup);
        const jupyter = await startJupyter(served, { ...jupyterEnv, WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: typeof prepared === "string" ? "" : (prepared.databaseUrl ?? "") });
        st.after(() => stopJupyter(jupyter.proc));
        const at = (file: string) => `${jupyter.url}/notebooks/${file}?token=${jupyter.token}`;

        // 1. the executed copy: the one the notebook's test of this run left (it runs with
        // solutions), else made here as `workbook run` writes it
        const copy = path.join(out, name);
        const kept = await executedCopy(name, 300_000);
        if (kept) {
          fs.copyFileSync(kept, copy);
          st.diagnostic(`${name}: the executed copy of its notebook test`);
        } else {
          const source = fs.readFileSync(path.join(projectRoot, "notebooks", name), "utf8");
          const parameters = { ...(SMALL[name] ?? {}), ...(/\blet solutions\b/.test(source) ? { solutions: true } : {}) };
          const r = await runNotebook({ input: path.join(projectRoot, "notebooks", name), output: copy, parameters, progressBar: false, env: { WORKBOOK_HOME: path.join(dir, "batch-home"), DATABASE_URL: "" } });
          assert.equal(r.status, "completed", `workbook run ${name}: ${r.error}`);
          st.diagnostic(`${name}: workbook run ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
        const expected = expectedOutputs(copy);
        assert.equal(expected.svgWithoutPng, 0, "every SVG picture has a PNG beside it");
        let page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        try {
          await openNotebook(page, at(`out/${name}`));
          await page.screenshot({ path: path.join(shots, `${name}.opened.png`), fullPage: true });
          const opened = (await page.evaluate(`(() => {
            const nb = window.Jupyter.notebook;
            const pictures = [...document.querySelectorAll(".output_png img")];
            return { trusted: nb.trusted, dirty: nb.dirty, title: document.title, pictures: pictures.length,
              broken: pictures.filter((i) => !i.complete || i.naturalWidth === 0).length,
              svg: document.querySelectorAll(".output_svg").length, tables: document.querySelectorAll(".output_html table").length };
          })()`)) as { trusted: boolean; dirty: boolean; title: string; pictures: number; broken: number; svg: number; tables: number };
          assert.equal(opened.trusted, false, "an executed copy from workbook run opens Not Trusted");
          assert.equal(opened.dirty, false, "opening the copy changes nothing (kernelspec as installed)");
          assert.doesNotMatch(opened.title, /unsaved/);
          assert.equal(opened.svg, 0, "untrusted: Jupyter drops the SVG");
          assert.equal(opened.pictures, expected.pictures, "untrusted: every picture shows as its PNG");
          assert.equal(opened.broken, 0, "every PNG decodes");
          assert.equal(opened.tables, expected.tables, "tables stay tables without their style");
        } catch (err) {
          await page.screenshot({ path: path.join(shots, `${name}.failed.png`), fullPage: true }).catch(() => undefined);
          throw err;
        } finally {
          await closeAndHalt(page);
        }

        // 2. the second run, in the page: Kernel > Restart & Run All, as a learner would
        if (typeof prepared === "string") {
          st.skip(`${name}, ${variant.title}: ${prepared}`);
          return;
        }
        const file = path.join(dir, name);
        const prep = await runNotebook({ input: path.join(projectRoot, "notebooks", name), output: file, parameters: prepared.parameters, prepareOnly: true, progressBar: false });
        assert.equal(prep.status, "prepared", prep.error);
        page = await browser.newPage();
        page.on("pageerror", (e) => errors.push(e.message));
        const ran = Date.now();
        // The page's console (Jupyter logs its kernel's restarts, deaths and reconnections there): shown when the run fails.
        const consoleLines: string[] = [];
        page.on("console", (m) => { consoleLines.push(`${((Date.now() - ran) / 1000).toFixed(1)} s ${m.type()}: ${m.text().slice(0, 200)}`); if (consoleLines.length > 80) consoleLines.shift(); });
        try {
          await openNotebook(page, at(`${stem}/${name}`));
          await page.click("#kernellink");
          await page.click("#restart_run_all");
          await page.click(".modal-dialog .btn-danger");
          // every code cell has its execution number (a cell gets it with its reply; tslab may report
          // idle between queued cells) and the kernel is idle
          await page.waitForFunction(`(() => {
            const code = window.Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
            return code.every((c) => typeof c.input_prompt_number === "number") &&
              document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon") === true;
          })()`, undefined, { timeout: 400_000, polling: 500 });
          await page.waitForTimeout(500);
          await page.evaluate("window.Jupyter.notebook.save_notebook().then(() => true)");
          await page.screenshot({ path: path.join(shots, `${name}.run.png`), fullPage: true });
          const shown = (await page.evaluate(`(() => ({
            errors: [...document.querySelectorAll(".output_error, .output_stderr")].map((e) => (e.textContent ?? "").slice(0, 500)),
            pictures: document.querySelectorAll(".output_svg, .output_png").length,
            tables: document.querySelectorAll(".output_html table").length,
            exerciseVerdicts: [...document.querySelectorAll(".output_html b")].map((b) => b.textContent).filter((s) => s === "Correct" || s === "Not yet" || s === "Not attempted yet"),
          }))()`)) as { errors: string[]; pictures: number; tables: number; exerciseVerdicts: string[] };
          assert.deepEqual(shown.errors, [], "no cell shows an error or stderr");
          const saved = expectedOutputs(file);
          assert.equal(saved.svgWithoutPng, 0, "every SVG picture has a PNG beside it");
          assert.equal(shown.pictures, saved.pictures, "every picture of the run shows in the page");
          assert.equal(shown.tables, saved.tables, "every table of the run shows in the page");
          assert.equal(shown.pictures > 0 || shown.tables > 0, true, "the run drew pictures or tables (the outputs are this run's: the notebook had none)");
          const source = fs.readFileSync(path.join(projectRoot, "notebooks", name), "utf8");
          if (/\blet solutions\b/.test(source)) {
            assert.ok(shown.exerciseVerdicts.length >= 2, `the exercises show their verdicts: ${shown.exerciseVerdicts.join(", ")}`);
            const verdict = prepared.parameters.solutions === true ? "Correct" : "Not attempted yet";
            assert.ok(shown.exerciseVerdicts.every((v) => v === verdict), `every exercise shows ${verdict}: ${shown.exerciseVerdicts.join(", ")}`);
          }
          variant.check(readScraps(file), fs.readFileSync(file, "utf8"));
          assert.deepEqual(errors, [], "no JavaScript error in the page");
        } catch (err) {
          await page.screenshot({ path: path.join(shots, `${name}.failed.png`), fullPage: true }).catch(() => undefined);
          st.diagnostic(`${name}: the page's console during Restart & Run All:\n${consoleLines.join("\n")}`);
          throw err;
        } finally {
          await closeAndHalt(page);
          st.diagnostic(`${name} (${variant.title}): Restart & Run All in the browser ${((Date.now() - ran) / 1000).toFixed(1)} s; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
        }
      });
    }
  });
}

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The project root: the folder holding this package's package.json, whatever the working directory. */
export const projectRoot: string = findProjectRoot(__dirname);

/**
 * A path as an output shows it, without the folders of the machine that ran it: relative to the
 * project (`.workbook/lake`), under the home folder as `~/...`, else `.../` and its last two parts.
 * Outputs are handed out; the path of someone's machine is noise there. A URI (`gs://...`) stays
 * as it is; `file://` is read as its path.
 */
export function shownPath(p: string): string {
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(p) && !p.startsWith("file://")) return p;
  const abs = path.resolve(p.startsWith("file://") ? new URL(p).pathname : p);
  const rel = path.relative(projectRoot, abs);
  if (rel === "") return ".";
  if (!rel.startsWith("..") && !path.isAbsolute(rel)) return rel;
  const home = os.homedir();
  if (home && home !== path.parse(home).root && (abs === home || abs.startsWith(home + path.sep))) return path.join("~", path.relative(home, abs));
  const parts = abs.split(path.sep).filter(Boolean);
  return parts.length <= 2 ? abs : path.join("...", ...parts.slice(-2));
}

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "de-workbook") return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`de-workbook: no package.json named de-workbook above ${start}`);
    dir = parent;
  }
}

/**
 * Makes `import ... from "de-workbook"` resolve in notebooks: tslab's compiler uses Node10 module
 * resolution and ignores tsconfig paths, so node_modules/de-workbook must point at this project.
 * `npm install` creates the link (scripts/link-self.js); `npm install <pkg>` prunes it, so the
 * runner calls this before it starts a kernel.
 */
export function ensureSelfLink(): void {
  const link = path.join(projectRoot, "node_modules", "de-workbook");
  try {
    if (fs.readlinkSync(link) === "..") return;
  } catch {
    // missing, or not a link
  }
  try {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync("..", link, "dir");
  } catch {
    // read-only install: imports of "de-workbook" then need the package installed by name
  }
}

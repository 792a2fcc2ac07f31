import * as fs from "node:fs";
import * as path from "node:path";

/** The project root: the folder holding this package's package.json, whatever the working directory. */
export const projectRoot: string = findProjectRoot(__dirname);

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

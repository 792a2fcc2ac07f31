// Makes `import ... from "de-workbook"` resolve to this project, for notebooks on tslab's compiler
// (Node10 module resolution, no tsconfig paths): node_modules/de-workbook -> the project root.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "de-workbook");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  // not a link yet
}
fs.symlinkSync("..", link, "dir");

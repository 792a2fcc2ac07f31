/** What the image k-means scenario adds to the `workbook` command (loaded by bin/workbook.js). */
import { registerData, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "images",
  scenario: "image-kmeans",
  help: "sample images for notebooks/02-image-kmeans.ipynb (--count N --seed S --out DIR)",
  load: () => (require("./cli") as typeof import("./cli")).dataImagesCommand as CommandFn,
});

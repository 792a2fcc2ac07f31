/** What the image k-means scenario adds to the `workbook` command (loaded by bin/workbook.js): its sample data, and its quality checks for `workbook quality`. */
import { registerData, registerQuality, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "images",
  scenario: "image-kmeans",
  help: "sample images for notebooks/02-image-kmeans.ipynb (--count N --seed S --out DIR)",
  load: () => (require("./cli") as typeof import("./cli")).dataImagesCommand as CommandFn,
});

registerQuality({
  scenario: "image-kmeans",
  load: () => (require("./quality") as typeof import("./quality")).imageChecks(),
});

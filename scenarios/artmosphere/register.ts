/** What the Artmosphere scenario adds to the `workbook` command (loaded by bin/workbook.js): its sample data, and its quality checks for `workbook quality`. */
import { registerData, registerQuality, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "artmosphere",
  scenario: "artmosphere",
  help: "Artmosphere's artworks.json, artists.json, collecting.log and uploading.log in the lake (--artworks N --artists N --events-per-second N --duration S --uploads N --days N --seed S)",
  load: () => (require("./cli") as typeof import("./cli")).dataArtmosphereCommand as CommandFn,
});

registerQuality({
  scenario: "artmosphere",
  load: () => {
    const q = require("./quality") as typeof import("./quality");
    return [...q.catalogueChecks(), ...q.uploadChecks(), ...q.popularityChecks()];
  },
});

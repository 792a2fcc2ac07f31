/**
 * `workbook data artmosphere [--artworks N] [--artists N] [--events-per-second N] [--duration S]
 * [--uploads N] [--days N] [--seed S] [--out DIR]`: writes artworks.json, artists.json,
 * collecting.log and uploading.log into the lake (default `<lake>/artmosphere/raw`).
 */
import { openLake } from "../../lib/lake";
import { ARTMOSPHERE_DEFAULTS, generateArtmosphere } from "./generate";
import { writeArtmosphere } from "./files";
import { LAKE_PATHS } from "./uploads";

export const DATA_ARTMOSPHERE_USAGE = `usage: workbook data artmosphere [--artworks N] [--artists N] [--events-per-second N] [--duration S] [--uploads N] [--days N] [--seed S] [--out DIR|gs://...]
  --artworks N           artworks in the catalogue (default ${ARTMOSPHERE_DEFAULTS.artworks}; the original had 26000)
  --artists N            artists (default ${ARTMOSPHERE_DEFAULTS.artists}; the original had 45000)
  --events-per-second N  collects per second in collecting.log (default ${ARTMOSPHERE_DEFAULTS.eventsPerSecond})
  --duration S           seconds of collects (default ${ARTMOSPHERE_DEFAULTS.durationSeconds})
  --uploads N            lines of uploading.log (default ${ARTMOSPHERE_DEFAULTS.uploads}), over --days N days (default ${ARTMOSPHERE_DEFAULTS.days})
  --seed S               the same seed makes the same files (default ${ARTMOSPHERE_DEFAULTS.seed})
  --out                  where the files go (default <lake>/${LAKE_PATHS.raw}; LAKE)`;

type Line = (line: string) => void;

const FLAGS: Record<string, keyof typeof ARTMOSPHERE_DEFAULTS> = {
  artworks: "artworks", artists: "artists", "events-per-second": "eventsPerSecond", duration: "durationSeconds", uploads: "uploads", days: "days", seed: "seed",
};

export async function dataArtmosphereCommand(argv: string[], out: Line = (l) => process.stdout.write(l + "\n"), err: Line = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const numbers: Record<string, number> = {};
  let target: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out(DATA_ARTMOSPHERE_USAGE);
      return 0;
    }
    const m = /^--(artworks|artists|events-per-second|duration|uploads|days|seed|out)(?:=(.*))?$/.exec(arg);
    const value = m ? (m[2] ?? argv[++i]) : undefined;
    if (!m || value === undefined) {
      err(`workbook data artmosphere: ${m ? `--${m[1]} needs a value` : `unknown argument ${JSON.stringify(arg)}`}\n${DATA_ARTMOSPHERE_USAGE}`);
      return 2;
    }
    if (m[1] === "out") {
      target = value;
      continue;
    }
    const n = Number(value);
    const min = m[1] === "seed" || m[1] === "uploads" ? 0 : 1;
    if (!Number.isInteger(n) || n < min) {
      err(`workbook data artmosphere: --${m[1]} ${JSON.stringify(value)} is not a whole number ${min} or more; use e.g. --${m[1]} ${ARTMOSPHERE_DEFAULTS[FLAGS[m[1]]]}.`);
      return 2;
    }
    numbers[FLAGS[m[1]]] = n;
  }
  const data = generateArtmosphere(numbers);
  const lake = await openLake(target ? { root: target } : {});
  try {
    const prefix = target ? "" : LAKE_PATHS.raw;
    await writeArtmosphere(lake, data, prefix);
    const t = data.truth;
    out(`wrote ${data.artworks.length} artworks and ${data.artists.length} artists (${t.badArtworkLines + t.badArtistLines} bad lines), ${data.collectingLog.length} collects (${t.badCollectLines} malformed) and ${data.uploadingLog.length} uploads (${t.badUploadLines} malformed) to ${lake.uri(prefix)}`);
    return 0;
  } finally {
    await lake.close();
  }
}

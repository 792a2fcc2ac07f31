/**
 * Artmosphere on a catalogue of your own: `cataloguePath` is a folder (or gs:// prefix) holding the
 * artworks and the artists files in Artsy's JSON (file names containing "artworks" and "artists",
 * e.g. artworks.json and artists.json), one object per line as the original's crawler saved them;
 * a file holding one JSON array, or an Artsy API page (`{"_embedded": {"artworks": [...]}}`), is read
 * as its elements. An artwork line:
 *
 *   {"id":"4d8b92eb4eb68a1b2c000968","title":"Water Lilies","category":"Painting","medium":"Oil on canvas","date":"1906","collecting_institution":"Art Institute of Chicago","artist_id":"4d8b928b4eb68a1b2c0001f2","genes":["Flowers","Water","Impressionism"]}
 *
 * and an artist line `{"id":"4d8b928b4eb68a1b2c0001f2","name":"Claude Monet","nationality":"French","birthday":"1840"}`.
 * `collecting.log` and `uploading.log` in the same place are used when there; else the logs are
 * generated over your artworks. Every catalogue line is checked (parseCatalogue): lines = artworks +
 * artists + rejected, each rejected line with its reason.
 */
import { WorkbookError } from "../../lib/errors";
import { readInputFiles, type InputFile, type ReadInputOptions } from "../../lib/lake/inputs";
import { parseCatalogue } from "./catalogue";
import { generateArtmosphere, generateArtmosphereLogs, type ArtmosphereData, type GenerateArtmosphereOptions } from "./generate";

/** The records of a file as NDJSON: its lines, or the elements of a JSON array or of an Artsy API page's `_embedded.<kind>`. */
export function artsyRecords(text: string, kind: "artworks" | "artists"): string {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && !trimmed.includes("\n"))) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return text; // not one document: lines, each judged on its own
    }
    const list = Array.isArray(doc) ? doc : (doc as { _embedded?: Record<string, unknown> })?._embedded?.[kind];
    if (Array.isArray(list)) return list.map((x) => JSON.stringify(x)).join("\n") + "\n";
  }
  return text;
}

/** The artworks and artists files (and the logs, when there) at `cataloguePath`: a folder or gs:// prefix. */
export async function readCatalogueFiles(cataloguePath: string, options: Pick<ReadInputOptions, "storage"> = {}): Promise<{ artworksJson: string; artistsJson: string; collectingLog?: string[]; uploadingLog?: string[]; files: string[] }> {
  const files = await readInputFiles(cataloguePath, { ...options, what: "Artsy artworks and artists files" });
  const base = (f: InputFile) => f.name.split("/").pop()!.toLowerCase();
  const group = (re: RegExp) => files.filter((f) => re.test(base(f)));
  const artworks = group(/artworks/);
  const artists = group(/artists/);
  if (artworks.length === 0 || artists.length === 0) {
    throw new WorkbookError("INPUT_MISSING", `${cataloguePath} needs an artworks file and an artists file (names containing "artworks" and "artists", e.g. artworks.json and artists.json); it has ${files.map((f) => f.name).join(", ")}.`);
  }
  const lines = (fs: InputFile[]) => (fs.length === 0 ? undefined : fs.flatMap((f) => f.text.split("\n")).map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== ""));
  return {
    artworksJson: artworks.map((f) => artsyRecords(f.text, "artworks")).join("\n"),
    artistsJson: artists.map((f) => artsyRecords(f.text, "artists")).join("\n"),
    collectingLog: lines(group(/collecting/)),
    uploadingLog: lines(group(/uploading/)),
    files: [...artworks, ...artists, ...group(/collecting|uploading/)].map((f) => f.uri),
  };
}

/**
 * The data the notebook runs on: the catalogue at `cataloguePath` (and its logs, or logs generated
 * over its artworks), or, without it, the generated catalogue and logs. For your own catalogue `truth`
 * holds what the parsers rejected in it, and the bad log lines the generator planted (0 for your own logs).
 */
export async function artmosphereData(options: GenerateArtmosphereOptions & { cataloguePath?: string; storage?: ReadInputOptions["storage"] } = {}): Promise<ArtmosphereData> {
  const { cataloguePath, storage, ...generate } = options;
  if (!cataloguePath) return generateArtmosphere(generate);
  const files = await readCatalogueFiles(cataloguePath, { storage });
  const catalogue = parseCatalogue(files.artistsJson, files.artworksJson);
  const generated = !files.collectingLog || !files.uploadingLog ? generateArtmosphereLogs(catalogue.artworks, generate) : undefined;
  const collectingLog = files.collectingLog ?? generated!.collectingLog;
  const uploadingLog = files.uploadingLog ?? generated!.uploadingLog;
  const rejectedOf = (source: string) => catalogue.rejected.filter((r) => r.source === source).length;
  const firstCollect = Date.parse(collectingLog[0]?.split(",")[0] ?? "");
  return {
    artworks: catalogue.artworks,
    artists: catalogue.artists,
    artworksJson: files.artworksJson,
    artistsJson: files.artistsJson,
    collectingLog,
    uploadingLog,
    truth: { badArtworkLines: rejectedOf("artworks.json"), badArtistLines: rejectedOf("artists.json"), badCollectLines: files.collectingLog ? 0 : generated!.badCollectLines, badUploadLines: files.uploadingLog ? 0 : generated!.badUploadLines, streamStart: generated?.streamStart ?? (Number.isNaN(firstCollect) ? 0 : firstCollect) },
  };
}

/** The four files of the original layout, written to (or read from) a folder or the lake. */
import type { ArtmosphereData } from "./generate";

export const FILES = { artworks: "artworks.json", artists: "artists.json", collecting: "collecting.log", uploading: "uploading.log" } as const;

/** Anything that writes a whole file: a lake (`openLake()`), or a small adapter over a folder. */
export interface FileWriter {
  writeFile(path: string, data: string): Promise<unknown>;
}

/** Writes artworks.json, artists.json, collecting.log and uploading.log under `prefix`. */
export async function writeArtmosphere(target: FileWriter, data: ArtmosphereData, prefix = ""): Promise<string[]> {
  const at = (name: string) => (prefix ? `${prefix}/${name}` : name);
  await target.writeFile(at(FILES.artworks), data.artworksJson);
  await target.writeFile(at(FILES.artists), data.artistsJson);
  await target.writeFile(at(FILES.collecting), data.collectingLog.join("\n") + "\n");
  await target.writeFile(at(FILES.uploading), data.uploadingLog.join("\n") + "\n");
  return Object.values(FILES).map(at);
}

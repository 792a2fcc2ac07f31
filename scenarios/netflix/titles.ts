/**
 * movie_titles.csv: `ID,Year,Title`, Windows-1250 encoded, no quoting, and titles that contain
 * commas (`1,2003,Dinosaur Planet`; `12,1947,My Favorite Brunette, Again`). The original split the
 * line on every comma and kept the third field, truncating such titles; we split on the first two
 * commas only. Year may be `NULL` in the original file.
 */
import * as fs from "node:fs";
import { WorkbookError } from "../../lib/errors";

export type Title = {
  movieId: number;
  /** null when the file says NULL. */
  year: number | null;
  title: string;
};

/** Parses the text of a movie_titles.csv (already decoded). Throws on a malformed line. */
export function parseTitles(text: string, file = "movie_titles.csv"): Map<number, Title> {
  const titles = new Map<number, Title>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const a = line.indexOf(",");
    const b = a < 0 ? -1 : line.indexOf(",", a + 1);
    const id = a < 0 ? NaN : Number(line.slice(0, a));
    const yearText = b < 0 ? "" : line.slice(a + 1, b).trim();
    if (i === 0 && /^id$/i.test(line.slice(0, a).trim())) return; // tolerate a header line
    if (!Number.isInteger(id) || b < 0 || !(yearText === "NULL" || /^\d{4}$/.test(yearText))) {
      throw new WorkbookError("INPUT_INVALID", `${file} line ${i + 1} is not ID,Year,Title: ${JSON.stringify(line.slice(0, 80))}; fix or remove that line.`);
    }
    titles.set(id, { movieId: id, year: yearText === "NULL" ? null : Number(yearText), title: line.slice(b + 1) });
  });
  return titles;
}

/** Reads a movie_titles.csv in Windows-1250 (the original encoding). */
export function readTitles(file: string, options: { encoding?: string } = {}): Map<number, Title> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new WorkbookError("INPUT_MISSING", `titles file ${file} does not exist; pass a movie_titles.csv (e.g. data/netflix/movie_titles.csv).`, { cause: err });
  }
  return parseTitles(new TextDecoder(options.encoding ?? "windows-1250").decode(bytes), file);
}

let encodeTable: Map<string, number> | undefined;

/** Encodes text as Windows-1250; throws on a character that code page cannot hold. */
export function encodeWindows1250(text: string): Buffer {
  if (!encodeTable) {
    encodeTable = new Map();
    const decoder = new TextDecoder("windows-1250");
    for (let b = 0; b < 256; b++) encodeTable.set(decoder.decode(Uint8Array.of(b)), b);
  }
  const out = Buffer.alloc(text.length);
  let i = 0;
  for (const ch of text) {
    const b = encodeTable.get(ch);
    if (b === undefined) throw new WorkbookError("INPUT_INVALID", `character ${JSON.stringify(ch)} in ${JSON.stringify(text.slice(0, 40))} has no Windows-1250 code; use a character of that code page.`);
    out[i++] = b;
  }
  return out.subarray(0, i);
}

/** Writes titles as movie_titles.csv in Windows-1250 (CRLF line ends, like the original). */
export function writeTitles(file: string, titles: Iterable<Title>): void {
  const text = [...titles].map((t) => `${t.movieId},${t.year ?? "NULL"},${t.title}\r\n`).join("");
  fs.writeFileSync(file, encodeWindows1250(text));
}

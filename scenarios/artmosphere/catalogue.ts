/**
 * The catalogue in Artsy's JSON shape: one artwork or artist object per line (NDJSON), as the
 * original's crawler saved the Artsy API's answers. Each line is checked; a bad one is kept with
 * its reason instead of stopping the load (lines in = accepted + rejected).
 */
import { WorkbookError } from "../../lib/errors";

export interface Artwork {
  id: string;
  title: string;
  category: string;
  medium: string;
  /** As Artsy writes it: "1906", "c. 1890", "1915-1920", or "". */
  date: string;
  collecting_institution: string;
  artist_id: string;
  /** Artsy's genes: the traits the Art Genome Project tags a work with. */
  genes: string[];
}

export interface Artist {
  id: string;
  name: string;
  nationality: string;
  /** A year as text ("1840"), or "" when unknown. */
  birthday: string;
}

/** A line that was not accepted, with the reason. */
export type RejectedLine = {
  source: string;
  line_no: number;
  reason: string;
  line: string;
};

export interface Parsed<T> {
  ok: T[];
  rejected: RejectedLine[];
}

const ID = /^[0-9a-f]{24}$/;

function parseObject(line: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  return value as Record<string, unknown>;
}

function text(o: Record<string, unknown>, field: string, required: boolean): string | { reason: string } {
  const v = o[field];
  if (v === undefined || v === null) return required ? { reason: `${field} is missing` } : "";
  if (typeof v !== "string") return { reason: `${field} is not text (${JSON.stringify(v).slice(0, 40)})` };
  if (required && v.trim() === "") return { reason: `${field} is empty` };
  return v;
}

/** Checks one artwork line: id (24 hex digits), a title, an artist id, genes as a list of names. */
export function parseArtwork(line: string, artistIds?: ReadonlySet<string>): Artwork | { reason: string } {
  const o = parseObject(line);
  if (typeof o === "string") return { reason: o };
  const fields: Record<string, string> = {};
  for (const [f, required] of [["id", true], ["title", true], ["category", false], ["medium", false], ["date", false], ["collecting_institution", false], ["artist_id", true]] as const) {
    const v = text(o, f, required);
    if (typeof v !== "string") return v;
    fields[f] = v;
  }
  if (!ID.test(fields.id)) return { reason: `id ${JSON.stringify(fields.id)} is not 24 hexadecimal digits` };
  if (artistIds && !artistIds.has(fields.artist_id)) return { reason: `artist_id ${JSON.stringify(fields.artist_id)} is not in the artists file` };
  const genes = o.genes ?? [];
  if (!Array.isArray(genes) || genes.some((g) => typeof g !== "string" || g.trim() === "")) return { reason: `genes is not a list of gene names (${JSON.stringify(o.genes).slice(0, 40)})` };
  return {
    id: fields.id, title: fields.title, category: fields.category, medium: fields.medium, date: fields.date,
    collecting_institution: fields.collecting_institution, artist_id: fields.artist_id, genes: [...new Set(genes as string[])],
  };
}

/** Checks one artist line: id and name. */
export function parseArtist(line: string): Artist | { reason: string } {
  const o = parseObject(line);
  if (typeof o === "string") return { reason: o };
  const fields: Record<string, string> = {};
  for (const [f, required] of [["id", true], ["name", true], ["nationality", false], ["birthday", false]] as const) {
    const v = text(o, f, required);
    if (typeof v !== "string") return v;
    fields[f] = v;
  }
  if (!ID.test(fields.id)) return { reason: `id ${JSON.stringify(fields.id)} is not 24 hexadecimal digits` };
  return { id: fields.id, name: fields.name, nationality: fields.nationality, birthday: fields.birthday };
}

function parseLines<T extends { id: string }>(source: string, text: string, parse: (line: string) => T | { reason: string }): Parsed<T> {
  const ok: T[] = [];
  const rejected: RejectedLine[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const r = parse(line);
    if ("reason" in r) rejected.push({ source, line_no: i + 1, reason: r.reason, line });
    else if (seen.has(r.id)) rejected.push({ source, line_no: i + 1, reason: `id ${r.id} appears twice (the first one is kept)`, line });
    else {
      seen.add(r.id);
      ok.push(r);
    }
  });
  return { ok, rejected };
}

export interface Catalogue {
  artworks: Artwork[];
  artists: Artist[];
  rejected: RejectedLine[];
  /** Lines read (not counting blank ones): lines = artworks + artists + rejected. */
  lines: number;
}

/** Parses artists.json and artworks.json (NDJSON texts); an artwork must name a known artist. */
export function parseCatalogue(artistsText: string, artworksText: string): Catalogue {
  const artists = parseLines("artists.json", artistsText, parseArtist);
  const ids = new Set(artists.ok.map((a) => a.id));
  const artworks = parseLines("artworks.json", artworksText, (line) => parseArtwork(line, ids));
  const rejected = [...artists.rejected, ...artworks.rejected];
  if (artworks.ok.length === 0) {
    throw new WorkbookError("INPUT_INVALID", `artworks.json has no valid artwork (${artworks.rejected.length} rejected${artworks.rejected[0] ? `, e.g. line ${artworks.rejected[0].line_no}: ${artworks.rejected[0].reason}` : ""}); give a file of Artsy artwork objects, one per line.`);
  }
  return { artworks: artworks.ok, artists: artists.ok, rejected, lines: artists.ok.length + artworks.ok.length + rejected.length };
}

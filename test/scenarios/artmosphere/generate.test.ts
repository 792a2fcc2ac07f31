import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import { foldAccents } from "../../../scenarios/artmosphere/search";
import { parseCatalogue } from "../../../scenarios/artmosphere/catalogue";
import { parseCollect, parseUpload } from "../../../scenarios/artmosphere/logs";
import { COUNTRIES } from "../../../scenarios/artmosphere/countries";
import { ARTMOSPHERE_SAMPLE } from "../../../scenarios/artmosphere/scenario";
import { FILES } from "../../../scenarios/artmosphere/files";
import { isWorkbookError } from "../../../lib/errors";

test("the generator is seeded: the same options give the same files, another seed other files", () => {
  const a = generateArtmosphere({ artworks: 300, artists: 100, seed: 7 });
  const b = generateArtmosphere({ artworks: 300, artists: 100, seed: 7 });
  const c = generateArtmosphere({ artworks: 300, artists: 100, seed: 8 });
  assert.equal(a.artworksJson, b.artworksJson);
  assert.deepEqual(a.collectingLog, b.collectingLog);
  assert.deepEqual(a.uploadingLog, b.uploadingLog);
  assert.notEqual(a.artworksJson, c.artworksJson);
});

test("the catalogue parses into artworks, artists and the planted bad lines with their reasons (lines = accepted + rejected)", () => {
  const d = generateArtmosphere({ artworks: 500, artists: 200 });
  const cat = parseCatalogue(d.artistsJson, d.artworksJson);
  assert.equal(cat.artworks.length, 500);
  assert.equal(cat.artists.length, 200);
  assert.equal(cat.rejected.length, d.truth.badArtworkLines + d.truth.badArtistLines);
  const lines = (d.artistsJson + d.artworksJson).split("\n").filter((l) => l.trim() !== "").length;
  assert.equal(cat.lines, lines);
  const reasons = cat.rejected.map((r) => r.reason).join("\n");
  for (const want of [/not JSON/, /name is empty/, /title is missing/, /genes is not a list/, /is not in the artists file/, /not 24 hexadecimal digits/]) assert.match(reasons, want);
  assert.deepEqual(cat.artworks, d.artworks, "the good lines come back exactly");
});

test("titles come in several languages with accents, repeated words and near-duplicates", () => {
  const d = generateArtmosphere({ artworks: 2000, artists: 300 });
  const titles = d.artworks.map((a) => a.title);
  for (const t of ["Nymphéas", "Étude", "Water Lilies", "Water-Lilies", "Waterlilies"]) assert.ok(titles.some((x) => x.includes(t)), t);
  assert.ok(titles.filter((t) => /[À-ÿ]/.test(t)).length > 200, "many accented titles");
  const seen = new Map<string, number>();
  for (const t of titles) seen.set(t, (seen.get(t) ?? 0) + 1);
  assert.ok(titles.filter((t) => seen.get(t)! > 1).length > 200, "titles repeat (Untitled, Composition, Nymphéas...)");
  const words = new Set(titles.flatMap((t) => foldAccents(t).split(/[^\p{L}\p{N}]+/u).filter(Boolean)));
  assert.ok(words.size > 400, `a catalogue's vocabulary, not a few dozen stems (${words.size} distinct title words)`);
  const genes = d.artworks.map((a) => a.genes.length);
  assert.ok(Math.min(...genes) >= 3 && Math.max(...genes) <= 7);
});

test("it can make the original's size: 26,000 artworks and 45,000 artists with distinct ids", () => {
  const d = generateArtmosphere({ artworks: 26_000, artists: 45_000, uploads: 10, durationSeconds: 1 });
  assert.equal(d.artworks.length, 26_000);
  assert.equal(d.artists.length, 45_000);
  assert.equal(new Set([...d.artworks, ...d.artists].map((x) => x.id)).size, 71_000);
});

test("the logs are in the README's formats, in time order, with malformed lines rejected for a reason", () => {
  const d = generateArtmosphere({ artworks: 400, artists: 100, eventsPerSecond: 20, durationSeconds: 10, uploads: 500 });
  const ids = new Set(d.artworks.map((a) => a.id));
  const collects = d.collectingLog.map((l) => parseCollect(l, ids));
  assert.equal(collects.filter((r) => !r.ok).length, d.truth.badCollectLines);
  assert.equal(collects.filter((r) => r.ok).length, 200);
  assert.match(d.collectingLog[0], /^2016-02-01T12:00:0\d\.\d{3}Z,user_\d+,collected,[0-9a-f]{24}$/);
  const uploads = d.uploadingLog.map((l) => parseUpload(l, ids));
  assert.equal(uploads.filter((r) => !r.ok).length, d.truth.badUploadLines);
  assert.match(d.uploadingLog[0], /^2016-02-0\dT[\d:.]+Z,user_\d+,uploaded,[0-9a-f]{24},[A-Z]{2}$/);
  const reasons = [...collects, ...uploads].flatMap((r) => (r.ok ? [] : [r.reason])).join("\n");
  for (const want of [/3 columns, not 4/, /not a real date/, /action "liked" is not "collected"/, /not in the catalogue/, /"XX" is not a known country/, /"fr" is not an ISO 3166-1 alpha-2 code/, /4 columns, not 5/, /not ISO 8601/]) assert.match(reasons, want);
  for (const r of uploads) if (r.ok) assert.ok(COUNTRIES.has(r.value.country));
});

test("bad generator options are refused with the option named", () => {
  assert.throws(() => generateArtmosphere({ artworks: 0 }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /artworks=0/.test(e.message));
  assert.throws(() => generateArtmosphere({ startDay: "Feb 1" }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /startDay/.test(e.message));
});

test("the committed sample in data/artmosphere is what the generator writes with the documented options", () => {
  const d = generateArtmosphere(ARTMOSPHERE_SAMPLE.options);
  const read = (name: string) => fs.readFileSync(path.join(ARTMOSPHERE_SAMPLE.dir, name), "utf8");
  assert.equal(read(FILES.artworks), d.artworksJson);
  assert.equal(read(FILES.artists), d.artistsJson);
  assert.equal(read(FILES.collecting), d.collectingLog.join("\n") + "\n");
  assert.equal(read(FILES.uploading), d.uploadingLog.join("\n") + "\n");
});

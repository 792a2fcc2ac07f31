import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { openSql } from "../../../lib/sql";
import type { SqlDatabase } from "../../../lib/sql/sql";
import { config } from "../../../lib/config";
import { ArtSearch, foldAccents, naiveSearch, searchArtworks, searchWords } from "../../../scenarios/artmosphere/search";
import { generateArtmosphere } from "../../../scenarios/artmosphere/generate";
import type { Artist, Artwork } from "../../../scenarios/artmosphere/catalogue";

const hex = (n: number) => n.toString(16).padStart(24, "0");

/** A hand-made catalogue whose right answers are known. */
function handMade(): { artworks: Artwork[]; artists: Artist[] } {
  const artists: Artist[] = [
    { id: hex(101), name: "Claude Moreau", nationality: "France", birthday: "1840" },
    { id: hex(102), name: "Hilma Water", nationality: "Sweden", birthday: "1862" },
    { id: hex(103), name: "Georgia O'Keeffe", nationality: "United States of America", birthday: "1887" },
  ];
  const art = (n: number, title: string, artist = 101): Artwork => ({ id: hex(n), title, category: "Painting", medium: "Oil on canvas", date: "1900", collecting_institution: "", artist_id: hex(artist), genes: [] });
  return {
    artists,
    artworks: [
      art(1, "Water Lilies"), art(2, "Nymphéas"), art(3, "Study of Water"), art(4, "Étude pour les Nymphéas"), art(5, "Waterlilies"),
      art(6, "Water-Lilies (Study)"), art(7, "Portrait", 102), art(8, "Red Canna", 103), art(9, "Straße in Berlin"), art(10, "Nature morte \"aux pommes\" & vin"),
    ],
  };
}

function behaves(name: string, open: () => Promise<SqlDatabase>, skip: string | false = false) {
  describe(name, { skip }, () => {
    let db: SqlDatabase;
    let s: ArtSearch;
    const table = `art_search_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
    before(async () => {
      db = await open();
      s = await ArtSearch.create(db, handMade(), { table });
    });
    after(async () => {
      await db.exec(`DROP TABLE IF EXISTS ${table}; DROP TEXT SEARCH CONFIGURATION IF EXISTS ${table}_fts; DROP FUNCTION IF EXISTS ${table}_fold(text)`).catch(() => undefined);
      await db.close();
    });

    test("unaccent and pg_trgm are there, and the index is a GIN index on the tsvector", async () => {
      assert.deepEqual([s.capabilities.unaccent, s.capabilities.pg_trgm], [true, true], s.capabilities.notes.join(" "));
      assert.equal(await s.size(), 10);
      const { rows } = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname", [table]);
      assert.ok(rows.some((r) => /USING gin \(document\)/.test(r.indexdef)), JSON.stringify(rows));
    });

    test("'water lil' finds the titles with a word water and a word starting with lil, best first; not 'Waterlilies'", async () => {
      const r = await searchArtworks(db, "water lil", { table });
      assert.equal(r.mode, "full-text");
      assert.equal(r.tsquery, "water & lil:*");
      assert.deepEqual(r.hits.map((h) => h.id).sort(), [hex(1), hex(6)]);
      assert.equal(r.hits[0].id, hex(1), "the shorter title first when the ranks tie");
      assert.equal(r.hits[0].highlight, "<mark>Water</mark> <mark>Lilies</mark>");
    });

    test("accents are ignored both ways, and highlights keep the accents of the title", async () => {
      for (const q of ["nympheas", "Nymphéas", "NYMPHEAS"]) {
        const r = await s.search(q);
        assert.deepEqual(r.hits.map((h) => h.id), [hex(2), hex(4)], q);
      }
      const r = await s.search("etude");
      assert.deepEqual(r.hits.map((h) => h.id), [hex(4)]);
      assert.equal(r.hits[0].highlight, "<mark>Étude</mark> pour les Nymphéas");
      assert.deepEqual((await s.search("strasse")).hits.map((h) => h.id), [hex(9)], "ß folds to ss");
    });

    test("prefix matching for search-as-you-type: every prefix of 'nymph' finds more or the same", async () => {
      const counts: number[] = [];
      for (const q of ["n", "ny", "nym", "nymph", "nympheas"]) counts.push(await s.count(q));
      assert.ok(counts.every((c, i) => i === 0 || c <= counts[i - 1]), JSON.stringify(counts));
      assert.equal(counts[3], 2);
    });

    test("a title match ranks above an artist match", async () => {
      const r = await s.search("water");
      const ids = r.hits.map((h) => h.id);
      assert.ok(ids.includes(hex(7)), "the artist named Water is found");
      assert.equal(ids[ids.length - 1], hex(7), `artist-only match last: ${ids.join(", ")}`);
      assert.ok(r.hits[0].score > r.hits[r.hits.length - 1].score);
    });

    test("a typo falls back to trigram similarity", async () => {
      const r = await s.search("wter lilies");
      assert.equal(r.mode, "typo");
      assert.ok(r.hits.length >= 1);
      assert.match(r.hits[0].title, /^Water.Lilies/);
      assert.match(r.message, /close to "wter lilies"/);
    });

    test("bad input gets results or a clear message, never an SQL error", async () => {
      for (const q of ["", "   ", "!!!", "'", "\"", "&|!():*", "\\"]) {
        const r = await s.search(q);
        assert.equal(r.mode, "none", q);
        assert.match(r.message, /type at least one letter or digit/);
      }
      assert.deepEqual((await s.search("O'Keeffe")).hits.map((h) => h.id), [hex(8)]);
      for (const q of ["lil:*", "a & b | c", "); DROP TABLE x; --", "<script>", "water'", "'water"]) await s.search(q);
      assert.equal(await s.size(), 10, "the table is still there");
      assert.deepEqual((await s.search("pommes")).hits.map((h) => h.highlight), ["Nature morte &quot;aux <mark>pommes</mark>&quot; &amp; vin"], "titles are HTML-escaped");
    });

    test("the naive ILIKE misses the hyphenated and the accented titles", async () => {
      const naive = (await naiveSearch(db, "water lil", { table })).map((r) => r.id);
      assert.deepEqual(naive, [hex(1)], "ILIKE '%water lil%' finds only the exact phrase");
      assert.deepEqual((await naiveSearch(db, "nympheas", { table })).map((r) => r.id), []);
      assert.deepEqual((await naiveSearch(db, "100%", { table })).map((r) => r.id), [], "% is matched literally");
    });
  });
}

const url = config().sql.kind === "postgres" ? config().sql.url : undefined;
behaves("search in PGlite", () => openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] }));
behaves("search in the PostgreSQL server at DATABASE_URL", () => openSql({ url: url! }), url ? false : "DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/postgres)");

test("full-text hits on a generated catalogue equal an independent match of the folded words in TypeScript", { timeout: 180_000 }, async (t) => {
  const db = await openSql({ memory: true, extensions: ["unaccent", "pg_trgm"] });
  t.after(() => db.close());
  const d = generateArtmosphere({ artworks: 1500, artists: 400, seed: 3 });
  const s = await ArtSearch.create(db, d);
  const names = new Map(d.artists.map((a) => [a.id, a.name]));
  const words = (text: string) => foldAccents(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (const q of ["water lil", "nympheas", "Étude", "etude nymph", "jardin d", "portrait of", "mañana", "strasse", "sao paulo", "o'keeffe", "1"]) {
    const { words: qw } = searchWords(q);
    const want = d.artworks.filter((a) => {
      const doc = new Set([...words(a.title), ...words(names.get(a.artist_id) ?? ""), ...words(a.category)]);
      const folded = qw.map(foldAccents);
      return folded.slice(0, -1).every((w) => doc.has(w)) && [...doc].some((w) => w.startsWith(folded[folded.length - 1]));
    }).map((a) => a.id).sort();
    assert.deepEqual(await s.matchingIds(q), want, q);
    if (want.length > 0) assert.ok(want.length < d.artworks.length, `${q} is selective`);
  }
  // gin_clean_pending_list merges an index's pending list and says how many pages it held: built
  // before the load, the index held the whole load there, read through by every search
  const pending = await db.query<{ pages: string }>(`SELECT gin_clean_pending_list('${s.table}_document'::regclass)::text AS pages`);
  assert.equal(pending.rows[0].pages, "0", "the GIN index was built after the load: no pending list");
  const top = await s.search("water lil", { limit: 20 });
  assert.deepEqual(top.hits.map((h) => h.id), (await s.bruteForce("water lil", 20)).map((h) => h.id), "the index gives what a full scan gives");
  for (let i = 1; i < top.hits.length; i++) assert.ok(top.hits[i - 1].score >= top.hits[i].score, "ranked");
});

test("without the extensions (PGlite opened without them) accents are still folded, a typo finds nothing, and the notes say why", { timeout: 120_000 }, async (t) => {
  const db = await openSql({ memory: true });
  t.after(() => db.close());
  const s = await ArtSearch.create(db, handMade());
  assert.deepEqual([s.capabilities.unaccent, s.capabilities.pg_trgm], [false, false]);
  assert.match(s.capabilities.notes.join(" "), /unaccent is not available.*openSql\(\{ extensions/);
  assert.match(s.capabilities.notes.join(" "), /pg_trgm is not available/);
  assert.deepEqual((await s.search("nympheas")).hits.map((h) => h.id), [hex(2), hex(4)]);
  const typo = await s.search("wter lilies");
  assert.equal(typo.hits.length, 0);
  assert.match(typo.message, /pg_trgm is not available/);
  const reopened = await ArtSearch.open(db);
  assert.equal(reopened.capabilities.unaccent, false);
});

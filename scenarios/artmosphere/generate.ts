/**
 * A seeded generator of an Artsy-like catalogue and of the two event logs, in the original formats
 * (NDJSON catalogue, CSV-like logs), bad records included. The same options give the same files.
 *
 * Titles come in several languages with accents ("Nymphéas", "Étude"), repeat words across works
 * and include near-duplicates ("Water Lilies", "Water-Lilies", "Waterlilies"), so a search has
 * something to get right. Most titles are composed, as most of a real catalogue's are ("View of
 * Toledo", "Vue de Honfleur", "Red Horses", "Portrait of a Dancer"), so 26,000 artworks have some 540
 * distinct title words and a word matches tens to hundreds of works, not thousands. Genes follow the category (a painting draws most of its genes from the
 * painting genes), so "similar artworks" means something. Collects follow a long tail: a few works
 * are collected far more than the rest.
 */
import { seededRandom } from "../../lib/random";
import { WorkbookError } from "../../lib/errors";
import type { Artist, Artwork } from "./catalogue";
import { COUNTRIES } from "./countries";
import { collectLine, uploadLine, type CollectEvent, type UploadEvent } from "./logs";

export interface GenerateArtmosphereOptions {
  /** Artworks in the catalogue. Default 3000 (the original crawled 26,000). */
  artworks?: number;
  /** Artists. Default 1500 (the original had 45,000). */
  artists?: number;
  /** Collect events per second of the live stream. Default 50. */
  eventsPerSecond?: number;
  /** Length of the live stream in seconds. Default 12. */
  durationSeconds?: number;
  /** Upload events in all. Default 3000. */
  uploads?: number;
  /** Days the uploads cover, from `startDay`. Default 7. */
  days?: number;
  /** First day of the logs. Default "2016-02-01" (the original's month). */
  startDay?: string;
  /** Default 42. */
  seed?: number;
}

export const ARTMOSPHERE_DEFAULTS = { artworks: 3000, artists: 1500, eventsPerSecond: 50, durationSeconds: 12, uploads: 3000, days: 7, startDay: "2016-02-01", seed: 42 } as const;

export interface ArtmosphereData {
  artworks: Artwork[];
  artists: Artist[];
  /** artworks.json and artists.json: one JSON object per line, bad lines included. */
  artworksJson: string;
  artistsJson: string;
  /** collecting.log and uploading.log, bad lines included, in time order. */
  collectingLog: string[];
  uploadingLog: string[];
  /** What was planted, for tests. */
  truth: { badArtworkLines: number; badArtistLines: number; badCollectLines: number; badUploadLines: number; streamStart: number };
}

export const CATEGORIES = ["Painting", "Photography", "Sculpture", "Drawing, Collage or other Work on Paper", "Print", "Design/Decorative Art", "Textile Arts", "Ceramics", "Installation", "Video/Film/Animation", "Architecture", "Jewelry"];

const MEDIUMS: Record<string, string[]> = {
  Painting: ["Oil on canvas", "Huile sur toile", "Acrylic on canvas", "Tempera on panel", "Óleo sobre lienzo"],
  Photography: ["Gelatin silver print", "Chromogenic print", "Albumen print", "Épreuve argentique"],
  Sculpture: ["Bronze", "Marble", "Painted steel", "Terracotta", "Bois sculpté"],
};

const TITLES = [
  // English
  "Water Lilies", "Water-Lilies", "Waterlilies", "Water Lily Pond", "Haystacks", "Still Life with Apples", "Portrait of a Lady", "Self-Portrait",
  "Landscape", "Seascape", "The Bridge", "Cathedral", "Garden in Spring", "Sunflowers", "Bathers", "Dancers", "Harbour at Night",
  "Composition", "Study", "Untitled", "Morning Light", "The Red Room", "Blue Nude", "Woman Reading", "Mountain Lake",
  // French
  "Nymphéas", "Les Nymphéas", "Étude", "Étude pour les Nymphéas", "Paysage", "Nature morte", "Les Baigneuses", "Le Pont japonais",
  "Jardin d'été", "Femme à l'ombrelle", "Cathédrale de Rouen", "Danseuses bleues", "Marée basse", "Église d'Auvers", "Forêt en hiver",
  // German
  "Mädchen am Fenster", "Bäume im Frühling", "Selbstbildnis", "Landschaft mit Kühen", "Blühende Wiese", "Straße in Berlin",
  // Spanish, Italian, Portuguese
  "Bodegón", "Niña con paloma", "Paisaje", "Mañana de verano", "Jardín de noche", "Città ideale", "Veduta di Venezia", "Ritratto di donna",
  "Natura morta", "Coração", "São Paulo à noite",
];
const QUALIFIERS = ["I", "II", "III", "(Study)", "No. 3", "No. 7", "at Giverny", "in Blue", "at Dusk", "with Figures", "(Sketch)", "(Étude)", "— Variation", "1", "2"];

const FIRST = ["Claude", "Berthe", "Camille", "Édouard", "Frida", "José", "Gustav", "Käthe", "Joan", "Hilma", "Agnès", "Søren", "Mary", "Georgia", "Hokusai", "Amrita", "Tarsila", "Élisabeth", "Joaquín", "Zoë", "Paul", "Vincent", "Rosa", "Henri"];
const LAST = ["Moreau", "Lefèvre", "Núñez", "Müller", "Schröder", "Rossi", "Bianchi", "O'Keeffe", "García", "Dupré", "Sørensen", "Kahlo-Ruiz", "Amaral", "Brontë", "Castañeda", "Weiß", "Kowalski", "Nakamura", "Sher-Gil", "Cassatt", "Vigée", "Gauguin", "Bonheur", "Matisse"];
const INSTITUTIONS = ["Musée d'Orsay", "Museum of Modern Art", "Tate", "Rijksmuseum", "Museo Nacional del Prado", "Kunsthalle Wien", "Art Institute of Chicago", "Pinacoteca de São Paulo", "", "", ""];

const ADJECTIVES = ["Abstract", "Bright", "Dark", "Geometric", "Gestural", "Muted", "Vivid", "Figurative", "Minimal", "Textured", "Serene", "Dramatic", "Urban", "Rural", "Nocturnal", "Sunlit", "Flat", "Layered", "Monochrome", "Colourful", "Expressive", "Realist", "Surreal", "Naive", "Ornamental", "Lyrical", "Austere", "Playful", "Melancholic", "Political", "Intimate", "Monumental", "Fragmented", "Symmetrical", "Hazy", "Luminous", "Earthy", "Pastel", "Stark", "Rhythmic", "Atmospheric", "Classical", "Modernist", "Folk", "Industrial", "Spiritual", "Botanical", "Coastal", "Alpine", "Tropical"];
const NOUNS = ["Landscapes", "Portraits", "Flowers", "Water", "Cityscapes", "Interiors", "Nudes", "Animals", "Still Lifes", "Seascapes", "Gardens", "Architecture", "Crowds", "Mythology", "Religion", "Dance", "Music", "Work", "Leisure", "Travel", "Trees", "Skies", "Light", "Shadows", "Bodies", "Faces", "Machines", "Text", "Patterns", "Ruins", "Rivers", "Bridges", "Boats", "Horses", "Birds", "Children", "Families", "Markets", "Streets", "Windows", "Mirrors", "Fruit", "Bottles", "Books", "Clouds", "Snow", "Rain", "Fire", "Night", "Dreams", "Masks", "Maps", "Ports", "Railways", "Cafés", "Theatres", "Circus", "Bathers", "Harvests", "Storms"];
/** Every gene name: 50 adjectives x 60 nouns, 3,000 genes (Artsy's Art Genome Project has about 1,000). */
export const GENES = ADJECTIVES.flatMap((a) => NOUNS.map((n) => `${a} ${n}`));

// Composed titles, as most of a real catalogue's are: a subject and a place, or a description, in
// several languages, so that a 26,000-artwork catalogue has hundreds of distinct title words and a
// word matches tens to hundreds of works rather than thousands.
const PLACES = [
  "Giverny", "Argenteuil", "Étretat", "Honfleur", "Montmartre", "Pontoise", "Arles", "Aix", "Collioure", "Céret", "Vétheuil", "Louveciennes", "Marly", "Rouen", "Le Havre",
  "Dieppe", "Pourville", "Fécamp", "Saint-Tropez", "Antibes", "Nice", "Menton", "Bordeaux", "Lyon", "Nîmes", "Orléans", "Chartres", "Besançon", "Sèvres", "Montréal",
  "Québec", "Venise", "Venezia", "Venice", "Firenze", "Florence", "Roma", "Rome", "Napoli", "Naples", "Capri", "Sorrento", "Amalfi", "Verona", "Siena",
  "Assisi", "Torino", "Genova", "Palermo", "Taormina", "Milano", "Bologna", "Padova", "Sevilla", "Córdoba", "Granada", "Toledo", "Málaga", "Cádiz", "Valencia",
  "Barcelona", "Madrid", "Segovia", "Ávila", "Zaragoza", "Lisboa", "Porto", "Sintra", "Coimbra", "Évora", "Köln", "München", "Düsseldorf", "Nürnberg", "Würzburg",
  "Lübeck", "Dresden", "Weimar", "Potsdam", "Hamburg", "Bremen", "Zürich", "Genève", "Luzern", "Wien", "Salzburg", "Innsbruck", "Praha", "Kraków", "Gdańsk",
  "Budapest", "Amsterdam", "Haarlem", "Delft", "Leiden", "Brugge", "Gent", "Antwerpen", "Bruxelles", "London", "Chelsea", "Hampstead", "Brighton", "Whitby", "Dover",
  "Edinburgh", "Dublin", "Galway", "Skagen", "Bergen", "Oslo", "Stockholm", "København", "Helsinki", "Tangier", "Marrakech", "Cairo", "Giza", "Istanbul", "Smyrna",
  "Athens", "Delos", "Jerusalem", "Benares", "Kyoto", "Edo", "Nagasaki", "Fuji", "Peking", "Canton", "Bali", "Tahiti", "Papeete", "Mexico", "Oaxaca",
  "Coyoacán", "Havana", "Lima", "Cuzco", "Bogotá", "Quito", "Valparaíso", "Montevideo", "Manhattan", "Brooklyn", "Coney Island", "Gloucester", "Nantucket", "Taos", "Santa Fe",
  "Yosemite", "Niagara", "Chicago", "Boston", "Philadelphia", "New Orleans", "Charleston", "Savannah", "Montauk", "Provincetown",
];
const SUBJECTS_EN = ["View of", "Harbour at", "Bridge at", "Road to", "Garden at", "Church at", "Snow at", "Evening at", "Market in", "Rooftops of", "Boats at", "Beach at", "Cliffs at", "Street in",
  "Houses at", "Poplars at", "River at", "Station at", "Carnival in", "Fog over", "Sunset over", "Storm over", "Washerwomen at", "Fishermen of", "Orchard at", "Vineyard near", "Lighthouse at", "Quay at", "Square in", "Night in"];
const SUBJECTS_FR = ["Vue de", "Le Port de", "Le Pont de", "La Route de", "Jardin à", "L'Église de", "Neige à", "Soir à", "Marché à", "Les Toits de", "Barques à", "Plage de", "Falaises d'", "Rue à",
  "Maisons à", "Peupliers à", "Bords de Seine à", "Gare de", "Brouillard sur", "Coucher de soleil à", "Tempête à", "Lavandières à", "Pêcheurs de", "Verger à", "Vignes près de", "Phare de", "Quai à", "Place à"];
const SUBJECTS_DE = ["Ansicht von", "Hafen von", "Brücke in", "Straße nach", "Garten in", "Kirche in", "Winter in", "Abend in", "Markt in", "Dächer von", "Strand bei", "Häuser in", "Fluss bei", "Nebel über"];
const SUBJECTS_ES = ["Vista de", "Puerto de", "Puente de", "Camino a", "Jardín en", "Iglesia de", "Nieve en", "Tarde en", "Mercado de", "Tejados de", "Playa de", "Calle de", "Río en", "Niebla sobre"];
const SUBJECTS_IT = ["Veduta di", "Porto di", "Ponte di", "Strada per", "Giardino a", "Chiesa di", "Neve a", "Sera a", "Mercato di", "Tetti di", "Spiaggia di", "Via a", "Fiume a", "Nebbia su"];
const COLOURS = ["Red", "Blue", "Yellow", "Green", "White", "Black", "Grey", "Golden", "Violet", "Pink", "Orange", "Silver", "Crimson", "Ochre", "Turquoise", "Scarlet", "Indigo", "Amber"];
const THINGS = ["Horses", "Horse", "Boats", "Boat", "Birds", "Bird", "Vase", "Vases", "Chair", "Room", "Window", "Door", "Tree", "Trees", "Fish", "Figure", "Figures", "Square", "Circle", "Lines",
  "Mountain", "Mountains", "Cow", "Cows", "Dog", "Cat", "Bottle", "Jug", "Curtain", "Dress", "Hat", "Umbrella", "Staircase", "Tower", "Balcony", "Field", "Fields", "Sky", "Sea", "Moon", "Sun",
  "Lemons", "Oranges", "Peaches", "Pears", "Irises", "Roses", "Peonies", "Poppies", "Tulips", "Lilacs", "Chrysanthemums", "Anemones", "Guitar", "Violin", "Piano", "Mandolin", "Shell", "Skull", "Mask"];
const PEOPLE_EN = ["Portrait of", "Head of", "Study of", "Bust of", "Madame", "Monsieur", "The Artist's Wife,", "The Artist's Mother,", "Young", "Old", "Little", "Seated", "Standing", "Sleeping"];
const ROLES = ["Girl", "Boy", "Woman", "Man", "Dancer", "Reader", "Singer", "Fisherman", "Peasant", "Sailor", "Model", "Bather", "Harlequin", "Acrobat", "Clown", "Mother and Child", "Couple", "Laundress",
  "Seamstress", "Gardener", "Musician", "Cellist", "Boxer", "Jockey", "Nun", "Soldier", "Poet", "Philosopher", "Saint Jerome", "Madonna", "Venus", "Diana", "Orpheus", "Icarus", "Salomé", "Ophélie"];
const CONCEPTS = ["Composition", "Construction", "Improvisation", "Rhythm", "Tension", "Harmony", "Silence", "Memory", "Echo", "Passage", "Threshold", "Fragment", "Horizon", "Gravity", "Drift",
  "Equilibrium", "Resonance", "Interval", "Vertigo", "Reverie", "Élan", "Träumerei", "Stille", "Nostalgia", "Saudade", "Duende", "Vuoto", "Souvenir", "Rêverie", "Mélancolie", "Sehnsucht", "Anhelo"];
const NUMBERING = ["I", "II", "III", "IV", "V", "No. 1", "No. 2", "No. 5", "No. 12", "No. 23", "#4", "#17", "(Study)", "(Sketch)", "(Étude)", "(Variant)", "— Variation"];

function makeTitle(rand: () => number): string {
  const x = rand();
  if (x < 0.22) return rand() < 0.45 ? `${pick(rand, TITLES)} ${pick(rand, QUALIFIERS)}` : pick(rand, TITLES);
  const place = () => pick(rand, PLACES);
  if (x < 0.42) return `${pick(rand, SUBJECTS_EN)} ${place()}`;
  if (x < 0.52) {
    const s = pick(rand, SUBJECTS_FR);
    return s.endsWith("'") ? `${s}${place()}` : `${s} ${place()}`;
  }
  if (x < 0.56) return `${pick(rand, SUBJECTS_DE)} ${place()}`;
  if (x < 0.60) return `${pick(rand, SUBJECTS_ES)} ${place()}`;
  if (x < 0.64) return `${pick(rand, SUBJECTS_IT)} ${place()}`;
  if (x < 0.76) return rand() < 0.5 ? `${pick(rand, COLOURS)} ${pick(rand, THINGS)}` : `${pick(rand, THINGS)} and ${pick(rand, THINGS)}`;
  if (x < 0.88) return `${pick(rand, PEOPLE_EN)} ${pick(rand, ROLES)}${rand() < 0.3 ? ` in ${place()}` : ""}`;
  return `${pick(rand, CONCEPTS)} ${pick(rand, NUMBERING)}`;
}

function hexId(rand: () => number): string {
  let s = "";
  for (let i = 0; i < 24; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

function positive(name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new WorkbookError("OPTIONS_INVALID", `${name}=${v} must be a whole number, ${min} or more.`);
  return v;
}

/**
 * The collect and upload logs over a catalogue's artworks (bad lines included), from `rand`: the
 * generator's own stream after the catalogue, or a fresh one for a catalogue of your own.
 */
function generateLogs(rand: () => number, artworks: readonly Artwork[], o: Required<GenerateArtmosphereOptions>, startMs: number) {
  // collects: a live stream starting at noon of the first day, long-tailed popularity
  const streamStart = startMs + 12 * 3600_000;
  const ranked = artworks.map((a) => a.id);
  for (let i = ranked.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ranked[i], ranked[j]] = [ranked[j], ranked[i]];
  }
  const weights = ranked.map((_, k) => 1 / Math.pow(k + 1, 1.1));
  const cumulative: number[] = [];
  weights.reduce((sum, w, k) => (cumulative[k] = sum + w), 0);
  const total = cumulative[cumulative.length - 1];
  const popular = () => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return ranked[lo];
  };
  const users = Math.max(10, Math.floor(o.artworks / 3));
  const collects: CollectEvent[] = [];
  const count = o.eventsPerSecond * o.durationSeconds;
  for (let i = 0; i < count; i++) {
    collects.push({ ts: streamStart + Math.floor((i * 1000) / o.eventsPerSecond + rand() * 300), user_id: `user_${Math.floor(rand() * users)}`, artwork_id: popular() });
  }
  collects.sort((a, b) => a.ts - b.ts);
  const collectingLog = collects.map(collectLine);
  const iso = (ms: number) => new Date(ms).toISOString();
  const badCollects = [
    `${iso(streamStart + 1500)},user_1,collected`,
    `2016-02-30T12:00:01.000Z,user_2,collected,${artworks[0].id}`,
    `${iso(streamStart + 2500)},user_3,liked,${artworks[0].id}`,
    `${iso(streamStart + 3500)},user_4,collected,${"0".repeat(24)}`,
  ];
  badCollects.forEach((line, k) => collectingLog.splice(Math.min(collectingLog.length, Math.floor(((k + 1) * collectingLog.length) / (badCollects.length + 2))), 0, line));

  // uploads: spread over the days, most from a few countries
  const countries = [...COUNTRIES.values()];
  const countryWeights = countries.map((c) => ({ c, w: ["US", "FR", "GB", "DE"].includes(c.alpha2) ? 12 : ["IT", "ES", "JP", "CN", "BR", "NL"].includes(c.alpha2) ? 5 : 1 }));
  const countryTotal = countryWeights.reduce((s, x) => s + x.w, 0);
  const uploads: UploadEvent[] = [];
  for (let i = 0; i < o.uploads; i++) {
    let x = rand() * countryTotal;
    let country = countryWeights[0].c.alpha2;
    for (const cw of countryWeights) {
      x -= cw.w;
      if (x < 0) {
        country = cw.c.alpha2;
        break;
      }
    }
    uploads.push({ ts: startMs + Math.floor(rand() * o.days * 86_400_000), user_id: `user_${Math.floor(rand() * users)}`, artwork_id: pick(rand, artworks).id, country });
  }
  uploads.sort((a, b) => a.ts - b.ts);
  const uploadingLog = uploads.map(uploadLine);
  const badUploads = [
    `${iso(startMs + 3600_000)},user_5,uploaded,${artworks[0].id},XX`,
    `${iso(startMs + 7200_000)},user_6,uploaded,${artworks[0].id},fr`,
    `${iso(startMs + 9000_000)},user_7,uploaded,${artworks[0].id}`,
    `yesterday,user_8,uploaded,${artworks[0].id},FR`,
  ];
  badUploads.forEach((line, k) => uploadingLog.splice(Math.min(uploadingLog.length, Math.floor(((k + 1) * uploadingLog.length) / (badUploads.length + 1))), 0, line));

  return { collectingLog, uploadingLog, badCollectLines: badCollects.length, badUploadLines: badUploads.length, streamStart };
}

/**
 * Collect and upload logs for a catalogue of your own (its valid artworks), seeded as the generator
 * is: `eventsPerSecond`, `durationSeconds`, `uploads`, `days`, `startDay`, `seed` as for generateArtmosphere.
 */
export function generateArtmosphereLogs(artworks: readonly Artwork[], options: GenerateArtmosphereOptions = {}): { collectingLog: string[]; uploadingLog: string[]; badCollectLines: number; badUploadLines: number; streamStart: number } {
  if (artworks.length === 0) throw new WorkbookError("INPUT_INVALID", "generateArtmosphereLogs needs at least one artwork; parse a catalogue with valid artworks first.");
  const o = { ...ARTMOSPHERE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<GenerateArtmosphereOptions>;
  const startMs = Date.parse(`${o.startDay}T00:00:00Z`);
  const logs = generateLogs(seededRandom(o.seed), artworks, { ...o, artworks: artworks.length }, startMs);
  return logs;
}

/** Generates the catalogue and logs. */
export function generateArtmosphere(options: GenerateArtmosphereOptions = {}): ArtmosphereData {
  const o = { ...ARTMOSPHERE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Required<GenerateArtmosphereOptions>;
  positive("artworks", o.artworks);
  positive("artists", o.artists);
  positive("eventsPerSecond", o.eventsPerSecond);
  positive("durationSeconds", o.durationSeconds);
  positive("uploads", o.uploads, 0);
  positive("days", o.days);
  const startMs = Date.parse(`${o.startDay}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.startDay) || Number.isNaN(startMs)) throw new WorkbookError("OPTIONS_INVALID", `startDay ${JSON.stringify(o.startDay)} is not a date YYYY-MM-DD; use e.g. "2016-02-01".`);
  const rand = seededRandom(o.seed);
  const titleRand = seededRandom(o.seed * 7919 + 17);

  const ids = new Set<string>();
  const newId = () => {
    for (;;) {
      const id = hexId(rand);
      if (!ids.has(id)) {
        ids.add(id);
        return id;
      }
    }
  };
  const countries = [...COUNTRIES.values()];
  const artists: Artist[] = [];
  for (let i = 0; i < o.artists; i++) {
    const year = 1780 + Math.floor(rand() * 200);
    artists.push({ id: newId(), name: `${pick(rand, FIRST)} ${pick(rand, LAST)}`, nationality: pick(rand, countries).name, birthday: rand() < 0.1 ? "" : String(year) });
  }
  // each category draws most genes from its own pool, sized so that a gene has some 30 artworks at any catalogue size
  const poolSize = Math.min(400, Math.max(20, Math.round(o.artworks / 100)));
  const categoryGenes = new Map(CATEGORIES.map((c) => [c, Array.from({ length: poolSize }, () => pick(rand, GENES))]));
  const artworks: Artwork[] = [];
  for (let i = 0; i < o.artworks; i++) {
    const category = pick(rand, CATEGORIES);
    const artist = pick(rand, artists);
    const born = Number(artist.birthday) || 1850;
    const year = born + 20 + Math.floor(rand() * 50);
    const own = categoryGenes.get(category)!;
    const genes = new Set<string>();
    const n = 3 + Math.floor(rand() * 5);
    while (genes.size < n) genes.add(rand() < 0.8 ? pick(rand, own) : pick(rand, GENES));
    // the three draws of the first title generator are kept, so genes and logs stay as they were;
    // the title itself comes from its own seeded stream
    if (rand() < 0.45) rand();
    rand();
    const title = makeTitle(titleRand);
    artworks.push({
      id: newId(),
      title,
      category,
      medium: pick(rand, MEDIUMS[category] ?? ["Mixed media", "Technique mixte", "Técnica mixta"]),
      date: rand() < 0.15 ? `c. ${year}` : rand() < 0.1 ? `${year}-${year + 3}` : String(year),
      collecting_institution: pick(rand, INSTITUTIONS),
      artist_id: artist.id,
      genes: [...genes].sort(),
    });
  }

  // catalogue files with planted bad lines, at fixed places
  const artistLines = artists.map((a) => JSON.stringify(a));
  const badArtists = ['{"id": "5', `{"id":"${"f".repeat(24)}","name":"","nationality":"France","birthday":"1850"}`];
  artistLines.splice(Math.min(3, artistLines.length), 0, ...badArtists);
  const artworkLines = artworks.map((a) => JSON.stringify(a));
  const badArtworks = [
    JSON.stringify({ id: "e".repeat(24), category: "Painting", medium: "Oil on canvas", date: "1900", collecting_institution: "", artist_id: artists[0].id, genes: ["Bright Water"] }),
    JSON.stringify({ id: "d".repeat(24), title: "Nymphéas (fake)", category: "Painting", artist_id: artists[0].id, genes: "Bright Water" }),
    JSON.stringify({ id: "c".repeat(24), title: "Orphan", category: "Painting", artist_id: "0".repeat(24), genes: [] }),
    JSON.stringify({ id: "not-an-artsy-id", title: "Bad id", category: "Painting", artist_id: artists[0].id, genes: [] }),
    "Nymphéas, 1916, oil on canvas",
  ];
  badArtworks.forEach((line, k) => artworkLines.splice(Math.min(artworkLines.length, Math.floor(((k + 1) * artworkLines.length) / (badArtworks.length + 1))), 0, line));

  const { collectingLog, uploadingLog, badCollectLines, badUploadLines, streamStart } = generateLogs(rand, artworks, o, startMs);

  return {
    artworks,
    artists,
    artworksJson: artworkLines.join("\n") + "\n",
    artistsJson: artistLines.join("\n") + "\n",
    collectingLog,
    uploadingLog,
    truth: { badArtworkLines: badArtworks.length, badArtistLines: badArtists.length, badCollectLines, badUploadLines, streamStart },
  };
}

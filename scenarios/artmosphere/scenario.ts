/**
 * What the notebook shows: a search box's results with highlights, and an artwork card with its
 * similar artworks (the card reads the artwork from PostgreSQL and its similar artworks from the
 * warehouse table the batch wrote).
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";
import { config } from "../../lib/config";
import { kafka as configuredKafka } from "../../lib/kafka";
import type { SqlDatabase } from "../../lib/sql/sql";
import { readDeadLetters, type DeadLetter } from "../../lib/stream/dead-letters";
import { POPULARITY_TABLE, startLivePopularity, type LivePopularity } from "./popularity";
import { escapeHtml, publish } from "../../lib/display/output";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { WorkbookError } from "../../lib/errors";
import type { ArtSearch, SearchResult } from "./search";
import { SIMILARITY_TABLES, similarArtworks, type SimilarArtwork } from "./similarity";

/** The committed sample: `workbook data artmosphere --artworks 200 --artists 100 --events-per-second 25 --duration 4 --uploads 300`. */
export const ARTMOSPHERE_SAMPLE = {
  dir: path.join(projectRoot, "data", "artmosphere"),
  options: { artworks: 200, artists: 100, eventsPerSecond: 25, durationSeconds: 4, uploads: 300 },
} as const;

/** Shows search results as a search box would: what was typed, how it was searched, the hits with their highlights. */
export function showSearchResults(result: SearchResult): void {
  const lines = result.hits.map((h, i) => `${String(i + 1).padStart(2)}. ${h.title}  -  ${h.artist}  [${h.category}]  score ${h.score.toFixed(3)}  ${h.id}`);
  const text = [`search: ${JSON.stringify(result.text)} -> ${result.tsquery || "(nothing to search)"} [${result.mode}, ${result.ms.toFixed(1)} ms]`, result.message, ...lines].join("\n");
  const items = result.hits.map((h) => `<li><span style="font-size:1.05em">${h.highlight}</span> <span style="color:#555">- ${escapeHtml(h.artist)} · ${escapeHtml(h.category)} · score ${h.score.toFixed(3)}</span> <code style="color:#999">${h.id}</code></li>`).join("");
  publish({
    "text/plain": text,
    "text/html": `<div style="font-family:sans-serif"><div style="border:1px solid #aaa;border-radius:14px;padding:4px 12px;width:360px">&#128269; ${escapeHtml(result.text)}</div>`
      + `<div style="color:#555;margin:4px 0"><code>${escapeHtml(result.tsquery)}</code> · ${result.mode} · ${result.ms.toFixed(1)} ms · ${escapeHtml(result.message)}</div><ol>${items}</ol></div>`,
  });
}

export interface ArtworkCard {
  artwork: Record<string, unknown>;
  genes: string[];
  similar: Array<SimilarArtwork & { title: string; artist: string }>;
}

/** Reads one artwork (PostgreSQL), its genes and its similar artworks (warehouse) and shows them as a card. */
export async function showArtworkCard(search: ArtSearch, wh: Warehouse, artworkId: string): Promise<ArtworkCard> {
  const { rows } = await search.db.query<Record<string, unknown>>(`SELECT id, title, artist_name, category, medium, date, collecting_institution FROM ${search.table} WHERE id = $1`, [artworkId]);
  if (rows.length === 0) throw new WorkbookError("INPUT_INVALID", `artwork ${JSON.stringify(artworkId)} is not in the search index; pick an id from the search results.`);
  const artwork = rows[0];
  const genes = (await wh.query<{ gene: string }>(`SELECT gene FROM ${SIMILARITY_TABLES.genes} WHERE artwork_id = @id ORDER BY gene`, { id: artworkId })).rows.map((r) => r.gene);
  const similar = await similarArtworks(wh, artworkId);
  const names = new Map((await search.db.query<{ id: string; title: string; artist_name: string | null }>(`SELECT id, title, artist_name FROM ${search.table} WHERE id = ANY($1::text[])`, [similar.map((s) => s.similar_id)])).rows.map((r) => [r.id, r]));
  const card = { artwork, genes, similar: similar.map((s) => ({ ...s, title: names.get(s.similar_id)?.title ?? "?", artist: names.get(s.similar_id)?.artist_name ?? "" })) };
  const text = [
    `${String(artwork.title)} - ${String(artwork.artist_name ?? "")} (${String(artwork.date)}), ${String(artwork.category)}, ${String(artwork.medium)}${artwork.collecting_institution ? `, ${String(artwork.collecting_institution)}` : ""}`,
    `genes: ${genes.join(", ")}`,
    "similar artworks (shared genes, Jaccard):",
    ...card.similar.map((s) => `  ${s.rank}. ${s.title} - ${s.artist} (${s.shared_genes}, ${s.jaccard.toFixed(3)}) ${s.similar_id}`),
  ].join("\n");
  const li = card.similar.map((s) => `<tr><td>${s.rank}</td><td>${escapeHtml(s.title)}</td><td>${escapeHtml(s.artist)}</td><td>${s.shared_genes}</td><td>${s.jaccard.toFixed(3)}</td><td><code>${s.similar_id}</code></td></tr>`).join("");
  publish({
    "text/plain": text,
    "text/html": `<div style="font-family:sans-serif;border:1px solid #ccc;border-radius:6px;padding:8px 12px;max-width:720px">`
      + `<div style="font-size:1.2em;font-weight:bold">${escapeHtml(String(artwork.title))}</div>`
      + `<div>${escapeHtml(String(artwork.artist_name ?? ""))} · ${escapeHtml(String(artwork.date))} · ${escapeHtml(String(artwork.category))} · ${escapeHtml(String(artwork.medium))}${artwork.collecting_institution ? ` · ${escapeHtml(String(artwork.collecting_institution))}` : ""}</div>`
      + `<div style="color:#555;margin:4px 0">genes: ${genes.map(escapeHtml).join(", ")}</div>`
      + `<table><tr><th>#</th><th>similar artwork</th><th>artist</th><th>shared genes</th><th>Jaccard</th><th>id</th></tr>${li}</table></div>`,
  });
  return card;
}

export interface ArtmosphereStream extends LivePopularity {
  table: string;
  /** The malformed and late collects, with their reasons, read back from the dead-letter topic. */
  deadLetters(): Promise<DeadLetter[]>;
}

/**
 * Starts a live run on the configured Kafka (embedded broker, or KAFKA_BROKERS): a fresh topic
 * named after a run id, the popularity table emptied, the processor, and the real-time replay of
 * `lines`. `done` resolves when the stream has been processed to its end.
 */
export async function startArtmosphereStream(options: { sql: SqlDatabase; lines: string[]; artworkIds: ReadonlySet<string>; speed?: number; table?: string }): Promise<ArtmosphereStream> {
  const id = randomUUID().slice(0, 8);
  const table = options.table ?? POPULARITY_TABLE;
  const k = await configuredKafka({ clientId: "artmosphere" });
  await options.sql.exec(`DROP TABLE IF EXISTS ${table}`);
  const live = await startLivePopularity({
    kafka: k,
    sql: options.sql,
    artworkIds: options.artworkIds,
    topic: `artmosphere-collects-${id}`,
    checkpointDir: path.join(config().home, "artmosphere", `checkpoint-${id}`),
    table,
    lines: options.lines,
    speed: options.speed,
  });
  return { ...live, table, deadLetters: () => readDeadLetters(k, live.deadLetterTopic) };
}

/** The star schema drawn as SVG: the fact table in the middle, the four dimensions around it, keys joined by lines. */
import { escapeHtml, publish } from "../../lib/display/output";
import { pictureBundle } from "../../lib/display/picture";
import { SCHEMAS } from "./star-schema";

interface Box {
  name: string;
  columns: string[];
  x: number;
  y: number;
  fact?: boolean;
}

const ROW = 16;
const WIDTH = 170;

function boxHeight(b: Box): number {
  return 24 + b.columns.length * ROW + 6;
}

/** SVG of songplays and its dimensions; key columns in bold. */
export function starSchemaSvg(): string {
  const cols = (k: keyof typeof SCHEMAS) => SCHEMAS[k].columns.map((c) => c.name);
  const boxes: Box[] = [
    { name: "songplays", columns: cols("songplays"), x: 260, y: 120, fact: true },
    { name: "users", columns: cols("users"), x: 20, y: 250 },
    { name: "time", columns: cols("time"), x: 20, y: 20 },
    { name: "songs", columns: cols("songs"), x: 500, y: 20 },
    { name: "artists", columns: cols("artists"), x: 500, y: 220 },
  ];
  const keys: [string, string][] = [["users", "user_id"], ["time", "start_time"], ["songs", "song_id"], ["artists", "artist_id"]];
  const fact = boxes[0];
  const rowY = (b: Box, col: string) => b.y + 24 + b.columns.indexOf(col) * ROW + ROW / 2 + 2;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="690" height="420" font-family="sans-serif" font-size="12">`, `<rect width="690" height="420" fill="#ffffff"/>`];
  for (const [dim, key] of keys) {
    const d = boxes.find((b) => b.name === dim) as Box;
    const left = d.x < fact.x;
    const x1 = left ? d.x + WIDTH : d.x;
    const x2 = left ? fact.x : fact.x + WIDTH;
    parts.push(`<path d="M${x1},${rowY(d, key)} C${(x1 + x2) / 2},${rowY(d, key)} ${(x1 + x2) / 2},${rowY(fact, key)} ${x2},${rowY(fact, key)}" fill="none" stroke="#6c757d" stroke-width="1.5"/>`);
  }
  for (const b of boxes) {
    const keyCols = new Set(b.fact ? ["songplay_id", ...keys.map(([, k]) => k)] : [keys.find(([d]) => d === b.name)?.[1] ?? ""]);
    parts.push(`<rect x="${b.x}" y="${b.y}" width="${WIDTH}" height="${boxHeight(b)}" rx="4" fill="${b.fact ? "#fff4e5" : "#eef4fb"}" stroke="${b.fact ? "#d9822b" : "#4a78a8"}"/>`);
    parts.push(`<text x="${b.x + 8}" y="${b.y + 17}" font-weight="bold" font-size="13">${escapeHtml(b.name)}${b.fact ? " (fact)" : ""}</text>`);
    b.columns.forEach((c, i) => parts.push(`<text x="${b.x + 10}" y="${b.y + 24 + i * ROW + 12}"${keyCols.has(c) ? ' font-weight="bold"' : ""}>${escapeHtml(c)}</text>`));
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Shows the diagram (SVG with a PNG beside it; a text form outside a notebook). */
export async function showStarSchema(): Promise<void> {
  const text = ["songplays (fact): " + SCHEMAS.songplays.columns.map((c) => c.name).join(", "), ...(["users", "time", "songs", "artists"] as const).map((k) => `${k}: ${SCHEMAS[k].columns.map((c) => c.name).join(", ")}`)].join("\n");
  publish(await pictureBundle(starSchemaSvg(), text));
}

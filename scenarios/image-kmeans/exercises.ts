/**
 * The image notebook's exercises, with their reference solutions. Expected values come from the
 * warehouse tables and the job's rows by the reference code, never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { ImageColoursRow } from "./job";
import { IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE } from "./warehouse";

export interface ImageExercises {
  rejectedReasons: Exercise<string>;
  halfDominant: Exercise<string>;
  mostColourful: Exercise<number>;
}

/** Reference: the rejected images with their reasons, as (uri, reason) rows. */
export const REJECTED_SQL = `SELECT uri, reason FROM ${IMAGE_REJECTED_TABLE} ORDER BY uri`;

/** Reference: how many images, for one k and resize, have a dominant colour covering more than half of their pixels. */
export const HALF_DOMINANT_SQL = `SELECT COUNT(*) AS images FROM ${IMAGE_COLORS_TABLE} WHERE k = @k AND resize = @resize AND dominant_share > 0.5`;

type RejectedRow = { uri: string; reason: string };

const fileName = (uri: string): string => uri.split(/[\\/]/).pop() ?? uri;

/** The file name of the row whose colours are most evenly spread (the smallest dominant share). */
export function mostEvenImage(rows: readonly Pick<ImageColoursRow, "uri" | "colours">[]): string {
  const scored = rows.filter((r) => r.colours.length > 0).map((r) => ({ name: fileName(r.uri), top: Math.max(...r.colours.map((c) => c.share)) }));
  scored.sort((a, b) => a.top - b.top || a.name.localeCompare(b.name));
  if (scored.length === 0) throw new Error("no processed images");
  return scored[0].name;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The largest share of the image whose colours are most evenly spread (the smallest largest share), to two decimals. */
export function mostEvenShare(rows: readonly Pick<ImageColoursRow, "uri" | "colours">[]): number {
  const tops = rows.filter((r) => r.colours.length > 0).map((r) => Math.max(...r.colours.map((c) => c.share)));
  if (tops.length === 0) throw new Error("no processed images");
  return round2(Math.min(...tops));
}

export function imageExercises(wh: Warehouse, rows: readonly Pick<ImageColoursRow, "uri" | "colours">[], settings: { k: number; resize: number }): ImageExercises {
  const params = (sql: string) => Object.fromEntries(Object.entries({ k: settings.k, resize: settings.resize }).filter(([name]) => new RegExp(`@${name}\\b`).test(sql)));
  const rejectedRows = async (sql: string): Promise<RejectedRow[]> => {
    const r = await wh.query<Record<string, unknown>>(sql, params(sql));
    if (!r.columns.includes("uri") || !r.columns.includes("reason")) throw new Error(`the query must return the columns uri and reason; it returns ${r.columns.join(", ")}`);
    return r.rows.map((x) => ({ uri: String(x.uri), reason: String(x.reason) })).sort((a, b) => a.uri.localeCompare(b.uri));
  };
  const firstNumber = async (sql: string): Promise<number> => {
    const r = await wh.query<Record<string, unknown>>(sql, params(sql));
    if (r.rows.length === 0) throw new Error("the query returned no row");
    return Number(Object.values(r.rows[0])[0]);
  };
  return exerciseSet({
    rejectedReasons: exercise<string, RejectedRow[]>({
      id: "rejected-reasons",
      title: "Every rejected image, with its reason",
      hints: [
        "Nothing is lost silently: an image the job could not read is a row of its own, in a table beside the colours.",
        `The table is ${IMAGE_REJECTED_TABLE}; it has the columns uri, reason and processed_at.`,
        `SELECT uri, reason FROM ${IMAGE_REJECTED_TABLE} (every row, whichever run wrote it).`,
      ],
      solution: () => REJECTED_SQL,
      evaluate: rejectedRows,
      expected: () => rejectedRows(REJECTED_SQL),
      show: (v) => `${v.length} rows${v.length ? `, e.g. ${fileName(v[0].uri)}: ${v[0].reason.slice(0, 60)}` : ""}`,
      nudge: (v) => (v.length === 0 ? "The table is not empty: did you query the colours table instead?" : "Return every rejected row, with the columns uri and reason."),
    }),
    halfDominant: exercise<string, number>({
      id: "half-dominant",
      title: "Images whose dominant colour covers more than half of the pixels",
      hints: [
        "Each row holds its largest colour in the dominant_* columns; dominant_share is the fraction of the pixels it covers. The table holds rows of other runs' settings too.",
        `Filter ${IMAGE_COLORS_TABLE} to this run's settings (k = @k AND resize = @resize) and to the rows where dominant_share > 0.5, and count them.`,
        `SELECT COUNT(*) FROM ${IMAGE_COLORS_TABLE} WHERE k = @k AND resize = @resize AND dominant_share > 0.5`,
      ],
      solution: () => HALF_DOMINANT_SQL,
      evaluate: firstNumber,
      expected: () => firstNumber(HALF_DOMINANT_SQL),
      nudge: async (v) => {
        if (v === (await firstNumber(HALF_DOMINANT_SQL.replace("k = @k AND resize = @resize AND ", "")))) return "That counts the rows of every run's settings: keep this run's k and resize.";
        if (v === (await firstNumber(HALF_DOMINANT_SQL.replace(" AND dominant_share > 0.5", "")))) return "That counts every image of the run: keep those whose dominant share is above 0.5.";
        return "Count the images of this run's k and resize whose dominant_share is above 0.5 (a share, not a percentage).";
      },
    }),
    mostColourful: exercise<number>({
      id: "most-even",
      title: "The largest share of the most evenly spread image",
      hints: [
        "An image whose largest colour covers only a small share has its pixels spread over several colours.",
        "result.rows holds, per image, its colours with their shares; Math.max of the shares is the largest one.",
        "For each row take Math.max(...row.colours.map((c) => c.share)); the answer is the smallest of those, e.g. Math.min(...), rounded to two decimals.",
      ],
      solution: () => mostEvenShare(rows),
      expected: () => mostEvenShare(rows),
      evaluate: (a) => round2(Number(a)),
      nudge: (v) => {
        if (v > 1) return "Give a share in 0..1, not a percentage.";
        const tops = rows.filter((r) => r.colours.length > 0).map((r) => Math.max(...r.colours.map((c) => c.share)));
        if (tops.length > 0 && v === round2(Math.max(...tops))) return "That is the largest largest share: look for the smallest largest share, the image whose colours are spread most evenly.";
        return "Take each image's largest share, then the smallest of those (the smallest largest share), to two decimals.";
      },
    }),
  });
}

/**
 * What each layer serves at one moment: the merged view's rows split by the layer they come from,
 * with the offsets each layer covers (the batch view every offset below its covered offset, the
 * speed view the blocks from there on), so a learner sees the hand-over in numbers.
 */
import { hasTracking } from "./normalize";
import type { MergedView } from "./serving";

export type LayerRow = {
  layer: "batch view" | "speed view";
  /** The Kafka offsets the layer counts, e.g. "0..349" ("-" when none). */
  offsets: string;
  /** (hour, url) rows the layer contributes to the merged view. */
  rows: number;
  /** Tweet-page links it counts (the sum of its counts). */
  links: number;
  /** Of its rows, those whose URL still has a tracking parameter (the bug). */
  rows_with_tracking: number;
};

/** The merged view split by layer (partition 0: the topics here have one). */
export function layerRows(view: MergedView): LayerRow[] {
  const covered = view.coverage.partitions[0] ?? 0;
  const through = view.through[0] ?? covered;
  const part = (layer: LayerRow["layer"], from: number, to: number, of: (r: MergedView["rows"][number]) => number): LayerRow => {
    const rows = view.rows.filter((r) => of(r) > 0);
    return { layer, offsets: to > from ? `${from}..${to - 1}` : "-", rows: rows.length, links: rows.reduce((a, r) => a + of(r), 0), rows_with_tracking: rows.filter((r) => hasTracking(r.url)).length };
  };
  return [part("batch view", 0, covered, (r) => r.batch), part("speed view", covered, through, (r) => r.speed)];
}

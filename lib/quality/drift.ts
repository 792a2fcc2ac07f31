/**
 * Drift measures, plain functions over counts so they can be checked by hand.
 * PSI = sum over bins of (actual - expected) * ln(actual / expected), shares of each run; an empty
 * bin counts as 0.0001 so the logarithm stays finite. Rule of thumb: < 0.1 stable, 0.1-0.2 some
 * change, > 0.2 a shift worth looking at.
 */

const EMPTY_SHARE = 0.0001;

export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, n) => s + n, 0);
  return counts.map((n) => (total === 0 ? 0 : n / total));
}

/** Population stability index between two count vectors over the same bins. */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  const e = shares(expected);
  const a = shares(actual);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i], EMPTY_SHARE);
    const ai = Math.max(a[i] ?? 0, EMPTY_SHARE);
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

/** Inner edges of `bins` equal-width bins over min..max (bins - 1 numbers; the outer bins are open). */
export function equalWidthEdges(min: number, max: number, bins: number): number[] {
  if (!(max > min)) return [min];
  return Array.from({ length: bins - 1 }, (_, i) => min + ((max - min) * (i + 1)) / bins);
}

/** The largest change of one category's share between two {category: count} maps, and which one. */
export function categoryShift(expected: Record<string, number>, actual: Record<string, number>): { shift: number; category: string | null } {
  const te = Object.values(expected).reduce((s, n) => s + n, 0);
  const ta = Object.values(actual).reduce((s, n) => s + n, 0);
  let best = { shift: 0, category: null as string | null };
  for (const k of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const d = Math.abs((ta ? (actual[k] ?? 0) / ta : 0) - (te ? (expected[k] ?? 0) / te : 0));
    if (d > best.shift) best = { shift: d, category: k };
  }
  return best;
}

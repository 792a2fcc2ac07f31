/**
 * Two baselines the network must beat: always guessing the most common species of the train
 * rows, and k-nearest neighbours on the same scaled features (no training at all).
 */

/** The most common class of the train labels (the lowest index on a tie). */
export function majorityClass(trainLabels: number[]): number {
  const counts = new Map<number, number>();
  for (const y of trainLabels) counts.set(y, (counts.get(y) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** Predicts the majority class of the train labels for every test row. */
export function majorityPredictions(trainLabels: number[], testRows: number): number[] {
  return new Array<number>(testRows).fill(majorityClass(trainLabels));
}

/** k-nearest neighbours (Euclidean): the most common class among the k nearest train rows; a tie goes to the nearest of the tied. */
export function knnPredictions(trainX: number[][], trainY: number[], testX: number[][], k = 5): number[] {
  return testX.map((x) => {
    const nearest = trainX
      .map((t, i) => ({ i, d: t.reduce((s, v, j) => s + (v - x[j]) ** 2, 0) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, k);
    const votes = new Map<number, { n: number; first: number }>();
    nearest.forEach((n, rank) => {
      const v = votes.get(trainY[n.i]) ?? { n: 0, first: rank };
      v.n++;
      votes.set(trainY[n.i], v);
    });
    return [...votes.entries()].sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)[0][0];
  });
}

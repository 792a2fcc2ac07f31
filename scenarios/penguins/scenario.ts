/**
 * The notebook's calls: the data as model inputs, training with a chart redrawn in place, the
 * evaluation against two baselines, and the pictures. Each is a few lines over ./features.ts,
 * ./model.ts and ./baselines.ts.
 */
import type { LayersModel } from "@tensorflow/tfjs-node";
import { chartSvg, chartText, lineChart, type VegaLiteSpec } from "../../lib/display/chart";
import { inNotebook, publish } from "../../lib/display/output";
import { pictureBundle } from "../../lib/display/picture";
import type { SqlQueryable } from "../../lib/sql/sql";
import { knnPredictions, majorityPredictions } from "./baselines";
import { featureMatrix, featureVector, fitPreprocessor, labels, readFeatures, type FeatureRow, type PenguinDescription, type Preprocessor } from "./features";
import { accuracy, buildModel, confusionMatrix, predictClasses, predictProbabilities, trainModel, type EpochLog } from "./model";

export interface PenguinData {
  train: FeatureRow[];
  test: FeatureRow[];
  /** Fitted on the train rows only. */
  preprocessor: Preprocessor;
  trainX: number[][];
  trainY: number[];
  testX: number[][];
  testY: number[];
}

/** The features view, split, with the preprocessing fitted on train and applied to both sides. */
export async function penguinData(db: SqlQueryable): Promise<PenguinData> {
  const { train, test } = await readFeatures(db);
  const preprocessor = fitPreprocessor(train);
  return {
    train, test, preprocessor,
    trainX: featureMatrix(train, preprocessor), trainY: labels(train, preprocessor),
    testX: featureMatrix(test, preprocessor), testY: labels(test, preprocessor),
  };
}

export interface TrainPenguinsOptions {
  /** Default 50. */
  epochs?: number;
  /** Default 0.01. */
  learningRate?: number;
  /** Seeds the weights and the shuffling. Default 42. */
  seed?: number;
  /** Default 16. */
  hiddenUnits?: number;
  /** Scale the measurements (fitted on train). false is the naive way. Default true. */
  scale?: boolean;
  /** Redraw a loss and accuracy chart in place while training (in a notebook). Default false. */
  live?: boolean;
  /** The chart's title. */
  title?: string;
}

export interface TrainedPenguins {
  model: LayersModel;
  history: EpochLog[];
  /** Predicted class index of each test row. */
  predicted: number[];
  testAccuracy: number;
}

/** Builds and trains the network on the train rows; evaluates it on the test rows. */
export async function trainPenguins(data: PenguinData, options: TrainPenguinsOptions = {}): Promise<TrainedPenguins> {
  const scale = options.scale ?? true;
  const trainX = scale ? data.trainX : featureMatrix(data.train, data.preprocessor, { scale: false });
  const testX = scale ? data.testX : featureMatrix(data.test, data.preprocessor, { scale: false });
  const seed = options.seed ?? 42;
  const model = buildModel({ inputs: trainX[0].length, classes: data.preprocessor.species.length, hiddenUnits: options.hiddenUnits, learningRate: options.learningRate, seed });
  const epochs = options.epochs ?? 50;
  const live = options.live ? liveTrainingChart({ epochs, title: options.title }) : undefined;
  const history = await trainModel(model, trainX, data.trainY, { epochs, seed, onEpoch: live?.onEpoch });
  if (live) await live.finish(history);
  const predicted = predictClasses(model, testX);
  return { model, history, predicted, testAccuracy: accuracy(predicted, data.testY) };
}

/** Loss and accuracy by epoch, one line each. */
export function trainingChart(history: EpochLog[], options: { epochs?: number; title?: string } = {}): VegaLiteSpec {
  const rows = history.flatMap((h) => [{ epoch: h.epoch, metric: "loss", value: h.loss }, { epoch: h.epoch, metric: "accuracy (train)", value: h.accuracy }]);
  const spec = lineChart(rows, { x: "epoch", y: "value", color: "metric", title: options.title ?? "Training: loss and accuracy by epoch", width: 420, height: 220 });
  const enc = spec.encoding as Record<string, Record<string, unknown>>;
  return { ...spec, mark: { type: "line", point: false }, encoding: { ...enc, x: { ...enc.x, scale: { domain: [1, Math.max(2, options.epochs ?? history.length)] } } } };
}

/**
 * A chart published once and redrawn in place (same display id) every few epochs while training;
 * `finish` replaces it with the final chart, PNG included. Outside a notebook only the final
 * chart's text form is printed.
 */
export function liveTrainingChart(options: { epochs: number; title?: string; every?: number }): { onEpoch: (log: EpochLog, history: EpochLog[]) => Promise<void>; finish: (history: EpochLog[]) => Promise<void> } {
  const displayId = `penguins-training-${process.pid}-${Date.now()}`;
  const every = options.every ?? Math.max(1, Math.ceil(options.epochs / 15));
  const live = inNotebook();
  let published = false;
  const draw = async (history: EpochLog[], final: boolean) => {
    const spec = trainingChart(history, options);
    const svg = await chartSvg(spec);
    const last = history[history.length - 1];
    const text = `${chartText(spec)}; epoch ${last?.epoch ?? 0}/${options.epochs}: loss ${last?.loss.toFixed(3) ?? "-"}, accuracy ${last?.accuracy.toFixed(3) ?? "-"}`;
    const bundle = final ? await pictureBundle(svg, text) : { "image/svg+xml": svg, "text/plain": text };
    publish(bundle, { displayId, update: published });
    published = true;
  };
  return {
    async onEpoch(log, history) {
      if (live && log.epoch < options.epochs && (log.epoch === 1 || log.epoch % every === 0)) await draw(history, false); // the last epoch is drawn by finish()
    },
    async finish(history) {
      await draw(history, true);
    },
  };
}

/** Test accuracy of the network beside the two baselines. */
export function compareWithBaselines(data: PenguinData, trained: TrainedPenguins, k = 5): { model: string; test_accuracy: number }[] {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const majority = accuracy(majorityPredictions(data.trainY, data.testY.length), data.testY);
  const knn = accuracy(knnPredictions(data.trainX, data.trainY, data.testX, k), data.testY);
  return [
    { model: `majority class (${data.preprocessor.species[majorityPredictions(data.trainY, 1)[0]]})`, test_accuracy: round(majority) },
    { model: `${k}-nearest neighbours`, test_accuracy: round(knn) },
    { model: "neural network", test_accuracy: round(trained.testAccuracy) },
  ];
}

/** The confusion matrix as rows: actual species, then one column per predicted species. */
export function confusionRows(data: PenguinData, predicted: number[]): Record<string, string | number>[] {
  const m = confusionMatrix(predicted, data.testY, data.preprocessor.species.length);
  return data.preprocessor.species.map((s, i) => ({ actual: s, ...Object.fromEntries(data.preprocessor.species.map((p, j) => [`predicted ${p}`, m[i][j]])) }));
}

/** The confusion matrix as a heatmap: actual species down, predicted across, counts in the cells. */
export function confusionChart(data: PenguinData, predicted: number[]): VegaLiteSpec {
  const s = data.preprocessor.species;
  const m = confusionMatrix(predicted, data.testY, s.length);
  const values = s.flatMap((a, i) => s.map((p, j) => ({ actual: a, predicted: p, n: m[i][j] })));
  return {
    title: "Confusion matrix (test rows)",
    data: { values },
    width: 240,
    height: 240,
    encoding: { x: { field: "predicted", type: "nominal", sort: s }, y: { field: "actual", type: "nominal", sort: s } },
    layer: [
      { mark: "rect", encoding: { color: { field: "n", type: "quantitative", scale: { scheme: "blues" } } } },
      { mark: { type: "text", fontSize: 14 }, encoding: { text: { field: "n", type: "quantitative" } } },
    ],
  };
}

/** The species probabilities the model gives one penguin. */
export function predictPenguin(model: LayersModel, preprocessor: Preprocessor, penguin: PenguinDescription): { species: string; probability: number }[] {
  const p = predictProbabilities(model, [featureVector(penguin, preprocessor)])[0];
  return preprocessor.species.map((s, i) => ({ species: s, probability: Math.round(p[i] * 1000) / 1000 })).sort((a, b) => b.probability - a.probability);
}

/**
 * A small dense network with TensorFlow.js (the pure-JS CPU backend danfojs already brings).
 * Deterministic: the initial weights are drawn from a seeded generator (tfjs 3 ignores the seed of
 * its initializers, so they are set here: Glorot uniform, zero biases), and the rows are shuffled
 * each epoch by a seeded generator (tfjs's own shuffle uses Math.random, so it is off).
 * Saved as tfjs's layers format (model.json + weights.bin) with the preprocessing beside it
 * (preprocess.json), so a loaded model predicts exactly what the trained one did.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayersModel, Sequential } from "@tensorflow/tfjs-node";
import { seededRandom } from "../../lib/random";
import type { Preprocessor } from "./features";

type TF = typeof import("@tensorflow/tfjs-node");

let announced = false;

/**
 * TensorFlow.js, loaded on first use (package.json aliases @tensorflow/tfjs-node to the pure-JS
 * @tensorflow/tfjs). Its CPU backend prints a five-line banner to stderr on first use, which a
 * notebook shows as an error-coloured output; it is replaced by one line on stdout saying the same.
 */
export function tensorflow(): TF {
  const tf = require("@tensorflow/tfjs-node") as TF;
  if (!announced) {
    announced = true;
    const backend = tf.backend() as unknown as { firstUse?: boolean };
    if (tf.getBackend() === "cpu" && backend.firstUse === true) {
      backend.firstUse = false;
      process.stdout.write("TensorFlow.js runs on its pure-JavaScript CPU backend here (no native tfjs-node): fine for hundreds of rows, slow for millions.\n");
    }
  }
  return tf;
}

export interface ModelOptions {
  inputs: number;
  classes: number;
  /** Units of the hidden layer. Default 16. */
  hiddenUnits?: number;
  /** Adam's learning rate. Default 0.01. */
  learningRate?: number;
  /** Seed of the initial weights. Default 42. */
  seed?: number;
}

/** inputs -> dense(hiddenUnits, relu) -> dense(classes, softmax), Adam, categorical cross-entropy; weights from `seed`. */
export function buildModel(o: ModelOptions): Sequential {
  const tf = tensorflow();
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [o.inputs], units: o.hiddenUnits ?? 16, activation: "relu" }));
  model.add(tf.layers.dense({ units: o.classes, activation: "softmax" }));
  const random = seededRandom(o.seed ?? 42);
  for (const layer of model.layers) {
    const [kernel, bias] = layer.getWeights();
    const [fanIn, fanOut] = kernel.shape as [number, number];
    const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot uniform
    const values = Array.from({ length: fanIn * fanOut }, () => (random() * 2 - 1) * limit);
    const init = [tf.tensor2d(values, [fanIn, fanOut]), tf.zerosLike(bias)];
    layer.setWeights(init);
    tf.dispose(init); // setWeights copied them; kernel and bias are the layer's own variables
  }
  model.compile({ optimizer: tf.train.adam(o.learningRate ?? 0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
}

export interface TrainOptions {
  /** Default 50. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Seed of the shuffling. Default 42. */
  seed?: number;
  /** Called after each epoch (e.g. to redraw a chart). */
  onEpoch?: (log: EpochLog, history: EpochLog[]) => void | Promise<void>;
}

/** A seeded Fisher-Yates shuffle of 0..n-1. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/** Trains `model` on x (rows of inputs) and y (class indices); returns the loss and accuracy of each epoch. */
export async function trainModel(model: LayersModel, x: number[][], y: number[], options: TrainOptions = {}): Promise<EpochLog[]> {
  const tf = tensorflow();
  const classes = model.outputs[0].shape[1] as number;
  const random = seededRandom(options.seed ?? 42);
  const history: EpochLog[] = [];
  for (let epoch = 1; epoch <= (options.epochs ?? 50); epoch++) {
    const order = shuffledIndices(x.length, random);
    const xs = tf.tensor2d(order.map((i) => x[i]), [x.length, x[0].length]);
    const ys = tf.oneHot(tf.tensor1d(order.map((i) => y[i]), "int32"), classes);
    try {
      const h = await model.fit(xs, ys, { epochs: 1, batchSize: options.batchSize ?? 32, shuffle: false, verbose: 0 });
      const log = { epoch, loss: Number(h.history.loss[0]), accuracy: Number((h.history.acc ?? h.history.accuracy)[0]) };
      history.push(log);
      await options.onEpoch?.(log, history);
    } finally {
      xs.dispose();
      ys.dispose();
    }
  }
  return history;
}

/** Class probabilities of each row. */
export function predictProbabilities(model: LayersModel, x: number[][]): number[][] {
  const tf = tensorflow();
  return tf.tidy(() => (model.predict(tf.tensor2d(x, [x.length, x[0].length])) as import("@tensorflow/tfjs-node").Tensor2D).arraySync());
}

/** The class index of the highest probability of each row. */
export function predictClasses(model: LayersModel, x: number[][]): number[] {
  return predictProbabilities(model, x).map(argmax);
}

export function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The share of predictions equal to the truth. */
export function accuracy(predicted: number[], truth: number[]): number {
  if (truth.length === 0) return 0;
  return predicted.filter((p, i) => p === truth[i]).length / truth.length;
}

/** counts[actual][predicted]. */
export function confusionMatrix(predicted: number[], truth: number[], classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  truth.forEach((t, i) => m[t][predicted[i]]++);
  return m;
}

/** Saves the model (model.json + weights.bin) and its preprocessing (preprocess.json) into `dir`. */
export async function saveModel(model: LayersModel, preprocessor: Preprocessor, dir: string): Promise<string[]> {
  const tf = tensorflow();
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = artifacts.weightData as ArrayBuffer;
    fs.writeFileSync(path.join(dir, "weights.bin"), Buffer.from(weights));
    const json = { modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy ?? null, weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }] };
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON", weightDataBytes: weights.byteLength } };
  }));
  fs.writeFileSync(path.join(dir, "preprocess.json"), JSON.stringify(preprocessor, null, 2));
  return ["model.json", "weights.bin", "preprocess.json"].map((f) => path.join(dir, f));
}

/** Loads what `saveModel` wrote. */
export async function loadModel(dir: string): Promise<{ model: LayersModel; preprocessor: Preprocessor }> {
  const tf = tensorflow();
  const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8")) as { modelTopology: object; weightsManifest: { paths: string[]; weights: import("@tensorflow/tfjs-node").io.WeightsManifestEntry[] }[] };
  const bytes = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
  const preprocessor = JSON.parse(fs.readFileSync(path.join(dir, "preprocess.json"), "utf8")) as Preprocessor;
  return { model, preprocessor };
}

/** de-workbook/penguins: Palmer Penguins from a JSON file into PostgreSQL, features and a split in SQL, a neural network with TensorFlow.js. */
export { readPenguinRecords, penguinsFile, validatePenguin, isMissing, hasMissingValue, SPECIES, ISLANDS, MEASUREMENTS } from "./data";
export type { PenguinRecord, Penguin, Validated } from "./data";
export { createPenguinTables, loadPenguins, SCHEMA_SQL, TABLES } from "./load";
export type { LoadResult } from "./load";
export {
  createFeaturesView, readFeatures, fitPreprocessor, featureNames, featureVector, featureMatrix, featureFrame, labels, FEATURES_VIEW, FEATURES_SQL, SPLIT_SQL, NUMERIC_FEATURES,
} from "./features";
export type { FeatureRow, PenguinDescription, Preprocessor } from "./features";
export { buildModel, trainModel, predictProbabilities, predictClasses, accuracy, confusionMatrix, saveModel, loadModel, tensorflow } from "./model";
export type { ModelOptions, TrainOptions, EpochLog } from "./model";
export { majorityClass, majorityPredictions, knnPredictions } from "./baselines";
export { penguinData, trainPenguins, trainingChart, liveTrainingChart, compareWithBaselines, confusionRows, confusionChart, predictPenguin } from "./scenario";
export type { PenguinData, TrainPenguinsOptions, TrainedPenguins } from "./scenario";
export { penguinsExercises, TRAIN_BY_SPECIES_SQL, ISLAND_BASELINE_SQL } from "./exercises";
export type { PenguinsExercises } from "./exercises";
export { penguinChecks, runPenguinChecks, plantUnknownIsland, showPenguinScorecard, resultsTable, daySoFar, PLANTED_ISLAND } from "./quality";
export type { PenguinChecksOptions } from "./quality";

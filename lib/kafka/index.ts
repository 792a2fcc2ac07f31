/**
 * Kafka for notebooks and scenarios. `kafka()` gives a kafkajs client: for a real cluster when
 * KAFKA_BROKERS is set (SASL/SSL from the KAFKA_* variables), otherwise for the embedded broker,
 * started once per process in `<work folder>/kafka` (or the broker another process already runs
 * on that folder, e.g. `workbook broker`). `startBroker()` starts a broker of your own.
 */
import * as path from "node:path";
import type { Kafka, KafkaConfig, logLevel } from "kafkajs";
import { type KafkaConfig as KafkaSettings, config } from "../config";
import { isWorkbookError } from "../errors";
import { Broker, BrokerOptions, readLock, startBroker } from "./broker/broker";

export { Broker, startBroker };
export { readLatest, readTopic } from "./read-topic";
export type { BrokerOptions };

export interface KafkaOptions {
  /** Client id sent to the broker. Default "de-workbook". */
  clientId?: string;
  /** kafkajs log level. Default logLevel.ERROR (1). */
  logLevel?: logLevel;
  /** Any other kafkajs settings (retry, timeouts...); brokers, ssl and sasl come from the configuration. */
  kafkaConfig?: Omit<KafkaConfig, "brokers" | "ssl" | "sasl">;
}

let embedded: Promise<Broker> | null = null;
let embeddedAddress: Promise<string> | null = null;

/** The address ("host:port") of the process-wide embedded broker, starting it on first use. */
export function embeddedBrokerAddress(): Promise<string> {
  embeddedAddress ??= (async () => {
    const dataDir = path.join(config().home, "kafka");
    embedded = startBroker({ dataDir, unref: true });
    try {
      return (await embedded).brokers;
    } catch (err) {
      embedded = null;
      const lock = readLock(dataDir);
      if (isWorkbookError(err, "KAFKA_DATA_DIR_LOCKED") && lock?.host && lock.port) return `${lock.host}:${lock.port}`; // another process serves it
      embeddedAddress = null;
      throw err;
    }
  })();
  return embeddedAddress;
}

/** Stops the process-wide embedded broker if this process started one. */
export async function closeEmbeddedBroker(): Promise<void> {
  const b = embedded;
  embedded = null;
  embeddedAddress = null;
  if (b) await (await b).close();
}

/** The brokers list clients should use: KAFKA_BROKERS, or the embedded broker. */
export async function kafkaBrokers(): Promise<string[]> {
  const k = config().kafka;
  return k.mode === "external" ? k.brokers : [await embeddedBrokerAddress()];
}

/**
 * The kafkajs settings `kafka()` uses: the caller's settings, the brokers, and, for an external
 * cluster, TLS and SASL from the configuration (KAFKA_SSL, KAFKA_SASL_*). The embedded broker gets
 * neither, and a connection timeout of 10 s instead of kafkajs's 1 s: on a loaded machine the
 * broker in this process can take longer than 1 s to accept, and kafkajs then logs an ERROR line
 * (into the notebook's stderr) before its retry succeeds. `defaultLogLevel` is kafkajs's
 * logLevel.ERROR (1) unless given.
 */
/** kafkajs's connection timeout for the embedded broker (its default, 1 s, is for remote clusters). */
export const EMBEDDED_CONNECTION_TIMEOUT_MS = 10_000;

export function kafkaClientConfig(k: KafkaSettings, brokers: string[], options: KafkaOptions = {}, defaultLogLevel: logLevel = 1 as logLevel): KafkaConfig {
  const external = k.mode === "external";
  return {
    ...(external ? {} : { connectionTimeout: EMBEDDED_CONNECTION_TIMEOUT_MS }),
    ...options.kafkaConfig,
    clientId: options.clientId ?? "de-workbook",
    brokers,
    logLevel: options.logLevel ?? defaultLogLevel,
    ...(external && k.ssl ? { ssl: true } : {}),
    ...(external && k.sasl ? { sasl: { mechanism: k.sasl.mechanism, username: k.sasl.username, password: k.sasl.password } as KafkaConfig["sasl"] } : {}),
  };
}

/** A kafkajs client for the configured cluster (see the module comment). */
export async function kafka(options: KafkaOptions = {}): Promise<Kafka> {
  // kafkajs loads lazily so that importing de-workbook stays quick.
  const kafkajs = require("kafkajs") as typeof import("kafkajs");
  const brokers = await kafkaBrokers();
  return new kafkajs.Kafka(kafkaClientConfig(config().kafka, brokers, options, kafkajs.logLevel.ERROR));
}

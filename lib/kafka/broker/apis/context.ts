/** What a request handler sees: the decoded header, the connection, and the broker's state. */
import { Reader, Writer } from "../protocol/codec";
import { GroupCoordinator } from "../groups/group-coordinator";
import { LogStore } from "../storage/log-store";

export interface BrokerState {
  nodeId: number;
  /** Host and port advertised in Metadata and FindCoordinator. */
  host: string;
  port: number;
  clusterId: string;
  store: LogStore;
  coordinator: GroupCoordinator;
  defaultPartitions: number;
  autoCreateTopics: boolean;
  nextProducerId(): number;
  /** Creates a topic; returns a Kafka error code (0 when created). */
  createTopic(name: string, partitions: number, configs: Record<string, string>): number;
  deleteTopic(name: string): number;
}

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  clientHost: string;
  broker: BrokerState;
  /** Aborted when the connection or the broker closes: parked requests give up. */
  signal: AbortSignal;
}

/** Decodes a request body from `r` and returns the response body, or null for no response (acks=0). */
export type Handler = (ctx: RequestContext, r: Reader) => Writer | null | Promise<Writer | null>;

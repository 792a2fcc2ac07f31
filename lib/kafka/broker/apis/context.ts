/** What a request handler sees: the decoded header, the connection, and the broker's state. */
import { GroupCoordinator } from "../groups/group-coordinator";
import { Message } from "../protocol/schema";
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

/**
 * Takes a decoded request (fields of every version, absent ones at their defaults; see
 * protocol/messages.ts) and returns the response fields, or null for no response (acks=0). The
 * connection encodes the response in the request's version, so a handler fills every field it
 * knows and the encoder keeps those of that version.
 */
export type Handler = (ctx: RequestContext, req: Message) => Message | null | Promise<Message | null>;

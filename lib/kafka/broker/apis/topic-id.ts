/**
 * Topic ids (Metadata v10+, CreateTopics v7+, DeleteTopics v6+). This broker does not store ids:
 * a topic's id is derived from its name (the first 16 bytes of its SHA-256), so it is stable across
 * restarts and the same for every client. Unlike Kafka, a topic deleted and created again under the
 * same name gets the same id.
 */
import { createHash } from "node:crypto";

export function topicId(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 32);
}

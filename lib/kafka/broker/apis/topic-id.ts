/**
 * Topic ids (Metadata v10+, Fetch v13+, CreateTopics v7+, DeleteTopics v6+). This broker does not
 * store ids: a topic's id is derived from its name (the first 16 bytes of its SHA-256, as 32 hex
 * digits), so it is stable across restarts and the same for every client. Unlike Kafka, a topic
 * deleted and created again under the same name gets the same id.
 */
import { createHash } from "node:crypto";

const ids = new Map<string, string>();
const names = new Map<string, string>();

export function topicId(name: string): string {
  let id = ids.get(name);
  if (id === undefined) {
    id = createHash("sha256").update(name).digest("hex").slice(0, 32);
    ids.set(name, id);
    names.set(id, name);
  }
  return id;
}

/** The name of the topic with this id among `existing` names, or null. */
export function topicName(id: string, existing: () => Iterable<string>): string | null {
  const known = names.get(id);
  if (known !== undefined) return known;
  for (const name of existing()) if (topicId(name) === id) return name;
  return null;
}

/**
 * Idempotent-producer bookkeeping for one partition. For each producer id it keeps the epoch, the
 * last sequence number and the last five batches (as Kafka does), so that a retried batch is
 * recognised and answered with the offsets it got the first time instead of being written twice.
 */
import { ErrorCode } from "../protocol/error-codes";
import { BatchHeader } from "../protocol/record-batch";

const RETAINED = 5;
const SEQ_MOD = 2 ** 31;

interface RetainedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  recent: RetainedBatch[];
  /** Last offset of the producer's last batch. */
  lastOffset: number;
}

export type SequenceCheck = { kind: "append" } | { kind: "duplicate"; baseOffset: number } | { kind: "error"; code: number };

function lastSequence(h: BatchHeader): number {
  return (h.baseSequence + h.lastOffsetDelta) % SEQ_MOD;
}

export class ProducerStates {
  private producers = new Map<number, ProducerEntry>();

  /** Decides what to do with a batch before it is appended. producerId -1 means no checks. */
  check(h: BatchHeader): SequenceCheck {
    if (h.producerId < 0) return { kind: "append" };
    const p = this.producers.get(h.producerId);
    if (!p || h.producerEpoch > p.epoch) return { kind: "append" };
    if (h.producerEpoch < p.epoch) return { kind: "error", code: ErrorCode.INVALID_PRODUCER_EPOCH };
    const last = lastSequence(h);
    const dup = p.recent.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === last);
    if (dup) return { kind: "duplicate", baseOffset: dup.baseOffset };
    if (h.baseSequence === (p.lastSeq + 1) % SEQ_MOD) return { kind: "append" };
    return { kind: "error", code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  /** Records an appended batch (also used to rebuild the state from the log on recovery). */
  record(h: BatchHeader, baseOffset: number): void {
    if (h.producerId < 0) return;
    let p = this.producers.get(h.producerId);
    if (!p || h.producerEpoch > p.epoch) {
      p = { epoch: h.producerEpoch, lastSeq: -1, recent: [], lastOffset: -1 };
      this.producers.set(h.producerId, p);
    }
    p.lastSeq = lastSequence(h);
    p.lastOffset = baseOffset + h.lastOffsetDelta;
    p.recent.push({ firstSeq: h.baseSequence, lastSeq: p.lastSeq, baseOffset });
    if (p.recent.length > RETAINED) p.recent.shift();
  }

  /** Last offset of the last batch appended by `producerId` (the log cleaner keeps that batch), or -1. */
  lastOffset(producerId: number): number {
    return this.producers.get(producerId)?.lastOffset ?? -1;
  }
}

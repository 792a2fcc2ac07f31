/**
 * The consumer-group coordinator: membership (JoinGroup / SyncGroup / Heartbeat / LeaveGroup) and
 * committed offsets, following Kafka's group state machine:
 *
 *   Empty -> PreparingRebalance -> CompletingRebalance -> Stable -> PreparingRebalance ...
 *
 * A join (or a member leaving or expiring) moves the group to PreparingRebalance; join responses
 * are parked until every known member has rejoined, or the rebalance timeout drops the missing ones.
 * Then the generation goes up, a protocol is chosen by vote, and only the leader gets the member
 * list. SyncGroup responses are parked until the leader sends the assignment.
 */
import { randomUUID } from "node:crypto";
import { ErrorCode } from "../protocol/error-codes";
import { OffsetStore } from "../storage/offset-store";

export type GroupState = "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface JoinRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  clientId: string;
  clientHost: string;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  /** JoinGroup version: from 4 an unknown member first gets MEMBER_ID_REQUIRED. */
  version: number;
}

export interface JoinResult {
  error: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export interface SyncResult {
  error: number;
  assignment: Buffer;
}

export interface CoordinatorOptions {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** Wait this long after the first member joins an empty group before completing the join. */
  initialRebalanceDelayMs: number;
}

interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  joinWaiter?: (r: JoinResult) => void;
  syncWaiter?: (r: SyncResult) => void;
  sessionTimer?: NodeJS.Timeout;
}

interface Group {
  id: string;
  state: GroupState;
  generation: number;
  protocolType: string | null;
  protocol: string | null;
  leader: string | null;
  members: Map<string, Member>;
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined. */
  pending: Map<string, NodeJS.Timeout>;
  rebalanceTimer?: NodeJS.Timeout;
  delayUntil: number;
}

const EMPTY = Buffer.alloc(0);
/** The protocol type of consumer groups (the only kind a group known by its offsets can be). */
const CONSUMER = "consumer";

function sameProtocols(a: Member["protocols"], b: Member["protocols"]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

export class GroupCoordinator {
  private groups = new Map<string, Group>();

  constructor(readonly offsets: OffsetStore, private readonly options: CoordinatorOptions) {}

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, state: "Empty", generation: 0, protocolType: null, protocol: null, leader: null, members: new Map(), pending: new Map(), delayUntil: 0 };
      this.groups.set(id, g);
    }
    return g;
  }

  private joinError(error: number, memberId: string): JoinResult {
    return { error, generationId: -1, protocolName: "", leaderId: "", memberId, members: [] };
  }

  /** True when a member with these protocols can be in the group (same type, a protocol in common). */
  private compatible(g: Group, protocolType: string, protocols: Member["protocols"], except?: string): boolean {
    if (protocols.length === 0) return false;
    const others = [...g.members.values()].filter((m) => m.id !== except);
    if (others.length === 0) return true;
    if (others.some((m) => m.protocolType !== protocolType)) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  join(req: JoinRequest): Promise<JoinResult> {
    if (!req.groupId) return Promise.resolve(this.joinError(ErrorCode.INVALID_GROUP_ID, req.memberId));
    if (req.sessionTimeoutMs < this.options.minSessionTimeoutMs || req.sessionTimeoutMs > this.options.maxSessionTimeoutMs) {
      return Promise.resolve(this.joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    const g = this.group(req.groupId);
    let member = req.memberId ? g.members.get(req.memberId) : undefined;
    if (!this.compatible(g, req.protocolType, req.protocols, member?.id)) {
      return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    if (!member) {
      let id = req.memberId;
      if (id === "") {
        id = `${req.clientId || "member"}-${randomUUID()}`;
        if (req.version >= 4) {
          // The client must come back with this id; forget it if it does not within a session.
          const timer = setTimeout(() => {
            g.pending.delete(id);
            this.maybeCompleteJoin(g);
          }, req.sessionTimeoutMs);
          timer.unref();
          g.pending.set(id, timer);
          return Promise.resolve(this.joinError(ErrorCode.MEMBER_ID_REQUIRED, id));
        }
      } else if (g.pending.has(id)) {
        clearTimeout(g.pending.get(id));
        g.pending.delete(id);
      } else {
        return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, id));
      }
      member = { id, clientId: req.clientId, clientHost: req.clientHost, sessionTimeoutMs: req.sessionTimeoutMs, rebalanceTimeoutMs: req.rebalanceTimeoutMs, protocolType: req.protocolType, protocols: req.protocols, assignment: EMPTY };
      g.members.set(id, member);
      if (g.members.size === 1) g.protocolType = req.protocolType;
      this.touch(g, member);
      if (g.state !== "PreparingRebalance") this.prepareRebalance(g);
      return this.park(g, member);
    }

    const changed = !sameProtocols(member.protocols, req.protocols);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    this.touch(g, member);
    if (g.state === "PreparingRebalance") return this.park(g, member);
    if (!changed && (g.state === "CompletingRebalance" || (g.state === "Stable" && member.id !== g.leader))) {
      // Nothing new: answer with the current generation (a follower that lost its join response).
      return Promise.resolve({ error: ErrorCode.NONE, generationId: g.generation, protocolName: g.protocol ?? "", leaderId: g.leader ?? "", memberId: member.id, members: [] });
    }
    this.prepareRebalance(g);
    return this.park(g, member);
  }

  private park(g: Group, member: Member): Promise<JoinResult> {
    return new Promise((resolve) => {
      member.joinWaiter?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.id));
      member.joinWaiter = resolve;
      this.maybeCompleteJoin(g);
    });
  }

  private prepareRebalance(g: Group): void {
    if (g.state === "CompletingRebalance") {
      for (const m of g.members.values()) {
        m.syncWaiter?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
        m.syncWaiter = undefined;
      }
    }
    if (g.state === "Empty" && this.options.initialRebalanceDelayMs > 0) g.delayUntil = Date.now() + this.options.initialRebalanceDelayMs;
    g.state = "PreparingRebalance";
    clearTimeout(g.rebalanceTimer);
    const timeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    g.rebalanceTimer = setTimeout(() => this.completeJoin(g, true), Math.max(timeout, g.delayUntil - Date.now()));
    g.rebalanceTimer.unref();
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== "PreparingRebalance") return;
    for (const m of g.members.values()) if (!m.joinWaiter) return;
    if (g.pending.size > 0) return;
    const wait = g.delayUntil - Date.now();
    if (wait > 0) {
      clearTimeout(g.rebalanceTimer);
      g.rebalanceTimer = setTimeout(() => this.maybeCompleteJoin(g), wait);
      g.rebalanceTimer.unref();
      return;
    }
    this.completeJoin(g, false);
  }

  private completeJoin(g: Group, timedOut: boolean): void {
    if (g.state !== "PreparingRebalance") return;
    clearTimeout(g.rebalanceTimer);
    if (timedOut) {
      for (const m of [...g.members.values()]) if (!m.joinWaiter) this.dropMember(g, m);
      for (const t of g.pending.values()) clearTimeout(t);
      g.pending.clear();
    }
    g.generation++;
    if (g.members.size === 0) {
      g.state = "Empty";
      g.protocol = null;
      g.leader = null; // the protocol type stays: an empty consumer group is still a "consumer" group, as in Kafka
      return;
    }
    const members = [...g.members.values()];
    // Protocol by vote: each member votes for its first choice among those every member supports.
    const candidates = members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
      if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    g.protocol = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? candidates[0] ?? "";
    if (!g.leader || !g.members.has(g.leader)) g.leader = members[0].id;
    g.state = "CompletingRebalance";
    const list = members.map((m) => ({ memberId: m.id, metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY }));
    for (const m of members) {
      const reply = m.joinWaiter;
      m.joinWaiter = undefined;
      this.touch(g, m);
      reply?.({ error: ErrorCode.NONE, generationId: g.generation, protocolName: g.protocol, leaderId: g.leader, memberId: m.id, members: m.id === g.leader ? list : [] });
    }
  }

  /** (Re)starts a member's session timer: every request from it counts as a sign of life. */
  private touch(g: Group, m: Member): void {
    if (m.sessionTimer) {
      m.sessionTimer.refresh();
      return;
    }
    m.sessionTimer = setTimeout(() => {
      if (g.members.get(m.id) !== m) return;
      if (m.joinWaiter || m.syncWaiter) {
        m.sessionTimer?.refresh(); // waiting on us: alive
        return;
      }
      this.removeMember(g, m);
    }, m.sessionTimeoutMs);
    m.sessionTimer.unref();
  }

  private dropMember(g: Group, m: Member): void {
    clearTimeout(m.sessionTimer);
    g.members.delete(m.id);
    m.joinWaiter?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.id));
    m.joinWaiter = undefined;
    m.syncWaiter?.({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    m.syncWaiter = undefined;
  }

  /** A member left or expired: the others rebalance. */
  private removeMember(g: Group, m: Member): void {
    this.dropMember(g, m);
    if (g.state === "Stable" || g.state === "CompletingRebalance") this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
  }

  sync(groupId: string, generation: number, memberId: string, assignments: { memberId: string; assignment: Buffer }[]): Promise<SyncResult> {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return Promise.resolve({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generation !== g.generation) return Promise.resolve({ error: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    this.touch(g, m);
    if (g.state === "PreparingRebalance") return Promise.resolve({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    if (g.state === "Stable") return Promise.resolve({ error: ErrorCode.NONE, assignment: m.assignment });
    return new Promise((resolve) => {
      m.syncWaiter = resolve;
      if (memberId !== g.leader) return;
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      g.state = "Stable";
      for (const member of g.members.values()) {
        member.assignment = byMember.get(member.id) ?? EMPTY;
        const reply = member.syncWaiter;
        member.syncWaiter = undefined;
        reply?.({ error: ErrorCode.NONE, assignment: member.assignment });
      }
    });
  }

  heartbeat(groupId: string, generation: number, memberId: string): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(g, m);
    return g.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Removes members; returns an error per member id (UNKNOWN_MEMBER_ID when not in the group). */
  leave(groupId: string, memberIds: string[]): number[] {
    const g = this.groups.get(groupId);
    return memberIds.map((id) => {
      if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (g.pending.has(id)) {
        clearTimeout(g.pending.get(id));
        g.pending.delete(id);
        this.maybeCompleteJoin(g);
        return ErrorCode.NONE;
      }
      const m = g.members.get(id);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(g, m);
      return ErrorCode.NONE;
    });
  }

  /** Checks whether a commit is allowed; the caller stores the offsets when this returns NONE. */
  canCommit(groupId: string, generation: number, memberId: string): number {
    const g = this.groups.get(groupId);
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    if (generation < 0 && memberId === "") {
      return !g || g.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    }
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generation !== g.generation) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === "CompletingRebalance") return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touch(g, m);
    return ErrorCode.NONE;
  }

  /**
   * Every group with members or committed offsets. A group known only by its offsets (its members
   * left, or the broker restarted) is reported as a "consumer" group in state Empty, as Kafka does.
   */
  listGroups(): { groupId: string; protocolType: string; state: string }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groupIds()]);
    return [...ids].sort().map((id) => {
      const g = this.groups.get(id);
      return { groupId: id, protocolType: g?.protocolType ?? CONSUMER, state: g?.state ?? "Empty" };
    });
  }

  /**
   * DeleteGroups: forgets an empty group and its committed offsets. A group with members gets
   * NON_EMPTY_GROUP (68), an unknown one GROUP_ID_NOT_FOUND (69).
   */
  deleteGroup(groupId: string): number {
    const g = this.groups.get(groupId);
    const hasOffsets = this.offsets.committed(groupId).size > 0;
    if (!g && !hasOffsets) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g && (g.state !== "Empty" || g.members.size > 0)) return ErrorCode.NON_EMPTY_GROUP;
    if (g) {
      for (const t of g.pending.values()) clearTimeout(t);
      clearTimeout(g.rebalanceTimer);
      this.groups.delete(groupId);
    }
    this.offsets.deleteGroup(groupId);
    return ErrorCode.NONE;
  }

  describe(groupId: string): {
    state: string;
    protocolType: string;
    protocol: string;
    members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
  } {
    const g = this.groups.get(groupId);
    if (!g) {
      const known = this.offsets.committed(groupId).size > 0;
      return { state: known ? "Empty" : "Dead", protocolType: known ? CONSUMER : "", protocol: "", members: [] };
    }
    return {
      state: g.state,
      protocolType: g.protocolType ?? CONSUMER,
      protocol: g.protocol ?? "",
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
        assignment: m.assignment,
      })),
    };
  }

  /** Cancels every timer and answers every parked request (used on shutdown). */
  close(): void {
    for (const g of this.groups.values()) {
      clearTimeout(g.rebalanceTimer);
      for (const t of g.pending.values()) clearTimeout(t);
      for (const m of g.members.values()) this.dropMember(g, m);
    }
    this.groups.clear();
  }
}

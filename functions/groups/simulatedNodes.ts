import { setTimeout as sleep } from 'node:timers/promises';
import type { Firestore } from '@google-cloud/firestore';
import { firestoreModule } from '../shared/clients/firestore';
import { isAlreadyExists, isFailedPrecondition, isNotFound } from '../shared/clients/googleErrors';

/**
 * The state of the simulated nodes (nodeSim) in Firestore, so every instance of the function
 * sees the same groups and the same switches:
 *
 *   node_sim/n-<node>                      {status?: Switch, hang?: Switch, redirect?: Switch}
 *   node_sim/n-<node>/groups/g-<groupId>   {group_id, created_at}
 *
 * A switch makes the node's group API answer a status, wait, or redirect paths that end in a
 * slash, for the listed methods (all when none are listed) and for the next `remaining` requests
 * (until reset when absent), once `after` requests have gone through untouched.
 */
export type NodeMethod = 'GET' | 'POST' | 'DELETE';

export interface Switch {
  /** The status to answer (status, redirect switches) or the milliseconds to wait (hang switch). */
  value: number;
  methods: NodeMethod[] | null;
  remaining: number | null;
  /** Requests it matches that go through untouched before it applies. */
  after?: number;
  /** Status switch: the answer is an HTML page, as a proxy or a web framework's error page sends. */
  html?: boolean;
  /** Status switch: the request is served first, then the switched status answered instead of its own. */
  apply?: boolean;
}

export const SWITCH_KINDS = ['status', 'hang', 'redirect'] as const;
export type Switches = Partial<Record<(typeof SWITCH_KINDS)[number], Switch>>;

/** The switches a request to the node API meets (each consumed once if counted). */
export type Disruption = Switches;

export class SimulatedNodes {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
  ) {}

  private node(node: string) {
    return this.db.collection(this.collection).doc(`n-${node}`);
  }

  private group(node: string, groupId: string) {
    return this.node(node).collection('groups').doc(`g-${groupId}`);
  }

  /** Creates the group; false when the node already has it. */
  async create(node: string, groupId: string): Promise<boolean> {
    try {
      await this.group(node, groupId).create({ group_id: groupId, created_at: new Date() });
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  /** Deletes the group; false when the node does not have it. */
  async delete(node: string, groupId: string): Promise<boolean> {
    try {
      await this.group(node, groupId).delete({ exists: true });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async has(node: string, groupId: string): Promise<boolean> {
    return (await this.group(node, groupId).get()).exists;
  }

  /** Sets (or, with null, clears) one switch of a node. */
  async setSwitch(node: string, kind: keyof Switches, value: Switch | null): Promise<Switches> {
    return this.changeSwitches(node, (current) => {
      const next: Switches = { ...current };
      if (value) next[kind] = value;
      else delete next[kind];
      return { next, result: next };
    });
  }

  async switches(node: string): Promise<Switches> {
    return ((await this.node(node).get()).data() ?? {}) as Switches;
  }

  /**
   * The switches that apply to one request of the node API, consuming one use of each limited
   * switch. A plain read when nothing counted applies (the common case), else a conditional
   * write, so concurrent requests never use one use twice.
   */
  async take(node: string, method: NodeMethod): Promise<Disruption> {
    const applies = (s: Switch | undefined): s is Switch => !!s && (s.methods === null || s.methods.includes(method));
    const applying = (switches: Switches): Disruption =>
      Object.fromEntries(SWITCH_KINDS.filter((kind) => applies(switches[kind])).map((kind) => [kind, switches[kind]]));
    return this.changeSwitches(node, (current) => {
      const disruption = applying(current);
      if (Object.values(disruption).every((s) => s.remaining === null && !s.after)) return { result: disruption };
      const next: Switches = { ...current };
      for (const kind of SWITCH_KINDS) {
        const s = disruption[kind];
        if (!s) continue;
        if (s.after) {
          next[kind] = { ...s, after: s.after - 1 };
          delete disruption[kind];
        } else if (s.remaining !== null) {
          if (s.remaining <= 1) delete next[kind];
          else next[kind] = { ...s, remaining: s.remaining - 1 };
        }
      }
      return { next, result: disruption };
    });
  }

  /**
   * Reads a node's switches and, when `change` returns `next`, writes them on the condition that
   * the document is as read, reading again when it was not. Not a transaction: on the Firestore
   * emulator, concurrent transactions on one document deadlock until its lock times out (15 s,
   * then retried), which held requests at a switched node far past any caller's timeout and
   * served them later still, breaking the late window nodes are meant to keep. A condition never
   * waits; after `CHANGE_ATTEMPTS` conflicts the request fails ABORTED (a 503) having done nothing.
   */
  private async changeSwitches<T>(node: string, change: (current: Switches) => { next?: Switches; result: T }): Promise<T> {
    const ref = this.node(node);
    for (let attempt = 1; attempt <= CHANGE_ATTEMPTS; attempt++) {
      const snapshot = await ref.get();
      const { next, result } = change((snapshot.data() ?? {}) as Switches);
      if (!next) return result;
      try {
        if (!snapshot.exists) await ref.create(next);
        else {
          const { FieldValue } = firestoreModule();
          const fields = Object.fromEntries(SWITCH_KINDS.map((kind) => [kind, next[kind] ?? FieldValue.delete()]));
          await ref.update(fields, { lastUpdateTime: snapshot.updateTime! });
        }
        return result;
      } catch (err) {
        if (!(isFailedPrecondition(err) || isAlreadyExists(err))) throw err;
        await sleep(5 + Math.random() * 20 * attempt);
      }
    }
    throw Object.assign(new Error(`the switches of node ${node} kept changing: ${CHANGE_ATTEMPTS} conditional writes failed`), {
      code: ABORTED,
    });
  }
}

/** Conditional writes of one node's switches before giving up (a few at most under real use). */
const CHANGE_ATTEMPTS = 20;
/** gRPC ABORTED, what Firestore answers for contention: answered 503 (isTransient). */
const ABORTED = 10;

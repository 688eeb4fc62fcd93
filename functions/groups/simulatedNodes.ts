import type { Firestore } from '@google-cloud/firestore';
import { isAlreadyExists, isNotFound } from '../shared/clients/googleErrors';

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
    const ref = this.node(node);
    return this.db.runTransaction(async (tx) => {
      const current = ((await tx.get(ref)).data() ?? {}) as Switches;
      const next: Switches = { ...current };
      if (value) next[kind] = value;
      else delete next[kind];
      tx.set(ref, next);
      return next;
    });
  }

  async switches(node: string): Promise<Switches> {
    return ((await this.node(node).get()).data() ?? {}) as Switches;
  }

  /**
   * The switches that apply to one request of the node API, consuming one use of each limited
   * switch. A plain read when nothing applies (the common case); a transaction when a counted
   * switch must be decremented, so concurrent requests never use one use twice.
   */
  async take(node: string, method: NodeMethod): Promise<Disruption> {
    const ref = this.node(node);
    const applies = (s: Switch | undefined): s is Switch => !!s && (s.methods === null || s.methods.includes(method));
    const applying = (switches: Switches): Disruption =>
      Object.fromEntries(SWITCH_KINDS.filter((kind) => applies(switches[kind])).map((kind) => [kind, switches[kind]]));
    const peek = applying(((await ref.get()).data() ?? {}) as Switches);
    if (Object.values(peek).every((s) => s.remaining === null && !s.after)) return peek;
    return this.db.runTransaction(async (tx) => {
      const current = ((await tx.get(ref)).data() ?? {}) as Switches;
      const next: Switches = { ...current };
      const disruption = applying(current);
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
      tx.set(ref, next);
      return disruption;
    });
  }
}

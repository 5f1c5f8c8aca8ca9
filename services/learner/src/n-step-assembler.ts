import type { Transition } from '@rec/shared';

/** Why a step's transitions left the assembler, and so how far their return reaches. */
export type SettleCause =
  /** n steps were known: the full n-step return. */
  | 'horizon'
  /** The session ended inside the horizon: no bootstrap. */
  | 'done'
  /** The user's next step did not link to the chain (a missing or out-of-order step): truncated. */
  | 'broken'
  /** No next step within maxWaitMs: truncated. */
  | 'stale'
  /** Too many transitions held; the least recently active user's chain was truncated. */
  | 'evicted';

/** A transition ready for replay: `transition.reward` is the return, `transition.nextState` the bootstrap state. */
export interface ReturnTransition {
  transition: Transition;
  /** The factor on the bootstrapped value: gamma^horizon, or 0 when the session ended. */
  discount: number;
  /** Steps the return sums (1 = one-step). */
  horizon: number;
  cause: SettleCause;
}

export interface NStepOptions {
  /** n: the most steps one return sums. 1 passes transitions through as one-step returns. */
  steps: number;
  gamma: number;
  /** A chain waits at most this long (learner clock) for the user's next step before it is truncated. */
  maxWaitMs: number;
  /** Most transitions held back at once; beyond it the least recently active chains are truncated. */
  maxHeld: number;
}

/** One request of a user: its slate's transitions and what links it to the next request. */
interface Step {
  requestId: string;
  nextRequestId: string | null;
  slateReward: number | null;
  /** Null when the session ended after this step. */
  nextState: Buffer | null;
  /** This step's transitions not yet returned; null once the step is settled. */
  waiting: Transition[] | null;
}

interface Chain {
  /** Consecutive steps of one user: the unsettled ones, and always the newest (to link the next). */
  steps: Step[];
  touchedAt: number;
}

/**
 * Turns a stream of one-step transitions into n-step returns, per user. A user's transitions arrive in
 * request order (the replay stream is keyed by userId, and a joiner emits one request's slate at once);
 * each carries the id of the user's next request, which links a request to the next one into a chain.
 * For an item shown at step t, with n steps known:
 *
 *   return   = r_t(item) + gamma * m_{t+1} + ... + gamma^(n-1) * m_{t+n-1}
 *   discount = gamma^n, bootstrapped from the state of request t+n
 *
 * where m_k is the mean per-item reward of request k's slate (the next "action" is a whole slate, so the
 * per-item reward of the following steps is the slate mean). The returns are uncorrected for the policy
 * that served the later slates, as in Ape-X and R2D2; n = 1 is plain one-step Q-learning. A session end
 * inside the horizon stops the sum without a bootstrap; a broken link, a wait past `maxWaitMs` or
 * eviction truncates it to the steps known, which is still a valid (shorter) return.
 */
export class NStepAssembler {
  private readonly chains = new Map<string, Chain>();
  private held = 0;

  constructor(private readonly options: NStepOptions) {
    if (!Number.isInteger(options.steps) || options.steps < 1) throw new RangeError(`n-step horizon must be a positive integer, got ${options.steps}`);
  }

  /** Transitions held back waiting for later steps. */
  get heldTransitions(): number {
    return this.held;
  }

  /** Adds one transition; returns the transitions (this one or earlier ones) whose return is now known. */
  add(transition: Transition, now: number): ReturnTransition[] {
    const { steps, gamma } = this.options;
    if (steps === 1) {
      return [{ transition, discount: transition.done ? 0 : gamma, horizon: 1, cause: transition.done ? 'done' : 'horizon' }];
    }
    const settled: ReturnTransition[] = [];
    const chain = this.touch(transition.userId, now);
    const newest = chain.steps.at(-1);
    if (newest !== undefined && newest.requestId === transition.requestId) {
      // Another item of the newest step's slate.
      if (newest.waiting === null) settled.push(...this.settleLate(transition, chain));
      else {
        newest.waiting.push(detached(transition));
        this.held += 1;
      }
    } else {
      const links = newest !== undefined && newest.nextRequestId === transition.requestId && transition.slateReward !== null;
      if (!links) {
        this.settleAll(chain, 'broken', settled);
        chain.steps = [];
      }
      const first = detached(transition);
      chain.steps.push({
        requestId: first.requestId,
        nextRequestId: first.nextRequestId,
        slateReward: first.slateReward,
        nextState: first.nextState,
        waiting: [first],
      });
      this.held += 1;
      const last = chain.steps.length - 1;
      if (first.done) this.settleAll(chain, 'done', settled);
      else if (last + 1 >= steps) this.settle(chain, last + 1 - steps, last, 'horizon', settled);
      this.trim(chain);
    }
    settled.push(...this.evictOverflow());
    return settled;
  }

  /** Truncates the chains of users with no new step for maxWaitMs. */
  flushStale(now: number): ReturnTransition[] {
    const settled: ReturnTransition[] = [];
    // Map order is least recently touched first (touch re-inserts).
    for (const [userId, chain] of this.chains) {
      if (now - chain.touchedAt < this.options.maxWaitMs) break;
      this.settleAll(chain, 'stale', settled);
      this.chains.delete(userId);
    }
    return settled;
  }

  /** Truncates every chain now, e.g. to read out what is held (held transitions otherwise die with the learner, like replay). */
  flushAll(): ReturnTransition[] {
    const settled: ReturnTransition[] = [];
    for (const chain of this.chains.values()) this.settleAll(chain, 'broken', settled);
    this.chains.clear();
    return settled;
  }

  private touch(userId: string, now: number): Chain {
    const chain = this.chains.get(userId) ?? { steps: [], touchedAt: now };
    this.chains.delete(userId);
    chain.touchedAt = now;
    this.chains.set(userId, chain);
    return chain;
  }

  /**
   * Returns step `first`'s transitions with the return through step `last`:
   * sum_{k=first+1..last} gamma^(k-first) * m_k, bootstrapped from step last's next state.
   */
  private settle(chain: Chain, first: number, last: number, cause: SettleCause, into: ReturnTransition[]): void {
    const step = chain.steps[first];
    if (step.waiting === null) return;
    const { gamma } = this.options;
    let tail = 0;
    for (let k = first + 1; k <= last; k += 1) tail += gamma ** (k - first) * (chain.steps[k].slateReward ?? 0);
    const end = chain.steps[last];
    const horizon = last - first + 1;
    const discount = end.nextState === null ? 0 : gamma ** horizon;
    for (const transition of step.waiting) {
      into.push({
        transition: { ...transition, reward: transition.reward + tail, nextState: end.nextState, done: end.nextState === null, nextRequestId: end.nextRequestId },
        discount,
        horizon,
        cause: end.nextState === null ? 'done' : cause,
      });
    }
    this.held -= step.waiting.length;
    step.waiting = null;
  }

  private settleAll(chain: Chain, cause: SettleCause, into: ReturnTransition[]): void {
    const last = chain.steps.length - 1;
    for (let first = 0; first <= last; first += 1) this.settle(chain, first, last, cause, into);
  }

  /** A late item of an already settled (ended) newest step: it ends there too. */
  private settleLate(transition: Transition, chain: Chain): ReturnTransition[] {
    const step = chain.steps.at(-1) as Step;
    step.waiting = [transition];
    this.held += 1;
    const settled: ReturnTransition[] = [];
    this.settle(chain, chain.steps.length - 1, chain.steps.length - 1, 'done', settled);
    return settled;
  }

  /** Keeps the unsettled steps and the newest one. */
  private trim(chain: Chain): void {
    while (chain.steps.length > 1 && chain.steps[0].waiting === null) chain.steps.shift();
  }

  private evictOverflow(): ReturnTransition[] {
    const settled: ReturnTransition[] = [];
    for (const [userId, chain] of this.chains) {
      if (this.held <= this.options.maxHeld) break;
      this.settleAll(chain, 'evicted', settled);
      this.chains.delete(userId);
    }
    return settled;
  }
}

/**
 * A copy of a transition whose vectors own their memory. Decoded vectors are views into shared pool
 * slabs; holding those views for minutes would pin far more memory than the vectors themselves.
 */
function detached(transition: Transition): Transition {
  const sizes = [transition.state.byteLength, transition.itemFeatures.byteLength, transition.nextState?.byteLength ?? 0];
  const owned = Buffer.allocUnsafeSlow(sizes[0] + sizes[1] + sizes[2]);
  const copy = (source: Buffer, offset: number) => {
    source.copy(owned, offset);
    return owned.subarray(offset, offset + source.byteLength);
  };
  return {
    ...transition,
    state: copy(transition.state, 0),
    itemFeatures: copy(transition.itemFeatures, sizes[0]),
    nextState: transition.nextState === null ? null : copy(transition.nextState, sizes[0] + sizes[1]),
  };
}

import { ACTOR_SETTINGS } from '@rec/actor/dist/config';
import { JOINER_SETTINGS, pendingTtlOf } from '@rec/joiner/dist/config';
import { LEARNER_SETTINGS } from '@rec/learner/dist/config';
import { REWARD_SETTINGS, readSettings } from '@rec/shared';
import { SIMULATOR_SETTINGS } from '@rec/simulator';

export const ROLES = ['actor', 'joiner', 'learner', 'parameter-server', 'simulator'] as const;
export type Role = (typeof ROLES)[number];

/** A rule between settings that different processes read: checkable only where all of them are known. */
export interface CrossServiceConstraint {
  name: string;
  /** The processes whose settings it relates; it applies when all of them run from the same environment. */
  between: readonly Role[];
  /** Null when the environment satisfies it, else what is wrong, naming the variables and their values. */
  violation(environment: NodeJS.ProcessEnv): string | null;
}

export const CROSS_SERVICE_CONSTRAINTS: readonly CrossServiceConstraint[] = [
  {
    name: 'reward weights agree',
    between: ['joiner', 'simulator'],
    violation(environment) {
      const joiner = readSettings(REWARD_SETTINGS, environment);
      const simulator = readSettings(SIMULATOR_SETTINGS, environment);
      const pairs: Array<[string, number, string, number]> = [
        ['JOINER_REWARD_CLICK', joiner.click, 'SIM_REWARD_CLICK', simulator.rewardClick],
        ['JOINER_REWARD_ADD_TO_CART', joiner.addToCart, 'SIM_REWARD_ADD_TO_CART', simulator.rewardAddToCart],
        ['JOINER_REWARD_PURCHASE', joiner.purchase, 'SIM_REWARD_PURCHASE', simulator.rewardPurchase],
        ['JOINER_REWARD_VALUE_WEIGHT', joiner.valueWeight, 'SIM_REWARD_PURCHASE_VALUE', simulator.rewardPurchaseValue],
        ['JOINER_REWARD_IMPRESSION', joiner.impression, '(the simulator scores impressions)', 0],
      ];
      const differing = pairs.filter(([, a, , b]) => a !== b).map(([nameA, a, nameB, b]) => `${nameA}=${a} but ${nameB}=${b}`);
      if (differing.length === 0) return null;
      return `the joiner rewards what the simulator does not score the same way (${differing.join('; ')}): the learner would optimise another reward than the one reported`;
    },
  },
  {
    name: "the actor's request state outlives the joiner's pending requests",
    between: ['actor', 'joiner'],
    violation(environment) {
      const actor = readSettings(ACTOR_SETTINGS, environment);
      const joiner = readSettings(JOINER_SETTINGS, environment);
      const pendingTtlMs = pendingTtlOf(joiner);
      if (actor.requestStateTtlMs >= pendingTtlMs) return null;
      return `ACTOR_REQUEST_STATE_TTL_MS=${actor.requestStateTtlMs} is shorter than a joiner's pending request lives (JOINER_SESSION_TIMEOUT_MS + JOINER_REWARD_WAIT_MS + 60000 = ${pendingTtlMs}): the joiner would find no state for requests still waiting for their reward`;
    },
  },
  {
    name: "the learner's n-step wait exceeds a session's end",
    between: ['joiner', 'learner'],
    violation(environment) {
      const learner = readSettings(LEARNER_SETTINGS, environment);
      const joiner = readSettings(JOINER_SETTINGS, environment);
      // With one-step returns nothing is held back, so the wait never applies.
      if (learner.nStep === 1) return null;
      const sessionEndMs = joiner.sessionTimeoutMs + joiner.joinWaitMs;
      if (learner.nStepMaxWaitMs > sessionEndMs) return null;
      return `LEARNER_N_STEP_MAX_WAIT_MS=${learner.nStepMaxWaitMs} is not above JOINER_SESSION_TIMEOUT_MS + JOINER_JOIN_WAIT_MS = ${sessionEndMs} (with LEARNER_N_STEP=${learner.nStep}): n-step returns would be truncated before the joiner can emit a user's next step`;
    },
  },
];

/** The violations among the constraints that apply to the roles running from `environment`. */
export function crossServiceViolations(environment: NodeJS.ProcessEnv, running: readonly Role[]): Array<{ name: string; message: string }> {
  const found: Array<{ name: string; message: string }> = [];
  for (const constraint of CROSS_SERVICE_CONSTRAINTS) {
    if (!constraint.between.every((role) => running.includes(role))) continue;
    const message = constraint.violation(environment);
    if (message !== null) found.push({ name: constraint.name, message });
  }
  return found;
}

/**
 * The hidden world's parameters: how users value items and how sessions evolve. The recommender never
 * sees these; it only sees the requests and feedback they produce. A scenario is a named set of them.
 *
 *   default           mild satiation and return effects: the best next slate is nearly the best policy.
 *   session-dynamics  strong satiation, boredom with repetitive slates and strong return effects: a
 *                     myopic policy (best next slate) earns less per session than one that diversifies.
 *   static            no satiation, drift, boredom or return effects: a stationary contextual bandit,
 *                     for debugging learning and for off-policy-evaluation experiments.
 */
export interface Scenario {
  name: string;

  // --- Click utility: z = bias + tasteWeight*<u, v> + quality - price + time-of-day - satiation + surface
  /** Base logit of a click once an item is examined (sets the overall CTR). */
  clickBias: number;
  /** Weight of the taste match <user taste, item latent vector>. */
  tasteWeight: number;
  /** Std of the items' hidden quality (a per-item logit offset). */
  qualityStd: number;
  /** Mean of the users' price sensitivity (log-normal across users). */
  priceSensitivityMean: number;
  /** Amplitude of each category's time-of-day appeal (logit), peaking at the category's peak hour. */
  timeOfDayAmplitude: number;
  /** Boost of items similar to the viewed item on the product surface (times cosine similarity). */
  relatedItemBoost: number;
  /** Boost of the hidden search intent's category on the search surface. */
  searchIntentBoost: number;
  /** Price sensitivity multiplier on the cart surface (cheap add-ons). */
  cartPriceSensitivityFactor: number;

  // --- Position bias (examination): theta_k = (1 / (1 + k))^eta
  /** eta on desktop and tablet. */
  positionBiasDesktop: number;
  /** eta on mobile (steeper: a small screen). */
  positionBiasMobile: number;

  // --- Purchase funnel after a click
  /** Logit of add-to-cart after a click (plus half the click utility). */
  cartBias: number;
  /** Logit of purchase after add-to-cart (minus price sensitivity times log relative price). */
  purchaseBias: number;

  // --- Satiation: each category's appeal drops with exposure and recovers with time
  /** Satiation added per unit of examination probability of a shown item in that category. */
  satiationPerExposure: number;
  /** Satiation added per click in that category. */
  satiationPerClick: number;
  /** Multiplier of every category's satiation after each step of a session. */
  satiationDecayPerStep: number;
  /** Time constant (hours) of satiation recovery between sessions. */
  satiationRecoveryHours: number;
  /** Logit penalty per unit of satiation. */
  satiationPenalty: number;

  // --- Interest drift
  /** Step of the taste vector toward each clicked item's latent vector. */
  driftPerClick: number;
  /** Fraction of the way back to the user's core taste between sessions. */
  driftRecovery: number;

  // --- Session continuation: logit = base + click*clicks + purchase*purchases - boredom*HHI - satiation*meanSat
  /** Base logit of making another request after a slate with no engagement. */
  continueBias: number;
  /** Added per click on the slate. */
  continuePerClick: number;
  /** Added per purchase on the slate. */
  continuePerPurchase: number;
  /** Subtracted times the slate's category concentration (examination-weighted Herfindahl index). */
  continueBoredomPenalty: number;
  /** Subtracted times the examination-weighted mean satiation of the shown items. */
  continueSatiationPenalty: number;
  /** Longest session, in requests. */
  maxSessionLength: number;

  // --- Return to the site
  /** Mean gap between sessions for an unengaged user, hours (plus the 30-minute minimum). */
  returnGapHours: number;
  /** The mean gap is multiplied by exp(-returnEffect * satisfaction); satisfaction = engagement per request. */
  returnEffect: number;
}

const DEFAULT: Scenario = {
  name: 'default',
  clickBias: -3.6,
  tasteWeight: 4,
  qualityStd: 0.5,
  priceSensitivityMean: 0.6,
  timeOfDayAmplitude: 0.5,
  relatedItemBoost: 1.5,
  searchIntentBoost: 1.5,
  cartPriceSensitivityFactor: 1.5,
  positionBiasDesktop: 0.8,
  positionBiasMobile: 1.1,
  cartBias: -1.5,
  purchaseBias: -0.8,
  satiationPerExposure: 0.15,
  satiationPerClick: 0.3,
  satiationDecayPerStep: 0.8,
  satiationRecoveryHours: 6,
  satiationPenalty: 1,
  driftPerClick: 0.05,
  driftRecovery: 0.5,
  continueBias: 0.4,
  continuePerClick: 0.6,
  continuePerPurchase: 1,
  continueBoredomPenalty: 0.3,
  continueSatiationPenalty: 0.3,
  maxSessionLength: 30,
  returnGapHours: 8,
  returnEffect: 0.3,
};

const SESSION_DYNAMICS: Scenario = {
  ...DEFAULT,
  name: 'session-dynamics',
  satiationPerExposure: 0.4,
  satiationPerClick: 0.6,
  satiationDecayPerStep: 0.9,
  satiationPenalty: 1.5,
  driftPerClick: 0.1,
  continueBias: 1.2,
  continuePerClick: 0.8,
  continuePerPurchase: 1.5,
  continueBoredomPenalty: 5,
  continueSatiationPenalty: 0.8,
  returnEffect: 0.8,
};

const STATIC: Scenario = {
  ...DEFAULT,
  name: 'static',
  satiationPerExposure: 0,
  satiationPerClick: 0,
  satiationPenalty: 0,
  driftPerClick: 0,
  driftRecovery: 1,
  continuePerClick: 0,
  continuePerPurchase: 0,
  continueBoredomPenalty: 0,
  continueSatiationPenalty: 0,
  returnEffect: 0,
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  default: DEFAULT,
  'session-dynamics': SESSION_DYNAMICS,
  static: STATIC,
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);

export function scenarioByName(name: string): Scenario {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
  return scenario;
}

import type { Prng } from '../random/prng';
import type { Category } from './catalog';
import { LATENT_DIM } from './catalog';
import { normalizeInPlace } from './vector-math';

export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
export type Device = (typeof DEVICES)[number];

/** Locales with their UTC offset (hours) and how common they are. */
export const LOCALES = [
  { locale: 'en-US', utcOffsetHours: -5, weight: 30 },
  { locale: 'pt-BR', utcOffsetHours: -3, weight: 10 },
  { locale: 'en-GB', utcOffsetHours: 0, weight: 15 },
  { locale: 'de-DE', utcOffsetHours: 1, weight: 15 },
  { locale: 'fr-FR', utcOffsetHours: 1, weight: 10 },
  { locale: 'en-IN', utcOffsetHours: 5.5, weight: 10 },
  { locale: 'ja-JP', utcOffsetHours: 9, weight: 10 },
] as const;

/**
 * A simulated user: fixed traits, and hidden state that the sessions change (current taste, per-category
 * satiation). The recommender sees only the user's id, device, locale and what the user does.
 */
export interface SimUser {
  index: number;
  userId: string;
  /** This user's own random stream: its choices never depend on other users' interleaving. */
  prng: Prng;
  device: Device;
  locale: string;
  utcOffsetHours: number;
  /** The taste the user returns to between sessions (unit vector). */
  coreTaste: Float64Array;
  /** The current taste: drifts toward what the user clicks (unit vector). */
  taste: Float64Array;
  /** Multiplies log(price / 100) in the click utility. */
  priceSensitivity: number;
  /** Per-category satiation (>= 0): recent exposure lowers a category's appeal. */
  satiation: Float64Array;
  /** Virtual time of the user's next visit (ms since the start of the simulation). */
  nextVisitAt: number;
  /** Virtual time of the user's last event. */
  lastActiveAt: number;
  sessions: number;
}

export interface PopulationOptions {
  users: number;
  /** Mean of the log-normal price sensitivity. */
  priceSensitivityMean: number;
  /** First visits are spread uniformly over [0, firstVisitSpreadMs). */
  firstVisitSpreadMs: number;
}

/**
 * Draws the users. Each has 1-3 favourite categories (random weights), a small pull toward its
 * locale's regional favourite (so locale carries information), and noise; the mixture of those
 * category centres, normalised, is its taste.
 */
export function generateUsers(prng: Prng, categories: readonly Category[], options: PopulationOptions): SimUser[] {
  const regionalFavourite = LOCALES.map(() => prng.int(categories.length));
  const localeWeights = LOCALES.map((entry) => entry.weight);
  return Array.from({ length: options.users }, (_, index) => {
    const userId = `user-${String(index).padStart(6, '0')}`;
    const own = prng.fork(userId);
    const localeIndex = own.weightedIndex(localeWeights);
    const taste = new Float64Array(LATENT_DIM);
    const favourites = 1 + own.int(3);
    for (let pick = 0; pick < favourites; pick += 1) {
      addScaled(taste, own.pick(categories).center, own.exponential(1));
    }
    addScaled(taste, categories[regionalFavourite[localeIndex]].center, 0.3);
    for (let dim = 0; dim < LATENT_DIM; dim += 1) taste[dim] += 0.25 * own.normal();
    normalizeInPlace(taste);
    const deviceRoll = own.next();
    return {
      index,
      userId,
      prng: own,
      device: deviceRoll < 0.6 ? 'mobile' : deviceRoll < 0.9 ? 'desktop' : 'tablet',
      locale: LOCALES[localeIndex].locale,
      utcOffsetHours: LOCALES[localeIndex].utcOffsetHours,
      coreTaste: Float64Array.from(taste),
      taste,
      priceSensitivity: options.priceSensitivityMean * Math.exp(0.5 * own.normal() - 0.125),
      satiation: new Float64Array(categories.length),
      nextVisitAt: own.uniform(0, options.firstVisitSpreadMs),
      lastActiveAt: 0,
      sessions: 0,
    };
  });
}

function addScaled(target: Float64Array, source: ArrayLike<number>, scale: number): void {
  for (let dim = 0; dim < target.length; dim += 1) target[dim] += scale * source[dim];
}

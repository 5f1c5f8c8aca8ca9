import { latentWorld } from './latent-world';
import { popularityChurnWorld } from './popularity-churn-world';
import { rawFeaturesWorld } from './raw-features-world';
import { slateEffectsWorld } from './slate-effects-world';
import { tasteDriftWorld } from './taste-drift-world';
import type { WorldKind } from './world-kind';

/** Every world, by its SIM_WORLD name; `latent` is the default. */
export const WORLD_KINDS: Readonly<Record<string, WorldKind>> = Object.fromEntries([latentWorld, rawFeaturesWorld, slateEffectsWorld, popularityChurnWorld, tasteDriftWorld].map((kind) => [kind.name, kind]));

export const WORLD_NAMES = Object.keys(WORLD_KINDS);

export function worldKindByName(name: string): WorldKind {
  const kind = WORLD_KINDS[name];
  if (kind === undefined) throw new Error(`unknown world "${name}" (known: ${WORLD_NAMES.join(', ')})`);
  return kind;
}

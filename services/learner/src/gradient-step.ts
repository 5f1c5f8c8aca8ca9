import { doubleDqnGradients, type GradientStep, type QNetwork } from '@rec/shared/model';
import type { LearnerConfig } from './config';
import type { OwnUpdateLookahead } from './own-update-lookahead';
import type { ReplayBuffer } from './replay-buffer';
import type { SamplesPerInsertLimiter } from './samples-per-insert-limiter';
import type { TargetCandidates } from './target-candidates';

/** What one learner step needs, whoever sends its gradient on (the learner service, or the in-process runner). */
export interface GradientStepParts {
  config: Pick<LearnerConfig, 'batchSize' | 'huberDelta' | 'maxGradNorm' | 'bootstrapSlateSize'>;
  replay: ReplayBuffer;
  limiter: SamplesPerInsertLimiter;
  targetCandidates: TargetCandidates;
  /** The weights the gradient is computed on (with lookahead: the broadcast plus own pending updates). */
  online: QNetwork;
  target: QNetwork;
  lookahead: OwnUpdateLookahead | null;
}

/**
 * One learner step, transport-free: sample a batch, compute the clipped Double-DQN gradient over the target
 * candidates, update the batch's priorities and the samples-per-insert count, and (looking ahead) apply the
 * gradient to the local copy at once. Returns the gradient, the batch's size and newest feedback time, and
 * the update's sequence (-1 without lookahead).
 */
export function takeGradientStep(parts: GradientStepParts): { result: GradientStep; batchSize: number; newestFeedbackAt: number; sequence: number } {
  const { config, replay, limiter } = parts;
  const batch = replay.sample(config.batchSize);
  const candidates = parts.targetCandidates.next();
  const result = doubleDqnGradients(parts.online, parts.target, batch, candidates.tensor, {
    huberDelta: config.huberDelta,
    maxGradNorm: config.maxGradNorm,
    bootstrapSlateSize: config.bootstrapSlateSize,
  });
  if (candidates.disposable) candidates.tensor.dispose();
  replay.updatePriorities(batch.slots, result.tdErrors);
  limiter.recordSamples(batch.size);
  // Looking ahead: the next gradient is computed on weights that already hold this one.
  const sequence = parts.lookahead?.applyOwn(result.gradients) ?? -1;
  return { result, batchSize: batch.size, newestFeedbackAt: batch.newestFeedbackAt, sequence };
}

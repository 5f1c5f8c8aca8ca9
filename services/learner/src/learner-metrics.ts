import type { ServiceMetrics } from '@rec/shared';

/** The learner's operator-facing metrics (rec_learner_*). */
export class LearnerMetrics {
  readonly trainSteps;
  readonly samples;
  readonly tdLoss;
  readonly meanQ;
  readonly gradNorm;
  readonly stepSeconds;
  readonly replaySize;
  readonly inserted;
  readonly duplicates;
  readonly updatesSent;
  readonly weightsVersion;
  /** rec_model_version: the online weights' version, the same series the actors and the parameter server report. */
  readonly modelVersion;
  readonly samplesPerInsert;
  readonly throttled;
  readonly weightsWaits;
  readonly returns;
  readonly heldForReturns;
  readonly lookaheadPending;

  constructor(metrics: ServiceMetrics, backend: string) {
    this.trainSteps = metrics.counter('train_steps_total', 'Gradient steps computed and sent');
    this.samples = metrics.counter('samples_total', 'Transitions sampled into gradient steps (rate = samples per second)');
    this.tdLoss = metrics.gauge('td_loss', 'Huber TD loss of the latest batch');
    this.meanQ = metrics.gauge('mean_q', 'Mean Q(s, a) of the latest batch');
    this.gradNorm = metrics.gauge('grad_norm', 'Global gradient norm of the latest batch, before clipping');
    this.stepSeconds = metrics.histogram('train_step_seconds', 'Time of one gradient step (targets, loss, backprop)', [], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
    this.replaySize = metrics.gauge('replay_size', 'Transitions held in replay');
    this.inserted = metrics.counter('transitions_inserted_total', 'Transitions inserted into replay');
    this.duplicates = metrics.counter('duplicate_transitions_total', 'Transitions dropped because their id was seen recently');
    this.updatesSent = metrics.counter('updates_sent_total', 'Gradient updates acknowledged by the broker');
    this.weightsVersion = metrics.gauge('weights_version', 'Version of the weights the learner computes gradients on', ['role']);
    this.modelVersion = metrics.modelVersion;
    this.samplesPerInsert = metrics.gauge('samples_per_insert', 'Samples drawn per transition inserted so far');
    this.throttled = metrics.counter('throttled_waits_total', 'Times the samples-per-insert bound made the learner wait');
    this.weightsWaits = metrics.counter('weights_waits_total', 'Times the learner waited for newer weights (LEARNER_MAX_UPDATES_PER_WEIGHTS updates sent on the ones it holds)');
    this.returns = metrics.counter('returns_total', 'Transitions turned into returns, by steps summed (horizon) and why the sum stopped (horizon, done, broken, stale, evicted)', ['horizon', 'cause']);
    this.heldForReturns = metrics.gauge('nstep_held_transitions', 'Transitions held back waiting for the later steps of their n-step return');
    this.lookaheadPending = metrics.gauge('lookahead_pending_updates', 'Own updates applied to the local weights ahead of the broadcast that no broadcast holds yet (own-update lookahead)');
    metrics.recordTensorBackend(backend);
  }
}

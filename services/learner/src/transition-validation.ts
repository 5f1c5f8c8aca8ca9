import { ENCODER_VERSION, ITEM_DIM, STATE_DIM, ValidationError, type Transition } from '@rec/shared';

/** Rejects transitions this learner cannot train on: another encoder version, wrong sizes, NaN. */
export function validateTransition(transition: Transition): Transition {
  if (transition.encoderVersion !== ENCODER_VERSION) {
    throw new ValidationError(`encoder version ${transition.encoderVersion}, this learner trains version ${ENCODER_VERSION}`, 'encoder-version');
  }
  if (transition.state.byteLength !== STATE_DIM * 4 || transition.itemFeatures.byteLength !== ITEM_DIM * 4) {
    throw new ValidationError('state or item features have the wrong size', 'bad-shape');
  }
  if (transition.nextState !== null && transition.nextState.byteLength !== STATE_DIM * 4) {
    throw new ValidationError('next state has the wrong size', 'bad-shape');
  }
  if (transition.done !== (transition.nextState === null)) throw new ValidationError('done must mean no next state', 'bad-done');
  if (!Number.isFinite(transition.reward)) throw new ValidationError('reward is not finite', 'not-finite');
  if (transition.slateReward !== null && !Number.isFinite(transition.slateReward)) throw new ValidationError('slate reward is not finite', 'not-finite');
  return transition;
}

import { ACTOR_SETTINGS } from '@rec/actor/dist/config';
import { JOINER_SETTINGS } from '@rec/joiner/dist/config';
import { LEARNER_SETTINGS } from '@rec/learner/dist/config';
import { PARAMETER_SERVER_SETTINGS } from '@rec/parameter-server/dist/config';
import { COMMON_SETTINGS, MODEL_SETTINGS, OPTIMIZER_SETTINGS, REWARD_SETTINGS, type SettingDeclarations } from '@rec/shared';
import { SIMULATOR_SETTINGS } from '@rec/simulator';
import { STATUS_PAGE_SETTINGS } from '@rec/status-page/dist/config';

/** A named group of declared settings: one README table, one block of `rec config`. */
export interface SettingGroup {
  name: string;
  /** Which processes read it. */
  readBy: string;
  declarations: SettingDeclarations;
  /** The markdown file (from the repository root) whose generated table lists this group. */
  documentedIn: string;
}

/** Every declared setting of the project, in the order the README lists them. */
export const SETTING_GROUPS: readonly SettingGroup[] = [
  { name: 'common', readBy: 'every service', declarations: COMMON_SETTINGS, documentedIn: 'README.md' },
  { name: 'model', readBy: 'actor, learner, parameter-server', declarations: MODEL_SETTINGS, documentedIn: 'README.md' },
  { name: 'actor', readBy: 'actor', declarations: ACTOR_SETTINGS, documentedIn: 'README.md' },
  { name: 'joiner', readBy: 'joiner', declarations: JOINER_SETTINGS, documentedIn: 'README.md' },
  { name: 'reward', readBy: 'joiner, status-page', declarations: REWARD_SETTINGS, documentedIn: 'README.md' },
  { name: 'learner', readBy: 'learner', declarations: LEARNER_SETTINGS, documentedIn: 'README.md' },
  { name: 'optimizer', readBy: 'learner, parameter-server', declarations: OPTIMIZER_SETTINGS, documentedIn: 'README.md' },
  { name: 'parameter-server', readBy: 'parameter-server', declarations: PARAMETER_SERVER_SETTINGS, documentedIn: 'README.md' },
  { name: 'status-page', readBy: 'status-page', declarations: STATUS_PAGE_SETTINGS, documentedIn: 'README.md' },
  { name: 'simulator', readBy: 'simulator', declarations: SIMULATOR_SETTINGS, documentedIn: 'services/simulator/README.md' },
];

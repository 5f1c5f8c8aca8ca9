import { usageError } from '@rec/shared';

/**
 * The KEY=VALUE words of an experiment command line: service settings as the services read them from
 * their environment (SIM_WORLD=latent, LEARNER_GAMMA=0.9, ...). Any other word is a mistake (a misspelt
 * option, a value without its option) and is refused rather than ignored.
 */
export function parseSettings(words: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const word of words) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(word);
    if (match === null) throw usageError(`unexpected argument "${word}": settings are KEY=VALUE with an upper-case KEY (e.g. LEARNER_GAMMA=0.9)`);
    settings[match[1]] = match[2];
  }
  return settings;
}

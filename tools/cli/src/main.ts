import { isUsageError } from '@rec/shared';
import type { Command, CommandIo } from './command';
import { processIo } from './command';
import { configCommand } from './config/config-command';
import { dlqCommand } from './dlq/dlq-command';
import { evaluateCommand } from './evaluate/evaluate-command';
import { explainCommand } from './explain/explain-command';
import { exportCommand } from './model/export-command';
import { importCommand } from './model/import-command';
import { pinCommand, unpinCommand } from './model/pin-command';
import { rollbackCommand } from './model/rollback-command';
import { statusCommand } from './model/status-command';

export { type Command, type CommandIo } from './command';

/** Every `rec` command, in the order `rec --help` lists them. */
export const COMMANDS: readonly Command[] = [statusCommand, pinCommand, unpinCommand, rollbackCommand, exportCommand, importCommand, evaluateCommand, explainCommand, dlqCommand, configCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'usage: rec <command> [options]   (rec <command> --help for its options)',
    '',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

/** Runs `rec` with its arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(`rec: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // parseArgs and ConfigError messages are for the operator; anything else is a bug with a stack.
    if (isUsageError(error) || (error instanceof Error && error.name === 'ConfigError')) {
      io.err(`rec ${name}: ${error.message}\n${command.usage}`);
      return 2;
    }
    throw error;
  }
}

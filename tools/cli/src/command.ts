/** One `rec` sub-command: its name, a line of help, its usage text, and what it does. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** Where a command writes and which environment it reads (a test passes its own). */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  environment: NodeJS.ProcessEnv;
}

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  environment: process.env,
};

import type { BenchContext } from './bench-context';
import type { ChildService } from './child-service';

export interface RunningServices {
  parameterServer: ChildService;
  learner: ChildService;
  joiner: ChildService;
  actor: ChildService;
}

/** Starts all four services as child processes (default settings plus `extra`), each once ready to work. */
export async function startAllServices(ctx: BenchContext, extra: Record<string, string> = {}): Promise<RunningServices> {
  const parameterServer = await ctx.start('parameter-server', extra);
  await parameterServer.waitForLog((entry) => entry.msg === 'parameter server running', 60_000, 'parameter server running');
  const learner = await ctx.start('learner', extra);
  await learner.waitForLog((entry) => entry.msg === 'learner running', 60_000, 'learner running');
  const joiner = await ctx.start('joiner', extra);
  await joiner.waitForLog((entry) => entry.msg === 'joiner running', 60_000, 'joiner running');
  const actor = await ctx.start('actor', extra);
  await actor.waitForLog((entry) => entry.msg === 'actor serving', 60_000, 'actor serving');
  return { parameterServer, learner, joiner, actor };
}

export function allOf(services: RunningServices): ChildService[] {
  return [services.parameterServer, services.learner, services.joiner, services.actor];
}

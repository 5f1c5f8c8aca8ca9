/**
 * Where a process spent its time, from a V8 .cpuprofile (node --cpu-prof; the benchmarks write them
 * with --profile): the functions with the most self time, and the most inclusive time.
 *
 *   node test/dist/bench/cpu-profile-summary.js <file.cpuprofile> [top=25]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  function: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

/** Self and inclusive time per function (by name and location), most self time first. */
export function summariseProfile(profile: CpuProfile): { totalMs: number; idleMs: number; functions: FunctionTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url === '' ? '' : ` ${shorten(url)}:${lineNumber + 1}`;
    return `${functionName || '(anonymous)'}${file}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    all += micros;
    if (node.callFrame.functionName === '(idle)') idle += micros;
    self.set(label(node), (self.get(label(node)) ?? 0) + micros);
    // Inclusive: every distinct function on the stack gets the sample once.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const name = label(byId.get(current)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + micros);
    }
  }
  const busy = Math.max(1, all - idle);
  const functions = [...self.entries()]
    .map(([name, micros]) => ({
      function: name,
      selfMs: Math.round(micros / 1000),
      selfPct: Math.round((micros / busy) * 1000) / 10,
      totalMs: Math.round((total.get(name) ?? 0) / 1000),
      totalPct: Math.round(((total.get(name) ?? 0) / busy) * 1000) / 10,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: Math.round(all / 1000), idleMs: Math.round(idle / 1000), functions };
}

function shorten(url: string): string {
  const at = url.indexOf('node_modules/');
  if (at >= 0) return url.slice(at + 'node_modules/'.length);
  return url.replace(/^file:\/\//, '').replace(`${path.resolve(__dirname, '..', '..', '..')}/`, '');
}

if (require.main === module) {
  const [file, top = '25'] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node test/dist/bench/cpu-profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`${file}: ${summary.totalMs} ms sampled, ${summary.idleMs} ms idle; % of busy time`);
  console.log('self ms  self%  total%  function');
  for (const entry of summary.functions.slice(0, Number(top))) {
    console.log(`${String(entry.selfMs).padStart(7)}  ${entry.selfPct.toFixed(1).padStart(5)}  ${entry.totalPct.toFixed(1).padStart(6)}  ${entry.function}`);
  }
  const byTotal = [...summary.functions].sort((a, b) => b.totalMs - a.totalMs).slice(0, Number(top));
  console.log('\ninclusive: total%  function');
  for (const entry of byTotal) console.log(`${entry.totalPct.toFixed(1).padStart(6)}  ${entry.function}`);
}

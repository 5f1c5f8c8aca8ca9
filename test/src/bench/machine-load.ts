import * as fs from 'node:fs';
import * as os from 'node:os';

/** CPU ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  ppid: number;
  comm: string;
  /** Start time since boot, in ticks: tells a reused pid from the process seen before. */
  start: number;
  ticks: number;
}

function readProcesses(): Map<number, ProcessTimes> {
  const processes = new Map<number, ProcessTimes>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return processes;
  }
  for (const entry of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // After "pid (comm) ": fields 3.. of the line; utime is field 14, stime 15, starttime 22 (11, 12 and 19 here, 0-based).
      processes.set(Number(entry), { ppid: Number(fields[1]), comm, start: Number(fields[19]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process exited while we looked.
    }
  }
  return processes;
}

/** Pids of this process and its descendants, in a snapshot. */
function ownTree(processes: Map<number, ProcessTimes>): Set<number> {
  const own = new Set<number>([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, info] of processes) {
      if (!own.has(pid) && own.has(info.ppid)) {
        own.add(pid);
        grew = true;
      }
    }
  }
  return own;
}

export interface MachineLoad {
  /** Average cores used by processes outside this benchmark's tree and outside Kafka and Redis: other work on the machine that skews the figures. */
  foreignCpuCores: number;
  /** Average cores used by the Kafka broker (java) and Redis. */
  brokerCpuCores: number;
  redisCpuCores: number;
  /** Average cores used by this benchmark and its child processes. */
  benchmarkCpuCores: number;
  loadAverage1m: number;
  seconds: number;
}

/** Ticks accumulated per kind since beginLoadMeter(), from snapshots every 2 s (a process that exits loses at most its last 2 s). */
let meter: { startedAt: number; last: Map<number, ProcessTimes>; split: Record<'own' | 'broker' | 'redis' | 'foreign', number>; timer: NodeJS.Timeout } | null = null;

function accumulate(): void {
  if (meter === null) return;
  const now = readProcesses();
  const own = ownTree(now);
  for (const [pid, info] of now) {
    const before = meter.last.get(pid);
    const ticks = info.ticks - (before !== undefined && before.start === info.start ? before.ticks : 0);
    if (own.has(pid)) meter.split.own += ticks;
    else if (info.comm === 'java') meter.split.broker += ticks;
    else if (info.comm.startsWith('redis-server')) meter.split.redis += ticks;
    else meter.split.foreign += ticks;
  }
  meter.last = now;
}

/** Starts measuring where the machine's CPU goes (called once when a benchmark starts). */
export function beginLoadMeter(): void {
  if (meter !== null) clearInterval(meter.timer);
  const timer = setInterval(accumulate, 2_000);
  timer.unref();
  meter = { startedAt: Date.now(), last: readProcesses(), split: { own: 0, broker: 0, redis: 0, foreign: 0 }, timer };
}

/** CPU use since beginLoadMeter(), split into this benchmark (with its children), the broker, Redis and everything else. */
export function machineLoadSoFar(): MachineLoad | null {
  if (meter === null) return null;
  accumulate();
  const seconds = Math.max(0.001, (Date.now() - meter.startedAt) / 1000);
  const cores = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100;
  return {
    foreignCpuCores: cores(meter.split.foreign),
    brokerCpuCores: cores(meter.split.broker),
    redisCpuCores: cores(meter.split.redis),
    benchmarkCpuCores: cores(meter.split.own),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    seconds: Math.round(seconds),
  };
}

/**
 * Waits (up to `maxWaitMs`) until the machine is quiet: over a 5 s sample, processes outside this one
 * (Kafka and Redis included) use under `maxCores` cores. Resolves with the last sample and the time waited.
 */
export async function waitForQuietMachine(maxWaitMs: number, maxCores = 0.5): Promise<{ waitedMs: number; busyCores: number }> {
  const started = Date.now();
  for (;;) {
    const before = { at: Date.now(), processes: readProcesses() };
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const after = readProcesses();
    const own = ownTree(after);
    let ticks = 0;
    for (const [pid, info] of after) {
      if (own.has(pid)) continue;
      const earlier = before.processes.get(pid);
      ticks += info.ticks - (earlier !== undefined && earlier.start === info.start ? earlier.ticks : 0);
    }
    const busyCores = ticks / TICKS_PER_SECOND / ((Date.now() - before.at) / 1000);
    if (busyCores < maxCores || Date.now() - started >= maxWaitMs) return { waitedMs: Date.now() - started, busyCores: Math.round(busyCores * 100) / 100 };
  }
}

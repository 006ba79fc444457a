import { enumeratePoints, enumerateTasks, type SweepConfig, type SweepPoint, type SweepTask } from './grid.js';
import type { SweepRecord } from './record.js';

/** The key of a refinement group: the points that share extra gains (every init of them). */
function groupKey(p: Pick<SweepPoint, 'activation' | 'biasStd' | 'depth'>): string {
  return JSON.stringify([p.activation, p.biasStd, p.depth]);
}

/**
 * The extra gains of every refinement group (see RefineOptions), from the pass-1 records; a group
 * is left out until all its pass-1 records (every init and seed) are there. Ascending, distinct,
 * strictly inside the grid's range and never on the grid.
 */
export function refinedGains(config: SweepConfig, records: readonly SweepRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const r = config.refine;
  if (!r || !config.locate || r.offsets.length === 0) return out;
  const lo = config.gains[0], hi = config.gains[config.gains.length - 1];
  const grid = new Set(config.gains);
  const pass1 = records.filter((x) => x.pass === 1);
  const groups = new Map<string, SweepPoint[]>();
  for (const p of enumeratePoints(config)) {
    const k = groupKey(p);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  for (const [k, points] of groups) {
    const extra = new Set<number>();
    let complete = true;
    for (const p of points) {
      const rs = pass1.filter((x) => x.point.activation === p.activation && x.point.init === p.init && x.point.biasStd === p.biasStd && x.point.depth === p.depth);
      if (rs.length < config.seeds.length || rs.some((x) => !x.located)) {
        complete = false;
        break;
      }
      for (const c of ['m1', 'minRms'] as const) {
        const found = rs.map((x) => x.located![c].gain).filter((g): g is number => g !== null && Number.isFinite(g));
        if (found.length === 0) continue;
        const centre = found.reduce((a, b) => a + b, 0) / found.length;
        for (const off of r.offsets) {
          const g = +(Math.round((centre + off) / r.quantum) * r.quantum).toFixed(10);
          if (g > lo && g < hi && !grid.has(g)) extra.add(g);
        }
      }
    }
    if (complete && extra.size) out.set(k, [...extra].sort((a, b) => a - b));
  }
  return out;
}

/** The pass-2 tasks: task T + i measures pass-1 task i's network at its group's extra gains. */
export function refineTasks(config: SweepConfig, extra: Map<string, number[]>): SweepTask[] {
  const tasks = enumerateTasks(config);
  const T = tasks.length;
  const out: SweepTask[] = [];
  for (const t of tasks) {
    const gains = extra.get(groupKey(t.point));
    if (gains) out.push({ index: T + t.index, point: t.point, seed: t.seed, gains });
  }
  return out;
}

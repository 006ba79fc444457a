import type { Command } from 'commander';
import { readOptions, type ParsedOptions } from '../../src/spec/options.js';
import type { GainTable } from '../../src/theory/gains.js';
import { action, print } from '../common.js';
import { table } from '../format.js';
import { addOptions } from '../options.js';

/** `eoc gains`: variance-, gradient-preserving and edge-of-chaos gains per activation, beside torch's. */
export function registerGains(program: Command): void {
  const cmd = program
    .command('gains')
    .description("per activation: the variance- and gradient-preserving gains at q = 1, the edge-of-chaos gain at sigma_b = 0 and at --bias-std, and torch's calculate_gain");
  addOptions(cmd, 'gains').action(action(async (raw: Record<string, unknown>) => runGains(readOptions('gains', raw))));
}

async function runGains(o: ParsedOptions): Promise<void> {
  const names = o.list('activation');
  const sigmaB = o.get('biasStd');
  const [{ gainTable, gainsDocument }, { toJson }] = await Promise.all([import('../../src/theory/gains.js'), import('../../src/io/json.js')]);
  const t = gainTable([...new Set(names)], sigmaB);
  if (o.get('json')) {
    print(toJson(gainsDocument(t)));
    return;
  }
  print(gainsText(t));
}

const fmt = (x: number | null): string => (x === null ? 'none' : Number(x.toPrecision(7)).toString());

export function gainsText(t: GainTable): string {
  const header = ['activation', 'variance-preserving', 'gradient-preserving', 'edge of chaos sigma_b=0', `edge of chaos sigma_b=${t.sigmaB}`, 'torch'];
  const rows = t.rows.map((r) => [r.activation, fmt(r.variancePreserving), fmt(r.gradientPreserving), fmt(r.edgeOfChaos0), fmt(r.edgeOfChaosB), fmt(r.torch)]);
  const notes: string[] = [];
  for (const r of t.rows) {
    if (r.edgeOfChaos0Reason) notes.push(`- ${r.edgeOfChaos0Reason}`);
    if (r.edgeOfChaosBReason && r.edgeOfChaosBReason !== r.edgeOfChaos0Reason) notes.push(`- ${r.edgeOfChaosBReason}`);
  }
  return [
    'gains sigma_w per activation (variance-preserving: 1/sqrt(E phi(z)^2); gradient-preserving: 1/sqrt(E phi\'(z)^2), z ~ N(0,1);',
    'edge of chaos: chi_1 = 1 at the attracting fixed point q*; torch: torch.nn.init.calculate_gain)',
    table(header, rows),
    ...(notes.length ? ['', 'none:', ...notes] : []),
  ].join('\n');
}

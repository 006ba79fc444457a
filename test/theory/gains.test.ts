import { runInProcess } from '../support/in-process.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTIVATION_NAMES } from '../../src/activations/registry.js';
import { gainTable } from '../../src/theory/gains.js';
import { gainsText } from '../../cli/commands/gains.js';

/**
 * The gain table against independent numbers: mpmath (40-digit quadrature of E phi^2 and E phi'^2 at
 * q = 1, and findroot on B(q) = q - E phi^2/mu_1 = sigma_b^2 for the critical points: python3
 * test/fixtures/activation_moments.py --gains), closed forms and
 * docs/science.md section 8. Tolerance 1e-9 relative (the printed values have 7 digits).
 */
const MPMATH: Record<string, [number, number]> = {
  tanh: [1.59253741972283, 1.4674135916308],
  sigmoid: [1.84622854533861, 4.72264608593797],
  softplus: [1.0418668355353, 1.84622854533861],
  gelu: [1.53353044119554, 1.48111441270835],
  silu: [1.67653247033109, 1.6233202579525],
  selu: [1.0, 0.966025776973901],
  'elu(1)': [1.24519830070071, 1.22342855755262],
  mish: [1.48684758127321, 1.44475523254732],
  erf: [1.46716695048914, 1.32521835286121],
  'hard-tanh': [1.39203614044831, 1.21028706243252],
};
const close = (a: number | null, b: number, rel = 1e-9): void => {
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(rel * Math.abs(b));
};

describe('gainTable', () => {
  const t = gainTable(DEFAULT_ACTIVATION_NAMES, 0.05);
  const row = (n: string) => t.rows.find((r) => r.activation === n)!;

  it('variance- and gradient-preserving gains at q = 1 match mpmath', () => {
    for (const [n, [v, g]] of Object.entries(MPMATH)) {
      close(row(n).variancePreserving, v, 1e-12);
      close(row(n).gradientPreserving, g, 1e-12);
    }
    // tanh: 1/sqrt(E tanh^2) = 1/sqrt(0.3942944903978...), 1/sqrt(E sech^4) = 1/sqrt(0.4644029024...)
    close(row('tanh').variancePreserving, 1 / Math.sqrt(0.39429449039784), 1e-12);
    close(row('tanh').gradientPreserving, 1 / Math.sqrt(0.46440290244827), 1e-12);
  });

  it('homogeneous and closed-form rows', () => {
    for (const k of ['variancePreserving', 'gradientPreserving', 'edgeOfChaos0', 'torch'] as const) {
      close(row('relu')[k] as number, Math.SQRT2, 1e-15);
      expect(row('linear')[k]).toBe(1);
    }
    expect(row('relu').edgeOfChaos0Q).toBe('any');
    expect(row('relu').edgeOfChaosB).toBeNull();
    expect(row('relu').edgeOfChaosBReason).toMatch(/no critical point/);
    close(row('leaky-relu(0.01)').variancePreserving, Math.sqrt(2 / (1 + 1e-4)), 1e-15);
    // erf: sigma_w = 1/phi'(0) = sqrt(pi)/2 at sigma_b = 0; variance 1/sqrt((2/pi) atan(2/sqrt5))
    close(row('erf').edgeOfChaos0, Math.sqrt(Math.PI) / 2, 1e-15);
    close(row('erf').variancePreserving, 1 / Math.sqrt((2 / Math.PI) * Math.atan(2 / Math.sqrt(5))), 1e-14);
  });

  it('edge of chaos: docs/science.md section 8 and mpmath', () => {
    close(row('tanh').edgeOfChaos0, 1, 1e-15);
    close(row('tanh').edgeOfChaosB, 1.122539, 1e-6);
    close(row('hard-tanh').edgeOfChaosB, 1.008853, 1e-6);
    close(row('erf').edgeOfChaosB, 0.993686290354426);
    close(row('sigmoid').edgeOfChaos0, 10.1492637100195);
    close(row('selu').edgeOfChaosB, 0.822012643695911);
    close(gainTable(['elu(1)'], 0.3).rows[0].edgeOfChaosB, 1.26310784512415);
    close(gainTable(['gelu'], 1).rows[0].edgeOfChaosB, 1.40594452683847);
    close(row('elu(1)').edgeOfChaos0, 1, 1e-15);
  });

  it('no edge of chaos, with the reason: softplus (never), gelu/silu/mish at small sigma_b (the chi = 1 fixed point repels)', () => {
    for (const n of ['softplus', 'gelu', 'gelu-tanh', 'silu', 'mish']) {
      expect(row(n).edgeOfChaos0).toBeNull();
      expect(row(n).edgeOfChaosB).toBeNull();
    }
    expect(row('softplus').edgeOfChaos0Reason).toMatch(/never equals sigma_b\^2/);
    expect(row('gelu').edgeOfChaos0Reason).toMatch(/q\* = 0 repels/);
    expect(row('gelu').edgeOfChaosBReason).toMatch(/repels \(V'\(q\*\) = 1\.06/);
  });

  it('torch column', () => {
    close(row('tanh').torch, 5 / 3, 1e-15);
    expect(row('selu').torch).toBe(0.75);
    expect(row('sigmoid').torch).toBe(1);
    expect(row('gelu').torch).toBeNull();
  });

  it('text table: one row per activation, none for missing values, the reasons listed', () => {
    const s = gainsText(t);
    for (const n of DEFAULT_ACTIVATION_NAMES) expect(s).toMatch(new RegExp(`^\\s*${n.replace(/[()]/g, '\\$&')}\\s`, 'm'));
    expect(s).toContain('edge of chaos sigma_b=0.05');
    expect(s).toMatch(/^\s*tanh\s+1\.592537\s+1\.467414\s+1\s+1\.122539\s+1\.666667$/m);
    expect(s).toContain('- softplus at sigma_b = 0 has no edge of chaos');
  });
});

describe('eoc gains (in-process)', () => {
  const run = async (args: string[]) => runInProcess((await import('../../cli/commands/gains.js')).registerGains, 'gains', args);

  it('default: every family, sigma_b = 0 and 0.05 columns', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    for (const n of DEFAULT_ACTIVATION_NAMES) expect(r.stdout).toContain(n);
    expect(r.stdout).toContain('edge of chaos sigma_b=0.05');
  });

  it('--activation list, --bias-std, --json', async () => {
    const r = await run(['--activation', 'tanh,leaky-relu(0.2),swish', '--bias-std', '0.3', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('eoc.gains/1');
    expect(doc.sigmaB).toBe(0.3);
    expect(doc.rows.map((x: { activation: string }) => x.activation)).toEqual(['tanh', 'leaky-relu(0.2)', 'silu']);
    expect(doc.rows[0].edgeOfChaosB).toBeCloseTo(1.395584, 6);
  });

  it('bad activation: one line on stderr, exit 2', async () => {
    for (const a of ['nope', 'elu(-1)']) {
      const r = await run(['--activation', a]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

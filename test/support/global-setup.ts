import { chromiumRequirement, isCI, openblasRequirement } from './requirements.js';

/** Once per `vitest run`: say which optional system packages are missing and what that skips (or fails, under CI). */
export default function setup(): void {
  for (const req of [chromiumRequirement(), openblasRequirement()]) {
    if (req.available) continue;
    const what = isCI() ? `${req.usedBy} FAIL (CI is set)` : `skipping ${req.usedBy}`;
    process.stderr.write(`eoc tests: ${what}: ${req.reason}\n`);
  }
}

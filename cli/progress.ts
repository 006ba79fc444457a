/**
 * A progress bar with ETA on stderr, drawn only when stderr is a terminal (docs/design.md): logs and CI
 * output stay clean.
 */
export function progressBar(label: string, enabled = process.stderr.isTTY === true): (done: number, total: number) => void {
  const t0 = Date.now();
  let last = 0;
  return (done, total) => {
    if (!enabled) return;
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const frac = total > 0 ? done / total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (now - t0) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const etaText = Number.isFinite(eta) ? `ETA ${eta.toFixed(0)}s` : '';
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${etaText}   `);
    if (done >= total) process.stderr.write('\n');
  };
}

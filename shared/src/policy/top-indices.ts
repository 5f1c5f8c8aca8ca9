/**
 * The indices of the `k` highest scores, best first (ties: lower index first). One pass with a small
 * sorted buffer: O(n) for the small k of a slate.
 */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  if (k <= 0) return [];
  const top = new Int32Array(k);
  let filled = 0;
  // The k-th best score so far, once k are held: most scores lose to it in one comparison.
  let threshold = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < scores.length; index += 1) {
    const score = scores[index];
    if (filled === k && !(score > threshold)) continue;
    let slot = filled === k ? k - 1 : filled;
    while (slot > 0 && score > scores[top[slot - 1]]) {
      top[slot] = top[slot - 1];
      slot -= 1;
    }
    top[slot] = index;
    if (filled < k) filled += 1;
    if (filled === k) threshold = scores[top[k - 1]];
  }
  return Array.from(top.subarray(0, filled));
}

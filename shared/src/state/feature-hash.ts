/** FNV-1a, 32 bits: a stable, fast hash for bucketing categories and attributes (not for security). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function bucketOf(text: string, buckets: number): number {
  return fnv1a(text) % buckets;
}

/**
 * A small seeded pseudo-random number generator: xoshiro128** (Blackman and Vigna), 128 bits of state,
 * seeded through splitmix32 so that nearby seeds give unrelated streams. Everything random in the
 * simulator comes from one of these, so a seed reproduces the catalog, the users and their choices.
 *
 * `fork(label)` derives an independent child stream from this stream's seed and a label, without
 * consuming from this stream: each user gets its own stream (`fork('user-17')`), so what one user does
 * never shifts the random numbers of another, whatever order the sessions interleave in.
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(readonly seed: number) {
    let state = seed >>> 0;
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent stream for `label`, derived from this stream's seed (does not advance this one). */
  fork(label: string): Prng {
    return new Prng(hashSeed(this.seed, label));
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty array');
    return items[this.int(items.length)];
  }

  /** An index drawn with probability proportional to its (non-negative) weight. */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let index = 0; index < weights.length; index += 1) total += weights[index];
    if (!(total > 0)) return this.int(weights.length);
    let target = this.next() * total;
    for (let index = 0; index < weights.length; index += 1) {
      target -= weights[index];
      if (target < 0) return index;
    }
    return weights.length - 1;
  }

  /** `count` distinct indices from [0, n), in random order (partial Fisher-Yates; count <= n). */
  sampleIndices(n: number, count: number): number[] {
    const take = Math.min(count, n);
    if (take * 4 < n) {
      // Sparse: rejection is cheaper than materialising [0, n).
      const chosen = new Set<number>();
      const order: number[] = [];
      while (order.length < take) {
        const index = this.int(n);
        if (!chosen.has(index)) {
          chosen.add(index);
          order.push(index);
        }
      }
      return order;
    }
    const indices = Array.from({ length: n }, (_, index) => index);
    for (let index = 0; index < take; index += 1) {
      const swap = index + this.int(n - index);
      [indices[index], indices[swap]] = [indices[swap], indices[index]];
    }
    return indices.slice(0, take);
  }
}

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** A 32-bit seed from a parent seed and a label (FNV-1a over both, then one avalanche). */
export function hashSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  hash = Math.imul(hash, 0x01000193);
  for (let index = 0; index < label.length; index += 1) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}

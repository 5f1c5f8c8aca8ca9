/**
 * A binary sum tree over `capacity` non-negative priorities: set one in O(log n), find the leaf where a
 * cumulative sum falls in O(log n). The sampling structure of prioritized replay.
 */
export class SumTree {
  private readonly nodes: Float64Array;
  private readonly leaves: number;

  constructor(capacity: number) {
    let leaves = 1;
    while (leaves < capacity) leaves *= 2;
    this.leaves = leaves;
    this.nodes = new Float64Array(2 * leaves);
  }

  get total(): number {
    return this.nodes[1];
  }

  get(index: number): number {
    return this.nodes[this.leaves + index];
  }

  set(index: number, priority: number): void {
    let node = this.leaves + index;
    const delta = priority - this.nodes[node];
    while (node >= 1) {
      this.nodes[node] += delta;
      node >>= 1;
    }
  }

  /** The leaf index whose cumulative range contains `mass` (0 <= mass < total). */
  find(mass: number): number {
    let node = 1;
    let remaining = mass;
    while (node < this.leaves) {
      const left = 2 * node;
      if (remaining < this.nodes[left] || this.nodes[left + 1] === 0) node = left;
      else {
        remaining -= this.nodes[left];
        node = left + 1;
      }
    }
    return node - this.leaves;
  }
}

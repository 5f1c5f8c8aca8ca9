import type { SimUser } from '../world/user-population';

/**
 * The users not currently in a visit, ordered by their next visit time (a binary min-heap; ties by user
 * index, so the order is deterministic). Drivers take the earliest user, run its visit, and put it back
 * with its next visit time set.
 */
export class VisitScheduler {
  private readonly heap: SimUser[] = [];

  constructor(users: readonly SimUser[] = []) {
    for (const user of users) this.push(user);
  }

  get size(): number {
    return this.heap.length;
  }

  push(user: SimUser): void {
    const heap = this.heap;
    heap.push(user);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!earlier(heap[child], heap[parent])) break;
      [heap[child], heap[parent]] = [heap[parent], heap[child]];
      child = parent;
    }
  }

  /** The user whose next visit comes first, or undefined when every user is mid-visit. */
  pop(): SimUser | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as SimUser;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = 2 * parent + 1;
        const right = left + 1;
        let first = parent;
        if (left < heap.length && earlier(heap[left], heap[first])) first = left;
        if (right < heap.length && earlier(heap[right], heap[first])) first = right;
        if (first === parent) break;
        [heap[first], heap[parent]] = [heap[parent], heap[first]];
        parent = first;
      }
    }
    return top;
  }
}

function earlier(a: SimUser, b: SimUser): boolean {
  return a.nextVisitAt < b.nextVisitAt || (a.nextVisitAt === b.nextVisitAt && a.index < b.index);
}

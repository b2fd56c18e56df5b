import { describe, expect, it } from 'vitest';
import { IndexedMinHeap } from '../../../src/planner/global/heap';

describe('IndexedMinHeap', () => {
  it('pops in key order, honours decrease-key, and is reusable after clear', () => {
    const heap = new IndexedMinHeap(16);
    const keys = [5, 3, 9, 1, 7, 2, 8];
    keys.forEach((k, item) => heap.push(item, k));
    heap.decrease(2, 0.5); // item 2: 9 → 0.5
    const order: number[] = [];
    while (heap.size > 0) order.push(heap.pop());
    expect(order).toEqual([2, 3, 5, 1, 0, 4, 6]);
    heap.clear();
    heap.push(10, 4);
    heap.push(11, 3);
    expect(heap.pop()).toBe(11);
    expect(heap.size).toBe(1);
  });
});

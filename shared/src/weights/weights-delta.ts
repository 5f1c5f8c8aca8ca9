import { flatSizeOf, isRowSparse, packTableRows, unpackTableRows, type Parameter } from './row-sparse-format';

/** The rows of a table whose bits differ between base and current (exact: -0 and 0 differ, as floats do on the wire). */
function changedRows(base: Float32Array, current: Float32Array): (table: Float32Array, rows: number, width: number) => number[] {
  const baseBits = new Uint32Array(base.buffer, base.byteOffset, base.length);
  const currentBits = new Uint32Array(current.buffer, current.byteOffset, current.length);
  return (table, rows, width) => {
    const start = table.byteOffset / 4 - current.byteOffset / 4;
    const found: number[] = [];
    for (let row = 0; row < rows; row += 1) {
      const from = start + row * width;
      for (let column = 0; column < width; column += 1) {
        if (baseBits[from + column] !== currentBits[from + column]) {
          found.push(row);
          break;
        }
      }
    }
    return found;
  };
}

/**
 * The weights `current` as a delta against `base` (both flat, layout order), as Monolith's parameter
 * servers sync only touched embedding rows: every dense parameter whole, and of each per-item table only
 * the rows whose values differ from the base (row-sparse-format.ts). Applying it to exactly `base` gives
 * back exactly `current`, bit for bit.
 */
export function buildWeightsDelta(base: Float32Array, current: Float32Array, layout: readonly Parameter[]): Float32Array {
  const size = flatSizeOf(layout);
  if (base.length !== size || current.length !== size) throw new RangeError(`a weights delta needs two vectors of ${size} values, got ${base.length} and ${current.length}`);
  return packTableRows(current, layout, changedRows(base, current));
}

/** The weights a delta describes: a copy of `base` with the delta's dense parameters and rows written over it. */
export function applyWeightsDelta(base: Float32Array, delta: Float32Array, layout: readonly Parameter[]): Float32Array {
  return unpackTableRows(delta, layout, Float32Array.from(base), 'bad-weights-delta');
}

/** How many table rows a delta carries (all tables together). */
export function deltaRowCount(delta: Float32Array, layout: readonly Parameter[]): number {
  let position = 0;
  let rows = 0;
  for (const parameter of layout) {
    if (!isRowSparse(parameter)) {
      position += parameter.shape.reduce((a, b) => a * b, 1);
    } else {
      const count = delta[position];
      rows += count;
      position += 1 + count * (1 + parameter.shape[1]);
    }
  }
  return rows;
}

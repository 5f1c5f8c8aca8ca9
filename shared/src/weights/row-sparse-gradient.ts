import { flatSizeOf, packTableRows, unpackTableRows, type Parameter } from './row-sparse-format';

export { isRowSparse } from './row-sparse-format';

/** A table's rows holding any non-zero value, ascending. */
function nonZeroRows(table: Float32Array, rows: number, width: number): number[] {
  const found: number[] = [];
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < width; column += 1) {
      if (table[row * width + column] !== 0) {
        found.push(row);
        break;
      }
    }
  }
  return found;
}

/**
 * Packs a flat gradient (layout order) for the wire as Monolith's workers send embedding gradients: every
 * dense parameter as is, and every per-item table as only its non-zero rows (row-sparse-format.ts).
 */
export function packRowSparse(flat: Float32Array, layout: readonly Parameter[]): Float32Array {
  return packTableRows(flat, layout, nonZeroRows);
}

/** Unpacks packRowSparse's form back into the flat gradient; a malformed payload is a ValidationError. */
export function unpackRowSparse(packed: Float32Array, layout: readonly Parameter[]): Float32Array {
  return unpackTableRows(packed, layout, new Float32Array(flatSizeOf(layout)), 'bad-sparse-gradient');
}

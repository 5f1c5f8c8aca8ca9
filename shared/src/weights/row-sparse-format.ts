import { ValidationError } from '../errors/errors';

/** A parameter's name and shape (the model's ParameterShape, restated so this module never loads tfjs). */
export interface Parameter {
  name: string;
  shape: number[];
}

/** Per-item tables: a batch touches only the rows of the items in it, so their gradient travels as rows. */
export function isRowSparse(parameter: Parameter): boolean {
  return parameter.name.startsWith('item/id/') && parameter.shape.length === 2;
}

function sizeOf(parameter: Parameter): number {
  return parameter.shape.reduce((a, b) => a * b, 1);
}

/**
 * Packs a flat float vector (layout order) with every dense parameter as is and every per-item table as
 * only the rows `rowsOf` names, ascending. The packed form is float32 throughout: dense values, then per
 * table `n`, the n row indices (exact in float32 below 2^24), and the n rows' values. Row-sparse
 * gradients name a table's non-zero rows; weights deltas name the rows changed since their base.
 */
export function packTableRows(flat: Float32Array, layout: readonly Parameter[], rowsOf: (table: Float32Array, rows: number, width: number) => number[]): Float32Array {
  const chunks: Float32Array[] = [];
  let offset = 0;
  let length = 0;
  for (const parameter of layout) {
    const size = sizeOf(parameter);
    const values = flat.subarray(offset, offset + size);
    if (!isRowSparse(parameter)) {
      chunks.push(values);
      length += size;
    } else {
      const [tableRows, width] = parameter.shape;
      const rows = rowsOf(values, tableRows, width);
      const packed = new Float32Array(1 + rows.length * (1 + width));
      packed[0] = rows.length;
      rows.forEach((row, index) => {
        packed[1 + index] = row;
        packed.set(values.subarray(row * width, (row + 1) * width), 1 + rows.length + index * width);
      });
      chunks.push(packed);
      length += packed.length;
    }
    offset += size;
  }
  const out = new Float32Array(length);
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

/**
 * Unpacks packTableRows's form onto `into` (a flat vector of the layout's size, changed in place): every
 * dense parameter and every named table row is overwritten, other rows keep what `into` held. A malformed
 * payload is a ValidationError with reason `reason`.
 */
export function unpackTableRows(packed: Float32Array, layout: readonly Parameter[], into: Float32Array, reason: string): Float32Array {
  const size = layout.reduce((sum, parameter) => sum + sizeOf(parameter), 0);
  if (into.length !== size) throw new RangeError(`unpacking onto ${into.length} values, the layout has ${size}`);
  let offset = 0;
  let position = 0;
  const need = (count: number) => {
    if (position + count > packed.length) throw new ValidationError('row-sparse payload is truncated', reason);
  };
  for (const parameter of layout) {
    const parameterSize = sizeOf(parameter);
    if (!isRowSparse(parameter)) {
      need(parameterSize);
      into.set(packed.subarray(position, position + parameterSize), offset);
      position += parameterSize;
    } else {
      need(1);
      const [tableRows, width] = parameter.shape;
      const count = packed[position];
      if (!Number.isInteger(count) || count < 0 || count > tableRows) throw new ValidationError(`row-sparse payload names ${count} rows of ${tableRows}`, reason);
      need(1 + count * (1 + width));
      for (let index = 0; index < count; index += 1) {
        const row = packed[position + 1 + index];
        if (!Number.isInteger(row) || row < 0 || row >= tableRows) throw new ValidationError(`row-sparse payload names row ${row} of ${tableRows}`, reason);
        const source = position + 1 + count + index * width;
        into.set(packed.subarray(source, source + width), offset + row * width);
      }
      position += 1 + count * (1 + width);
    }
    offset += parameterSize;
  }
  if (position !== packed.length) throw new ValidationError(`row-sparse payload has ${packed.length - position} trailing values`, reason);
  return into;
}

/** How many floats a flat vector of this layout holds. */
export function flatSizeOf(layout: readonly Parameter[]): number {
  return layout.reduce((sum, parameter) => sum + sizeOf(parameter), 0);
}

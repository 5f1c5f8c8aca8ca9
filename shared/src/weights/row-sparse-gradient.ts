import { ValidationError } from '../errors/errors';

/** A parameter's name and shape (the model's ParameterShape, restated so this module never loads tfjs). */
interface Parameter {
  name: string;
  shape: number[];
}

/** Per-item tables: a batch touches only the rows of the items in it, so their gradient travels as rows. */
export function isRowSparse(parameter: Parameter): boolean {
  return parameter.name.startsWith('item/id/') && parameter.shape.length === 2;
}

/**
 * Packs a flat gradient (layout order) for the wire as Monolith's workers send embedding gradients: every
 * dense parameter as is, and every per-item table as only its non-zero rows. The packed form is float32
 * throughout: dense values, then per table `n`, the n row indices (exact in float32 below 2^24), and the
 * n rows' values.
 */
export function packRowSparse(flat: Float32Array, layout: readonly Parameter[]): Float32Array {
  const chunks: Float32Array[] = [];
  let offset = 0;
  let length = 0;
  for (const parameter of layout) {
    const size = parameter.shape.reduce((a, b) => a * b, 1);
    const values = flat.subarray(offset, offset + size);
    offset += size;
    if (!isRowSparse(parameter)) {
      chunks.push(values);
      length += size;
      continue;
    }
    const width = parameter.shape[1];
    const rows: number[] = [];
    for (let row = 0; row < parameter.shape[0]; row += 1) {
      for (let column = 0; column < width; column += 1) {
        if (values[row * width + column] !== 0) {
          rows.push(row);
          break;
        }
      }
    }
    const packed = new Float32Array(1 + rows.length * (1 + width));
    packed[0] = rows.length;
    rows.forEach((row, index) => {
      packed[1 + index] = row;
      packed.set(values.subarray(row * width, (row + 1) * width), 1 + rows.length + index * width);
    });
    chunks.push(packed);
    length += packed.length;
  }
  const out = new Float32Array(length);
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

/** Unpacks packRowSparse's form back into the flat gradient; a malformed payload is a ValidationError. */
export function unpackRowSparse(packed: Float32Array, layout: readonly Parameter[]): Float32Array {
  const size = layout.reduce((sum, parameter) => sum + parameter.shape.reduce((a, b) => a * b, 1), 0);
  const flat = new Float32Array(size);
  let offset = 0;
  let position = 0;
  const need = (count: number) => {
    if (position + count > packed.length) throw new ValidationError('row-sparse gradient is truncated', 'bad-sparse-gradient');
  };
  for (const parameter of layout) {
    const parameterSize = parameter.shape.reduce((a, b) => a * b, 1);
    if (!isRowSparse(parameter)) {
      need(parameterSize);
      flat.set(packed.subarray(position, position + parameterSize), offset);
      position += parameterSize;
    } else {
      need(1);
      const [tableRows, width] = parameter.shape;
      const count = packed[position];
      if (!Number.isInteger(count) || count < 0 || count > tableRows) throw new ValidationError(`row-sparse gradient names ${count} rows of ${tableRows}`, 'bad-sparse-gradient');
      need(1 + count * (1 + width));
      for (let index = 0; index < count; index += 1) {
        const row = packed[position + 1 + index];
        if (!Number.isInteger(row) || row < 0 || row >= tableRows) throw new ValidationError(`row-sparse gradient names row ${row} of ${tableRows}`, 'bad-sparse-gradient');
        const source = position + 1 + count + index * width;
        flat.set(packed.subarray(source, source + width), offset + row * width);
      }
      position += 1 + count * (1 + width);
    }
    offset += parameterSize;
  }
  if (position !== packed.length) throw new ValidationError(`row-sparse gradient has ${packed.length - position} trailing values`, 'bad-sparse-gradient');
  return flat;
}

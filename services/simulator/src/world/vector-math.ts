/** The few vector operations the hidden user model needs, on plain Float64Arrays. */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += a[index] * b[index];
  return sum;
}

/** Scales `vector` to unit length in place (a zero vector stays zero) and returns it. */
export function normalizeInPlace(vector: Float64Array): Float64Array {
  const norm = Math.sqrt(dot(vector, vector));
  if (norm > 0) for (let index = 0; index < vector.length; index += 1) vector[index] /= norm;
  return vector;
}

/** vector += step * (target - vector), then renormalised: a move toward `target` on the unit sphere. */
export function moveToward(vector: Float64Array, target: ArrayLike<number>, step: number): void {
  for (let index = 0; index < vector.length; index += 1) vector[index] += step * (target[index] - vector[index]);
  normalizeInPlace(vector);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

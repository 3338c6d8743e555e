import { expect } from 'vitest';
import { AppError } from '../../src/shared/errors.js';

/** The AppError a promise is rejected with (the test fails when it resolves or throws anything else). */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

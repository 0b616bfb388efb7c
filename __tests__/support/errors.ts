import { ValidationError } from '../../lib/errors';

/** The ValidationError that `fn` throws; fails the test if it throws nothing or anything else. */
export function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

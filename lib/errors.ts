/**
 * One problem with one property of a construct.
 */
export interface ValidationProblem {
  /** The property (prop or method argument) that is wrong. */
  readonly property: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What is wrong with it. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Thrown at synth time when a construct is given input that Azure or the azurerm
 * provider would reject at deploy time (or that would deploy something silently wrong).
 *
 * Every problem of one construct is reported in one error, so a user fixes them all in
 * one run instead of discovering them one `cdktf synth` at a time.
 */
export class ValidationError extends Error {
  /** The construct path of the construct that was given bad input. */
  public readonly constructPath: string;
  /** Every problem found, in the order the properties were checked. */
  public readonly problems: ValidationProblem[];

  constructor(constructType: string, constructPath: string, problems: ValidationProblem[]) {
    const lines = problems.map(
      (p) => `  - ${p.property}: ${describeValue(p.value)} ${p.message}. Fix: ${p.fix}`,
    );
    super(`${constructType} at '${constructPath}' has invalid input:\n${lines.join('\n')}`);
    this.name = 'ValidationError';
    this.constructPath = constructPath;
    this.problems = problems;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    // Keys and scripts can be long: the start is enough to recognise the value.
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === undefined) return '(not set)';
  return JSON.stringify(value) ?? String(value);
}

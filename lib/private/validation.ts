import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError, ValidationProblem } from '../errors';

/** True for values known at synth; tokens (known only at apply) are skipped by validation. */
export function isLiteral(value: unknown): boolean {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Collects every problem of one construct's input, then throws them as one error.
 */
export class PropsValidator {
  private readonly problems: ValidationProblem[] = [];

  constructor(
    private readonly constructType: string,
    private readonly scope: IConstruct,
  ) {}

  /** Records a problem unless `ok` holds. */
  public expect(ok: boolean, property: string, value: unknown, message: string, fix: string): void {
    if (!ok) this.problems.push({ property, value, message, fix });
  }

  /**
   * Checks a string that may be a token: tokens pass, literals must satisfy `test`.
   */
  public expectLiteral(
    value: string | undefined,
    test: (literal: string) => boolean,
    property: string,
    message: string,
    fix: string,
  ): void {
    if (value === undefined || !isLiteral(value)) return;
    this.expect(test(value), property, value, message, fix);
  }

  public get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Throws one {@link ValidationError} listing every recorded problem, if there is any. */
  public throwIfInvalid(): void {
    if (this.problems.length > 0) {
      throw new ValidationError(this.constructType, this.scope.node.path, this.problems);
    }
  }
}

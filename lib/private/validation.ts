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
  /**
   * A validator for the construct that `scope` is about to get as its child `id`, named by the path that child
   * will have: check the input first, so a refused call leaves no construct behind.
   */
  public static ofChild(constructType: string, scope: IConstruct, id: string): PropsValidator {
    // constructs escapes the path separator in an id as '--'; the root (an App) adds nothing to the path.
    const childId = id.replace(/\//g, '--');
    const path = scope.node.path === '' ? childId : `${scope.node.path}/${childId}`;
    return new PropsValidator(constructType, { node: { path } });
  }

  private readonly problems: ValidationProblem[] = [];

  constructor(
    private readonly constructType: string,
    /** The construct the input is for: its path names it in the error. */
    private readonly scope: { readonly node: { readonly path: string } },
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

  /**
   * Records each property of `fixes` that `values` lacks: plain-JavaScript callers can leave out (or pass
   * null for) required properties, and get them named in the ValidationError instead of a TypeError.
   */
  public expectGiven<T extends object>(values: T, fixes: { [K in keyof T]?: string }): void {
    for (const [property, fix] of Object.entries(fixes) as Array<[keyof T & string, string]>) {
      const value = values[property];
      this.expect(value !== undefined && value !== null, property, value, 'is required but was not given', fix);
    }
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

/**
 * A user error: bad input that the CLI reports as one line on stderr with exit code 2.
 * Everything that validates user input throws this and nothing else.
 */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

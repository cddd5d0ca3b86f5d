/** A structural logger; pino's `Logger` satisfies it. Without one, nothing is logged. */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

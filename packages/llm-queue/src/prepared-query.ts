import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

const marker = '\u0000graphiti.param:';

/** A query compiled once; call it with an executor (the database or a transaction) and new values. */
// biome-ignore lint/suspicious/noExplicitAny: any database or transaction can run an already-compiled query
export type PreparedQuery<P, R> = (executor: Kysely<any>, values: P) => Promise<QueryResult<R>>;

/**
 * Builds and compiles a Kysely query once, with named placeholders for the values that change per
 * call, and returns a function that runs the same SQL text with new values. The hot queue
 * operations run many thousands of times; building and compiling them each time cost more than
 * SQLite's own work on a `synchronous=NORMAL` database.
 *
 * @example
 * ```ts
 * const getById = prepareQuery<{ id: string }, Row>((param) =>
 *   db.selectFrom('graphiti_queue').selectAll().where('id', '=', param('id')));
 * const { rows } = await getById(db, { id });
 * ```
 */
export function prepareQuery<P extends object, R>(
  // biome-ignore lint/suspicious/noExplicitAny: placeholders stand in for values of any column type
  build: (param: (name: keyof P & string) => any) => Compilable<R>,
): PreparedQuery<P, R> {
  let compiled: CompiledQuery<R> | undefined;
  let slots: readonly ({ readonly name: string } | { readonly value: unknown })[] = [];
  return (executor, values) => {
    if (compiled === undefined) {
      compiled = build((name) => `${marker}${name}`).compile();
      slots = compiled.parameters.map((parameter) =>
        typeof parameter === 'string' && parameter.startsWith(marker)
          ? { name: parameter.slice(marker.length) }
          : { value: parameter },
      );
    }
    const parameters = slots.map((slot) =>
      'name' in slot ? (values as Record<string, unknown>)[slot.name] : slot.value,
    );
    return executor.executeQuery<R>({ ...compiled, parameters } as CompiledQuery<R>);
  };
}

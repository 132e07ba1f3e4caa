/**
 * Request-body validators shared by every server in the process. Compiling
 * the JSON schemas of the business APIs with ajv is most of what building a
 * server costs (~100 ms); a test suite starts many servers (one per test file,
 * several in one process), so each schema is compiled once per process and
 * reused. A compiled validator is a pure function of its schema;
 * sharing it shares no state between servers (`errors` is written and read in
 * the same synchronous call).
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';

/** As fastify's own compiler with our `customOptions`: no coercion, no defaults, nothing removed, first error only. */
const AJV_OPTIONS = { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, addUsedSchema: false } as const;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();
/** The same schema object asks again (every cloud call does): found without serialising it. */
const bySchemaObject = new WeakMap<object, ValidateFunction>();

/** The validator of `schema`, compiled once per process (equal schemas share one). */
export function sharedValidator(schema: object): ValidateFunction {
  let validate = bySchemaObject.get(schema);
  if (validate) return validate;
  const key = JSON.stringify(schema);
  validate = compiled.get(key);
  if (!validate) {
    ajv ??= new Ajv(AJV_OPTIONS);
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  bySchemaObject.set(schema, validate);
  return validate;
}

/** ajv's message for the last failure of `validate` (the text 47001 carries). */
export const validationText = (validate: ValidateFunction): string => (ajv ?? new Ajv(AJV_OPTIONS)).errorsText(validate.errors);

/**
 * fastify's `schemaController.compilersFactory.buildValidator`: every server
 * of the process gets the same validators, each compiled at the first request
 * that needs it — a server is ready without compiling any, and a test process
 * compiles only the schemas of the APIs it calls. (Without ajv's `schemaEnv`
 * fastify calls the wrapper with the body alone, which is all a validator that
 * never coerces needs.)
 */
export function buildSharedValidator() {
  return ({ schema }: { schema: AnySchema }): ValidateFunction => {
    let validate: ValidateFunction | undefined;
    const lazy = ((data: unknown) => {
      validate ??= sharedValidator(schema as object);
      const ok = validate(data);
      lazy.errors = validate.errors ?? null;
      return ok;
    }) as ValidateFunction;
    return lazy;
  };
}

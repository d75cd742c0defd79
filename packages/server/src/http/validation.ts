/**
 * Request validation with two Ajv instances. Query strings and path parameters are text,
 * so they are coerced to the schema's types (`?limit=10` → 10). JSON bodies are not:
 * coercion would turn `"destination": null` into "" and `"enabled": "false"` into false,
 * silently changing what the client asked for.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const common = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  strict: false,
} as const;

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    let fn = httpPart === 'body' ? undefined : cache.get(schema as object);
    if (!fn) {
      fn = ajv.compile(schema as object);
      if (httpPart !== 'body') cache.set(schema as object, fn);
    }
    const validate = fn;
    return (data: unknown) =>
      validate(data)
        ? { value: data }
        : { error: Object.assign(new Error('validation'), { validation: validate.errors }) };
  };
}

/**
 * Save-time validation of a call flow: every step is checked against its verb's schema and
 * the flow's own rules, and every problem is reported with the exact step path
 * (`steps[2].options.1[0].prompt`) and reason. A flow that passes can always be run.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { AppError, type FieldError } from '../../errors.ts';
import { type BusinessHours, checkBusinessHours } from './business-hours.ts';
import { type VerbName, type VerbSpec, verbNames, verbs } from './verbs.ts';

export interface CallFlow {
  steps: Step[];
}

/** A step as stored: `verb` names its kind; the rest is the verb's fields. */
export type Step = { verb: VerbName } & Record<string, unknown>;

const maxDepth = 8;
const maxSteps = 500;

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<VerbName, ValidateFunction>(
  verbNames.map((v) => [v, ajv.compile(verbs[v].schema)]),
);

export function flowProblems(flow: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof flow !== 'object' || flow === null || !Array.isArray((flow as CallFlow).steps)) {
    return [{ path: 'steps', message: 'a flow is an object with a list of steps' }];
  }
  if (Object.keys(flow).some((k) => k !== 'steps'))
    errors.push({ path: '', message: 'a flow has only `steps`' });
  let count = 0;

  const walk = (steps: unknown, path: string, depth: number): void => {
    if (!Array.isArray(steps)) {
      errors.push({ path, message: 'must be a list of steps' });
      return;
    }
    if (depth > maxDepth) {
      errors.push({ path, message: `steps nest deeper than ${maxDepth} levels` });
      return;
    }
    steps.forEach((step, i) => {
      const p = `${path}[${i}]`;
      count++;
      if (typeof step !== 'object' || step === null || Array.isArray(step)) {
        errors.push({ path: p, message: 'a step is an object with a `verb`' });
        return;
      }
      const verb = (step as { verb?: unknown }).verb;
      if (typeof verb !== 'string' || !(verb in verbs)) {
        errors.push({
          path: `${p}.verb`,
          message: `unknown verb '${String(verb)}'; one of ${verbNames.join(', ')}`,
        });
        return;
      }
      const name = verb as VerbName;
      const validate = validators.get(name)!;
      if (!validate(step)) {
        for (const e of validate.errors ?? []) {
          const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
          const field =
            e.keyword === 'additionalProperties'
              ? `.${(e.params as { additionalProperty: string }).additionalProperty}`
              : e.keyword === 'required'
                ? `.${(e.params as { missingProperty: string }).missingProperty}`
                : '';
          const message =
            e.keyword === 'additionalProperties'
              ? `is not a field of ${name}`
              : e.keyword === 'enum' && where.endsWith('prompt')
                ? 'is not a known prompt'
                : (e.message ?? 'is invalid');
          errors.push({ path: `${p}${where ? `.${where}` : ''}${field}`, message });
        }
        return;
      }
      const s = step as Step;
      const spec: VerbSpec = verbs[name];
      if (spec.terminal && i < steps.length - 1) {
        errors.push({
          path: `${path}[${i + 1}]`,
          message: `can never run: the ${name} before it ends the call`,
        });
      }
      if (
        name === 'gather' &&
        typeof s.minDigits === 'number' &&
        s.minDigits > (s.maxDigits as number)
      ) {
        errors.push({ path: `${p}.minDigits`, message: 'is more than maxDigits' });
      }
      if (name === 'menu') {
        const keys = Object.keys(s.options as object);
        if (keys.length === 0)
          errors.push({ path: `${p}.options`, message: 'a menu needs at least one option' });
        for (const k of keys.filter((k) => !/^[0-9*#]$/.test(k))) {
          errors.push({
            path: `${p}.options.${k}`,
            message: 'an option is one keypad key: 0-9, * or #',
          });
        }
      }
      if (
        name === 'callback' &&
        typeof s.firstHour === 'number' &&
        typeof s.lastHour === 'number' &&
        s.firstHour >= s.lastHour
      ) {
        errors.push({ path: `${p}.firstHour`, message: 'must be before lastHour' });
      }
      if (name === 'dial') {
        const t = String(s.target);
        if (t !== 'destination' && !/^\+[1-9]\d{6,14}$/.test(t) && !/^sips?:[^\s]+$/.test(t)) {
          errors.push({
            path: `${p}.target`,
            message: "must be 'destination', an E.164 number (+81…) or a sip: URI",
          });
        }
      }
      if (name === 'businessHours' && typeof s.hours === 'object') {
        errors.push(...checkBusinessHours(s.hours as BusinessHours, `${p}.hours`));
      }
      for (const branch of spec.branches) {
        const value = s[branch];
        if (value === undefined) continue;
        if (Array.isArray(value)) walk(value, `${p}.${branch}`, depth + 1);
        else
          for (const [k, v] of Object.entries(value as object))
            walk(v, `${p}.${branch}.${k}`, depth + 1);
      }
    });
  };
  walk((flow as CallFlow).steps, 'steps', 1);
  if (count > maxSteps) errors.push({ path: 'steps', message: `more than ${maxSteps} steps` });
  if ((flow as CallFlow).steps.length === 0)
    errors.push({ path: 'steps', message: 'a flow needs at least one step' });
  return errors;
}

/** Returns the flow typed, or throws `flow.invalid` listing every problem. */
export function validateFlow(flow: unknown): CallFlow {
  const errors = flowProblems(flow);
  if (errors.length > 0) {
    throw new AppError('flow.invalid', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
      errors,
    });
  }
  return flow as CallFlow;
}

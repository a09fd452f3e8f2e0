// Runtime validation of a request against the contract. Errors name the offending field so the
// person (or the developer of a client) can act on them.
import { InputError } from '../errors';
import { isMethod, schemas, type Method, type ParsedParams } from './contract';
import { JOB_KIND_NAMES, jobParamSchemas } from './job-params';

export function validateRequest(method: unknown, params: unknown): { method: Method; params: ParsedParams<Method> } {
  if (!isMethod(method)) {
    throw new InputError('UNKNOWN_METHOD', `unknown API method ${JSON.stringify(method)}`, {
      field: 'method',
    });
  }
  const res = schemas[method].safeParse(params ?? {});
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(params)';
    throw new InputError('INVALID_PARAMS', `${method}: invalid ${field}: ${issue.message}`, {
      method,
      field,
    });
  }
  return { method, params: res.data as ParsedParams<Method> };
}

/**
 * Checks a job's params against its kind's schema (./job-params.ts), for every way a job is
 * started (the app, the CLI, a job's follow-up). Returns the params as given (each kind's
 * prepare() fills defaults); throws InputError naming `params.<field>`.
 */
export function validateJobParams(kind: string, params: unknown): Record<string, unknown> {
  const schema = (jobParamSchemas as Record<string, (typeof jobParamSchemas)[keyof typeof jobParamSchemas]>)[kind];
  if (!schema) throw new InputError('UNKNOWN_JOB_KIND', `unknown job kind '${kind}' (known: ${JOB_KIND_NAMES.join(', ')})`, { field: 'kind' });
  const given = (params ?? {}) as Record<string, unknown>;
  // Absent options are often passed as undefined (CLI flags not given): the same as leaving them out.
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const res = schema.safeParse(defined);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
    const field = `params${issue.path.length ? '.' + issue.path.join('.') : ''}${keys.length ? '.' + keys[0] : ''}`;
    throw new InputError('INVALID_PARAMS', `${kind}: invalid ${field}: ${issue.message}`, { field, kind });
  }
  return defined;
}

// Runtime validation of a request against the contract. Errors name the offending field so the
// person (or the developer of a client) can act on them.
import { InputError } from '../errors';
import { isMethod, schemas, type Method, type ParsedParams } from './contract';

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

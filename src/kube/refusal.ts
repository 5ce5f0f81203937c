// What kind of refusal an API server's answer is, read from the Status it returns (code,
// reason, details.causes[].reason and field), never from the free-text message.

import { KubeApiError } from './errors.ts';

/**
 * apimachinery's FieldImmutableErrorMsg: the detail the API server gives every
 * immutable-field cause (`field.Invalid(path, value, "field is immutable")`).
 */
export const FIELD_IMMUTABLE_DETAIL = 'field is immutable';

/** Why the API server refused a request, by the structure of its Status. */
export type ApiRefusal =
  /** Fields people changed by hand clash with Git's (409 field-manager conflicts, or 422 duplicate list keys). */
  | { kind: 'field-conflict'; fields: string[] }
  /** Every cause is an immutable field (422 Invalid, FieldValueInvalid "field is immutable"). */
  | { kind: 'immutable'; fields: string[] }
  /** 403: RBAC, or an admission webhook that denied the request. */
  | { kind: 'forbidden' }
  /** 422 for any other reason: schema validation, a ValidatingAdmissionPolicy, some immutable and some not. */
  | { kind: 'invalid'; fields: string[] }
  /** Anything else: not found, a server error, not an API answer at all. */
  | { kind: 'other' };

type Cause = NonNullable<NonNullable<KubeApiError['details']>['causes']>[number];

export function classifyRefusal(error: unknown): ApiRefusal {
  if (!(error instanceof KubeApiError)) return { kind: 'other' };
  const causes = error.details?.causes ?? [];
  const fields = [...new Set(causes.map((c) => c.field ?? '').filter(Boolean))];
  const all = (test: (c: Cause) => boolean) => causes.length > 0 && causes.every(test);
  if (error.status === 403) return { kind: 'forbidden' };
  if (error.status === 409 && error.reason === 'Conflict' && all((c) => c.reason === 'FieldManagerConflict'))
    return { kind: 'field-conflict', fields };
  if (error.status !== 422 || error.reason !== 'Invalid') return { kind: 'other' };
  if (all(isImmutableCause)) return { kind: 'immutable', fields };
  if (all((c) => c.reason === 'FieldValueDuplicate')) return { kind: 'field-conflict', fields };
  return { kind: 'invalid', fields };
}

function isImmutableCause(cause: Cause): boolean {
  const detail = cause.message ?? '';
  return (
    cause.reason === 'FieldValueInvalid' &&
    (detail === FIELD_IMMUTABLE_DETAIL || detail.endsWith(`: ${FIELD_IMMUTABLE_DETAIL}`))
  );
}

/** The namespace whose absence the API server answered with (404 NotFound on `namespaces`), if that is the answer. */
export function missingNamespace(error: unknown): string | undefined {
  if (!(error instanceof KubeApiError) || error.status !== 404 || error.reason !== 'NotFound')
    return undefined;
  return error.details?.kind === 'namespaces' ? error.details.name : undefined;
}

/** How a refusal reads in a report: what the server refused, in a few words. */
export function describeRefusal(refusal: ApiRefusal): string {
  const named = (fields: string[]) => (fields.length > 0 ? ` (${fields.join(', ')})` : '');
  switch (refusal.kind) {
    case 'field-conflict':
      return `fields changed by hand conflict with Git's${named(refusal.fields)}`;
    case 'immutable':
      return `an immutable field changes${named(refusal.fields)}`;
    case 'forbidden':
      return 'the API server forbids it (RBAC or an admission webhook)';
    case 'invalid':
      return `the API server finds it invalid (validation or an admission policy)${named(refusal.fields)}`;
    case 'other':
      return 'its dry-run failed';
  }
}

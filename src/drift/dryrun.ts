// Dry-running: what applying Git would leave, asked of the API server (server-side apply with
// dryRun=All, so defaults and admission are the server's) or predicted without write verbs
// (client mode), as one typed outcome per object.

import { limiter } from '../concurrency.ts';
import { KubeApiError, KubeConnectionError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ApiRefusal, classifyRefusal, missingNamespace } from '../kube/refusal.ts';
import type { DiffMode, KubeObject, ObjectRef } from '../model.ts';
import { type Adoption, adoptFields } from './adoption.ts';
import { fieldsToRemove, removePointers } from './fieldsets.ts';
import type { ListSemantics } from './list-semantics.ts';
import type { ManagerMatcher } from './managers.ts';
import { asStored, mergeOver, predictClientSide } from './predict.ts';

/** What applying Git would leave, when it can be known. */
export type Prediction =
  /** The object exists; `predicted` is the server's answer (or the client's prediction) for it. */
  | {
      kind: 'applied';
      mode: DiffMode;
      predicted: KubeObject;
      /** The live object of the same revision as `predicted`. */
      live: KubeObject;
      /** The fields take-over managers own that the apply would take over and remove. */
      adoption: Adoption;
      /** Client mode: structures Git adds to which the server may add defaults only a dry-run shows. */
      defaultedPaths: string[];
    }
  /**
   * The object would be created. Without `mode`, no dry-run could run: its namespace or its
   * kind (a CRD) is new in this change and not there yet, so `predicted` is Git's object.
   */
  | {
      kind: 'would-create';
      mode?: DiffMode;
      predicted: KubeObject;
      live: KubeObject | null;
      pending?: 'namespace' | 'kind';
    };

/** Why nothing could be predicted: the API server's refusal, by the structure of its Status. */
export type DryRunFailure =
  | { kind: 'conflict' | 'immutable' | 'invalid' | 'forbidden'; error: unknown; refusal: ApiRefusal }
  /** Any other answer (not found, a server error) or no answer at all but an error. */
  | { kind: 'failed'; error: unknown; refusal: ApiRefusal }
  /** Retries ran out on an unreachable or throttling server: nothing more can be checked. */
  | { kind: 'unreachable'; error: unknown };

export type DryRunOutcome = Prediction | DryRunFailure;

export function isPrediction(outcome: DryRunOutcome): outcome is Prediction {
  return outcome.kind === 'applied' || outcome.kind === 'would-create';
}

export interface DryRunContext {
  cluster: Pick<ClusterObjects, 'get' | 'apply' | 'update'>;
  fieldManager: string;
  /** auto: server, and client mode for an object whose dry-run is forbidden. */
  diffMode: 'server' | 'client' | 'auto';
  isTakeover: ManagerMatcher;
  /** Namespaces Git creates in this change. */
  newNamespaces: ReadonlySet<string>;
  /** Told each time auto mode falls back to client mode. */
  onClientMode: (error: KubeApiError) => void;
  /** Which lists are maps and by which keys (the server's schemas, or the built-in table). */
  lists: ListSemantics;
}

/** The object to dry-run, with the live object read before. */
export interface DryRunSubject {
  ref: ObjectRef;
  applyObject: KubeObject;
  live: KubeObject | null;
}

export async function dryRun(subject: DryRunSubject, context: DryRunContext): Promise<DryRunOutcome> {
  try {
    if (context.diffMode === 'client') return await predictWithoutServer(subject, context);
    const answer = await attempt(() =>
      context.cluster.apply(subject.applyObject, subject.ref, {
        fieldManager: context.fieldManager,
        dryRun: true,
        force: true,
      }),
    );
    if ('error' in answer)
      return (await afterRefusal(subject, answer.error, context)) ?? failureOf(answer.error);
    return await fromServer(subject, answer.value, context);
  } catch (error) {
    return failureOf(error);
  }
}

/**
 * The prediction for a refused dry-run that can still be answered (client mode, a namespace
 * Git creates, a changed list key), or undefined when the refusal stands.
 */
async function afterRefusal(
  subject: DryRunSubject,
  error: unknown,
  context: DryRunContext,
): Promise<Prediction | undefined> {
  const { ref, live, applyObject } = subject;
  if (
    context.diffMode === 'auto' &&
    error instanceof KubeApiError &&
    classifyRefusal(error).kind === 'forbidden'
  ) {
    context.onClientMode(error);
    return predictWithoutServer(subject, context);
  }
  const namespace = missingNamespace(error);
  if (
    !live &&
    namespace !== undefined &&
    namespace === ref.namespace &&
    context.newNamespaces.has(namespace)
  ) {
    return { kind: 'would-create', predicted: applyObject, live: null, pending: 'namespace' };
  }
  if (
    live &&
    error instanceof KubeApiError &&
    error.status === 422 &&
    fieldsToRemove(live, asStored(applyObject), context.isTakeover, context.fieldManager).length > 0
  ) {
    // A hand edit changed a list key (a Service port, a container name): the dry-run merges
    // Git's element beside the hand-made one and the server rejects the pair. Remediation
    // takes the hand-made fields over first; predict that here.
    return fromServer(subject, await predictAfterTakeover(subject, live, context), context);
  }
  return undefined;
}

async function fromServer(
  subject: DryRunSubject,
  answer: KubeObject,
  context: DryRunContext,
): Promise<Prediction> {
  const { predicted, live } = subject.live
    ? await sameRevision(subject, answer, context)
    : { predicted: answer, live: subject.live };
  return withAdoption('server', predicted, live, subject, context, []);
}

/**
 * An object the in-sync proof holds for (proof.ts): applying Git changes nothing, so the live
 * object is what the dry-run would answer. Hand-made fields are found from its managed fields
 * as after a dry-run, so the take-over logic sees the same inputs.
 */
export async function provenInSync(
  subject: DryRunSubject,
  context: DryRunContext,
  mode: DiffMode,
): Promise<DryRunOutcome> {
  if (!subject.live) throw new Error('provenInSync: no live object');
  try {
    return await withAdoption(mode, subject.live, subject.live, subject, context, []);
  } catch (error) {
    return failureOf(error);
  }
}

async function predictWithoutServer(subject: DryRunSubject, context: DryRunContext): Promise<Prediction> {
  const { predicted, defaultedPaths } = predictClientSide(
    subject.applyObject,
    subject.live,
    context.fieldManager,
    context.isTakeover,
    context.lists,
  );
  return withAdoption('client', predicted, subject.live, subject, context, defaultedPaths);
}

/** An existing object's prediction, with what taking over hand-made fields would remove. */
async function withAdoption(
  mode: DiffMode,
  predicted: KubeObject,
  live: KubeObject | null,
  subject: DryRunSubject,
  context: DryRunContext,
  defaultedPaths: string[],
): Promise<Prediction> {
  if (!live || !predicted.metadata?.resourceVersion) return { kind: 'would-create', mode, predicted, live };
  // Only a dry-run tells server defaults from fields set at creation; client mode cannot ask.
  const adoption = await adoptFields(
    predicted,
    asStored(subject.applyObject),
    subject.ref,
    mode === 'server' ? context.cluster : undefined,
    { isTakeover: context.isTakeover, fieldManager: context.fieldManager },
  );
  return { kind: 'applied', mode, predicted, live, adoption, defaultedPaths };
}

/**
 * The dry-run answers from the object as stored when it ran; a controller may have written
 * it since the live read (a Deployment's revision annotation, a status-driven label). Both
 * sides must be the same revision, or that write would show as drift: read again, and if it
 * moved on once more, dry-run again.
 */
async function sameRevision(
  subject: DryRunSubject,
  answer: KubeObject,
  context: DryRunContext,
): Promise<{ predicted: KubeObject; live: KubeObject | null }> {
  let predicted = answer;
  let live = subject.live;
  for (let tries = 0; tries < 3; tries++) {
    const revision = predicted.metadata.resourceVersion;
    if (!revision || revision === live?.metadata.resourceVersion) break;
    live = await context.cluster.get(subject.ref);
    if (!live || live.metadata.resourceVersion === revision) break;
    predicted = await context.cluster.apply(subject.applyObject, subject.ref, {
      fieldManager: context.fieldManager,
      dryRun: true,
      force: true,
    });
  }
  return { predicted, live };
}

/**
 * What applying Git leaves once the fields only people own are taken over: the live object
 * without them, Git's fields merged in, validated and defaulted by a dry-run update.
 */
async function predictAfterTakeover(
  subject: DryRunSubject,
  live: KubeObject,
  context: DryRunContext,
): Promise<KubeObject> {
  const stored = asStored(subject.applyObject);
  const base = removePointers(live, fieldsToRemove(live, stored, context.isTakeover, context.fieldManager));
  const merged = mergeOver(base, stored, {
    apiVersion: live.apiVersion,
    kind: live.kind,
    lists: context.lists,
    fields: [],
    pointer: '',
  }) as KubeObject;
  merged.metadata = { ...merged.metadata, resourceVersion: live.metadata.resourceVersion };
  delete merged.metadata.managedFields;
  return context.cluster.update(merged, subject.ref, { fieldManager: context.fieldManager, dryRun: true });
}

/** Any error of a dry-run, as a failure outcome. */
export function failureOf(error: unknown): DryRunFailure {
  if (error instanceof KubeConnectionError || (error instanceof KubeApiError && error.status === 429))
    return { kind: 'unreachable', error };
  const refusal = classifyRefusal(error);
  switch (refusal.kind) {
    case 'field-conflict':
      return { kind: 'conflict', error, refusal };
    case 'immutable':
    case 'invalid':
    case 'forbidden':
      return { kind: refusal.kind, error, refusal };
    case 'other':
      return { kind: 'failed', error, refusal };
  }
}

async function attempt<T>(run: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
}

/**
 * The plan's reads and dry-runs, at most `concurrency` in flight. Once the server is
 * unreachable (retries ran out), a request still waiting fails at once with that error instead
 * of waiting out the retry budget again.
 */
export function boundedRequests(
  cluster: DryRunContext['cluster'],
  concurrency: number,
): DryRunContext['cluster'] {
  const run = limiter(concurrency);
  let unreachable: unknown;
  const bounded = <T>(request: () => Promise<T>): Promise<T> =>
    run(async () => {
      if (unreachable !== undefined) throw unreachable;
      try {
        return await request();
      } catch (error) {
        if (failureOf(error).kind === 'unreachable') unreachable ??= error;
        throw error;
      }
    });
  return {
    get: (ref) => bounded(() => cluster.get(ref)),
    apply: (object, ref, applyOptions) => bounded(() => cluster.apply(object, ref, applyOptions)),
    update: (object, ref, updateOptions) => bounded(() => cluster.update(object, ref, updateOptions)),
  };
}

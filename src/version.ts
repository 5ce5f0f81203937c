// Stamped at bundle time from package.json (esbuild define); the source fallback is for tests.
declare const __KUBE_DRIFT_VERSION__: string | undefined;

export const VERSION: string =
  typeof __KUBE_DRIFT_VERSION__ === 'string' ? __KUBE_DRIFT_VERSION__ : '0.0.0-dev';

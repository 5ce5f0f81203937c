// What the engine tells its face as it goes: log lines, progress and request counts.
import type { RequestStats } from '../kube/client.ts';

export interface EngineHooks {
  info(message: string): void;
  warning(message: string): void;
  progress?(done: number, total: number): void;
  /** The connection's request counts, when it closes (the CLI prints them with KUBE_DRIFT_STATS=1). */
  stats?(stats: RequestStats): void;
}

// The engine both faces run (DESIGN.md's flow): render (engine/render.ts), connect
// (engine/connect.ts), diff (engine/diff.ts), converge and exit status (engine/converge.ts).
export { type Connection, connect } from './engine/connect.ts';
export { type ConvergeResult, converge, exitStatus } from './engine/converge.ts';
export { type DiffResult, diff, noteGroups } from './engine/diff.ts';
export type { EngineHooks } from './engine/hooks.ts';
export { type DesiredSet, renderDesired } from './engine/render.ts';

// The first code of dist/cli.js and dist/index.js: checks the Node.js version, then loads the
// bundle (dist/cli-main.js, dist/action-main.js). ES module imports are evaluated before the
// module that imports them, so a check inside the bundle would come too late.
import { type Face, nodeVersionProblem } from './node-version.ts';

// Stamped by tools/bundle.mjs: the bundle to load, which face this is, and package.json's engines.node minimum.
declare const __KUBE_DRIFT_MAIN__: string;
declare const __KUBE_DRIFT_FACE__: Face;
declare const __KUBE_DRIFT_NODE_MINIMUM__: string;

const problem = nodeVersionProblem(
  process.versions.node,
  __KUBE_DRIFT_NODE_MINIMUM__,
  __KUBE_DRIFT_FACE__,
  process.execPath,
);
if (problem) {
  // On a runner, also as a workflow error, so the reason shows on the run's page.
  if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error::${problem.split('\n')[0]}\n`);
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
import(__KUBE_DRIFT_MAIN__).catch((error: unknown) => {
  // The bundle is missing or threw while loading: an error, as kubectl diff's 2.
  process.stderr.write(`kube-drift: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(2);
});

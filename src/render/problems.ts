// Problems found in the input while rendering, collected so a user can fix them all at once.
import { InputError } from '../errors.ts';

/** One thing wrong with the input, found while rendering. */
export interface RenderProblem {
  message: string;
  /** Relative to the repository root, with `/` separators (or the path as given when it does not exist). */
  file: string;
  line?: number;
  /** 1-based index of the YAML document within the file. */
  documentIndex?: number;
}

export function locationOf(problem: Pick<RenderProblem, 'file' | 'line'>): string {
  return problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
}

function describeProblem(problem: RenderProblem): string {
  // Multi-line messages (parser snippets, tool stderr) are indented under their location.
  return `${locationOf(problem)}: ${problem.message.replaceAll('\n', '\n    ')}`;
}

/** Every problem rendering found, so the user can fix them all in one go. */
export class RenderError extends InputError {
  readonly problems: RenderProblem[];

  constructor(problems: RenderProblem[]) {
    const message =
      problems.length === 1
        ? describeProblem(problems[0])
        : `${problems.length} problems while rendering manifests:\n${problems.map((p) => `  ${describeProblem(p)}`).join('\n')}`;
    super(message, {
      file: problems[0]?.file,
      line: problems[0]?.line,
      hint: 'Fix the manifests named above and run again.',
    });
    this.name = 'RenderError';
    this.problems = problems;
  }
}

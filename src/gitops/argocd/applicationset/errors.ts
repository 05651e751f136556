/** How a generator fails offline: as Argo CD's controller would fail, or because it needs what is not here. */

export type Path = Array<string | number>

/** A generator Argo CD's controller would fail on (its message), at the generator's path in the document. */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message)
  }
}

/** A generator that cannot be evaluated offline: the whole top-level generator is listed as not rendered. */
export class NotEvaluable extends Error {
  constructor(
    readonly generator: string,
    readonly why: string,
    readonly path: Path,
  ) {
    super(why)
  }
}

/** The scmProvider generator asked its API what it has not answered yet: the caller asks, then expands again. */
export class ScmPending extends NotEvaluable {
  constructor(path: Path) {
    super(
      'scmProvider',
      "the SCM API's answers were not all read (the expansion asked more than the run's rounds)",
      path,
    )
  }
}

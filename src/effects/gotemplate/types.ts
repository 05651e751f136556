/** The template engine's request and answer types (./index.ts runs the engine; ./memo.ts remembers its answers). */

/** A parameter set, as Argo CD's generators build it (JSON: numbers are float64). */
export type Params = Record<string, unknown>

export interface RenderRequest {
  /** `spec.goTemplate`: Go's text/template; false: fasttemplate. */
  goTemplate: boolean
  /** `spec.goTemplateOptions`, e.g. `missingkey=error`. */
  options: readonly string[]
  /** The template strings, each parsed once. */
  templates: readonly string[]
  /** The parameter sets, each executed against every template. */
  params: readonly Params[]
}

export interface RenderResult {
  /** `results[set][template]`: the rendered string ('' where it failed). */
  results: string[][]
  /** Each template string that failed with a set: Argo CD's own message. */
  failures: Array<{set: number; template: number; message: string}>
}

/** One YAML text as sigs.k8s.io/yaml reads it (YAML 1.1 scalars, then JSON), or its error. */
export type YamlValue = {value: unknown} | {error: string}

export interface TemplateEngine {
  render(request: RenderRequest): RenderResult
  /** sigs.k8s.io/yaml YAMLToJSON of each text (its first document). */
  yaml(texts: readonly string[]): YamlValue[]
  /** Argo CD's SanitizeName (`normalize`, the `*Normalized` path parameters). */
  sanitize(names: readonly string[]): string[]
  /** Go's `fmt.Sprintf("%v", v)` of JSON values (fasttemplate's flattened parameters). */
  sprint(values: readonly unknown[]): string[]
  /** Go's path.Dir, path.Base and SanitizeName(path.Base) of each slash path (the git generators' path parameters). */
  paths(paths: readonly string[]): Array<{dir: string; base: string; normalized: string}>
  /**
   * gosimple/slug's Make as Argo CD's pull-request generator configures it (MaxLength 50, `_` → `-`): the
   * `branch_slug` and `target_branch_slug` parameters.
   */
  slug(names: readonly string[]): string[]
  /** Go's regexp.MatchString of each pattern (RE2) against its text; a pattern that does not compile: Go's error. */
  match(pairs: ReadonlyArray<{pattern: string; text: string}>): MatchResult[]
}

/** One regexp.MatchString: whether the text matched, or why the pattern is not a Go regexp. */
export type MatchResult = {matched: boolean} | {error: string}

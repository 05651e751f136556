/**
 * github.com's REST API, written once: the API every GitHub call defaults to (`--api-url` and GITHUB_API_URL override
 * it; src/effects/github/target.ts resolves them), and its host, as Argo CD's go-github and `gh` name it.
 */
export const DEFAULT_API_URL = 'https://api.github.com'

/** `api.github.com`. */
export const GITHUB_API_HOST = new URL(DEFAULT_API_URL).host

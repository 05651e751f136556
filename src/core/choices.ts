/**
 * Closed sets of values a team chooses from, declared once: flag options, config types, help text and the JSON
 * schemas are checked against these (test/core/closed-sets.unit.test.ts). A new builder is its class plus one name here.
 */

/** Image builders `publish` drives (src/effects/builders/). */
export const BUILDER_NAMES = ['docker', 'buildah', 'podman'] as const
export type BuilderName = (typeof BUILDER_NAMES)[number]

/** `--builder` / `publish.builder`: a builder, or `auto` (docker buildx, else buildah, else podman). */
export const BUILDER_CHOICES = ['auto', ...BUILDER_NAMES] as const
export type BuilderChoice = (typeof BUILDER_CHOICES)[number]

/** `--sbom` / `publish.sbom`: an SBOM generator, `auto` (syft, else cdxgen), or `none`. */
export const SBOM_CHOICES = ['auto', 'syft', 'cdxgen', 'none'] as const
export type SbomChoice = (typeof SBOM_CHOICES)[number]

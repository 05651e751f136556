/**
 * The field table's rows the product checks (./check.ts): every spec field of the Application, the Flux
 * Kustomization and HelmRelease and the Flux sources, each classified. The ApplicationSet's rows, which its SCM
 * providers give, join them in the whole table (./doc/table.ts), from which docs/gitops-fields.md is written.
 */
import {applicationRules} from './application.js'
import {helmReleaseRules} from './helmrelease.js'
import {kustomizationRules} from './kustomization.js'
import type {Rules} from './model.js'
import {gitRepositoryRules, helmChartRules, helmRepositoryRules, ociRepositoryRules} from './sources.js'

export type CrdKind =
  | 'Application'
  | 'ApplicationSet'
  | 'HelmRelease'
  | 'Kustomization'
  | 'GitRepository'
  | 'HelmRepository'
  | 'OCIRepository'
  | 'HelmChart'

/** The kinds the product checks an object of. */
export type CheckedKind = Exclude<CrdKind, 'ApplicationSet'>

export const CHECKED: Readonly<Record<CheckedKind, Rules>> = {
  Application: applicationRules,
  HelmRelease: helmReleaseRules,
  Kustomization: kustomizationRules,
  GitRepository: gitRepositoryRules,
  HelmRepository: helmRepositoryRules,
  OCIRepository: ociRepositoryRules,
  HelmChart: helmChartRules,
}

/**
 * The attacks of ./untrusted-revision.test.ts again where bubblewrap cannot run (a container whose seccomp refuses namespaces, macOS,
 * Windows): the render module alone confines Helm and kustomize, git reads the revision unsandboxed, and every canary
 * stays out of every output just the same.
 */
process.env.AMEIDE_TEST_BWRAP = '/nonexistent/bwrap'
await import('./untrusted-revision.test.js')

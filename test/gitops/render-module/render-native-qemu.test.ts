/**
 * The linux-arm64 native render helper the package ships (scripts/build-native.mjs cross-builds it), run on this x64
 * machine under qemu-user (Debian's qemu-user-static, scripts/ci/install-toolchain.sh; no binfmt needed: qemu is
 * started with the helper as its argument). It starts and says its handshake in the protocol the host speaks. qemu-user
 * does not emulate seccomp(2) (bookworm's 7.2 answers ENOSYS), so there the helper cannot confine itself: it must say
 * so in its handshake and end, and the host's reading of that handshake must refuse it — the WebAssembly module then
 * renders. Where an emulator does pass seccomp through, the self-test must pass instead.
 */
import {spawn} from 'node:child_process'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {handshakeRefusal, nativeBuild, NATIVE_PROTOCOL} from '../../../src/effects/render-module/native.js'
import {requireTool} from '../../support/toolchain.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const linuxX64 = process.platform === 'linux' && process.arch === 'x64'

/** `qemu helper memory` with an empty environment in `/`: its stdout, stderr and exit code. */
function underQemu(qemu: string, helper: string) {
  const child = spawn(qemu, [helper, String(2 ** 30)], {env: {}, cwd: '/', stdio: ['pipe', 'pipe', 'pipe']})
  let [stdout, stderr] = ['', '']
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')))
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')))
  // No request: a helper that did confine itself waits for one, and ends when stdin closes.
  child.stdin.end()
  return new Promise<{pid: number; stdout: string; stderr: string; exit: number | null}>((resolve) =>
    child.on('close', (exit) => resolve({pid: child.pid!, stdout, stderr, exit})),
  )
}

describe.runIf(linuxX64)('the linux-arm64 helper under qemu-user', () => {
  it('answers its handshake; refused by seccomp emulation, it says so and ends, and the host refuses it', async () => {
    const qemu = requireTool('qemu-aarch64-static')
    const helper = nativeBuild()?.helpers['linux-arm64']
    if (!helper) throw new Error('the linux-arm64 helper is not built: npm run build')
    const run = await underQemu(qemu, path.join(repoRoot, 'dist/render-module', helper.file))
    const [first, ...rest] = run.stdout.split('\n').filter(Boolean)
    const hello = JSON.parse(first!) as {ready: string; pid: number; error?: string; selfTest: {passed: boolean}}
    expect(hello.ready).toBe(NATIVE_PROTOCOL)
    expect(hello.pid).toBe(run.pid)
    expect(rest).toEqual([])
    expect(run.stderr).not.toMatch(/panic|fatal error|SIGSEGV|SIGSYS/)
    if (hello.error) {
      // What bookworm's qemu-user 7.2 gives: "seccomp: function not implemented". A clean refusal: no self-test
      // passed, exit 3, and the host reads the reason it would give for rendering in WebAssembly.
      expect(hello.error).toMatch(/seccomp/)
      expect(hello.selfTest.passed).toBe(false)
      expect(run.exit).toBe(3)
      expect(handshakeRefusal(first, run.pid, run.stderr)).toBe(
        `the native helper could not confine itself: ${hello.error}`,
      )
    } else {
      expect(hello.selfTest).toMatchObject({passed: true, seccomp: 2})
      expect(handshakeRefusal(first, run.pid, run.stderr)).toBeUndefined()
      expect(run.exit).toBe(0)
    }
  }, 60_000)
})

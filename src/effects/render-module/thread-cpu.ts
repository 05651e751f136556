/**
 * The CPU time of one thread of this process, read by another: how the render limit counts a render's own work and
 * not the load around it (effects/limits.ts). A render runs synchronously on its worker's OS thread (Go's runtime on
 * WebAssembly is single-threaded), so that thread's CPU clock is the render's cost, whatever else the machine runs.
 * `process.cpuUsage()` is the whole process's even in a worker, `process.threadCpuUsage()` can only be asked by the
 * thread itself (busy in the render), and a worker's event-loop utilisation counts the time it was busy in wall-clock
 * terms, waiting for a core included. Linux tells any thread's clock in /proc: the worker names its own thread id
 * (/proc/thread-self), the host reads /proc/self/task/<tid>/schedstat (nanoseconds on a CPU) or, without scheduler
 * statistics, its stat's utime + stime (ticks of USER_HZ, 100 per second). Elsewhere nothing is read: undefined.
 * Self-contained (node: modules only): the worker imports it.
 */
import {readFileSync, readlinkSync} from 'node:fs'

/** The calling thread's id (Linux), or undefined. */
export function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isInteger(tid) && tid > 0 ? tid : undefined
  } catch {
    return undefined
  }
}

/** The CPU time thread `tid` of this process has used, in milliseconds, or undefined when it cannot be read. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    if (Number.isFinite(ns)) return ns / 1e6
  } catch {
    // No scheduler statistics in this kernel: the tick counts below.
  }
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    // After the command name in parentheses, field 3 onwards: utime is field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks * 10 : undefined
  } catch {
    return undefined
  }
}

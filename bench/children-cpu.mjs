// The CPU a bench's commands took: what its waited-for children used, as the kernel counts it.
import {readFileSync} from 'node:fs'

/** CPU time (ms) of this process's waited-for children so far: cutime + cstime of /proc/self/stat (NaN elsewhere). */
export function childrenCpu() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100 // clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return NaN
  }
}

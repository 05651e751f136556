#!/usr/bin/env python3
# /usr/bin/time for a process tree: runs the command as a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so that
# what the command leaves running — the native render helpers, which end when the CLI's pipes close, after it — is
# reaped here and counted. Prints to stderr, last line: wall seconds, user s, system s (every process of the tree),
# peak RSS of the command's own process (KB) and the largest peak RSS of any other process of the tree (KB).
# Usage: python3 bench/tree-time.py COMMAND [ARGS…]   (Linux)
import ctypes, os, sys, time

PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
user = system = 0.0
main_rss = other_rss = 0
status = 0
while True:
    try:
        got, st, ru = os.wait4(-1, 0)
    except ChildProcessError:
        break
    user += ru.ru_utime
    system += ru.ru_stime
    if got == pid:
        main_rss, status = ru.ru_maxrss, os.waitstatus_to_exitcode(st)
    else:
        other_rss = max(other_rss, ru.ru_maxrss)
wall = time.monotonic() - start
sys.stderr.write(f"{wall:.2f} {user:.2f} {system:.2f} {main_rss} {other_rss}\n")
sys.exit(status if status >= 0 else 1)

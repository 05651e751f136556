module ameide.test/seccomp-refused

go 1.25.0

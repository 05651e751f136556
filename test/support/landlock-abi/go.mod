module ameide.test/landlock-abi

go 1.25.0

module ameide.dev/kube-enums

go 1.26.0

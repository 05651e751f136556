package engine

// Version names this engine's protocol; the loader checks it (a stale build is rebuilt, never trusted).
const Version = "ameide-gotemplate/2"

/** The platform's user cache directory + ameide: macOS ~/Library/Caches, Windows %LOCALAPPDATA%, else XDG's. */
export function userCacheDir(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string

// The user's cache directory for ameide, one definition for the build scripts and the CLI (which imports it from
// src/effects/render-module/bytes.ts through user-cache.d.mts; the bundle carries it): the render module unzipped
// from the release (`<dir>/render-module`).
import os from 'node:os'
import path from 'node:path'

/** The platform's user cache directory + ameide: macOS ~/Library/Caches, Windows %LOCALAPPDATA%, else XDG's. */
export function userCacheDir(env = process.env, platform = process.platform) {
  const home = env.HOME || os.homedir()
  if (platform === 'darwin') return path.join(home, 'Library/Caches/ameide')
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'ameide')
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'ameide')
}

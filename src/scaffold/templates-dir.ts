import {packagePath} from '../core/package-root.js'

/** `templates/` at the package root. */
export const TEMPLATES_DIR = packagePath('templates')
